import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a,b}from"./chunk-ZQIXPNTM.js";import"./chunk-T2GVRUMR.js";import"./chunk-67BG23Y2.js";export{b as enableVerbose,a as gateLog};
