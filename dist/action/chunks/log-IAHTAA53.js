import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b,c,d,e,f,g,h}from"./chunk-IAZQRFLF.js";import"./chunk-67BG23Y2.js";export{f as debugEnabled,b as emit,e as enableDebug,h as log,a as redactTokens,c as setLogSink,g as useDebugWriter,d as withLogSink};
