import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{d as e,e as t,g as n}from"./chunk-T2GVRUMR.js";import{format as g}from"node:util";var f=n("auth-gate");function l(o){t("info"),o&&(e.log=(...r)=>o(`${g(...r)}
`))}export{f as a,l as b};
