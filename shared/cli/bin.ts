#!/usr/bin/env node
/** The `azure-auth-gate` executable: the process around `main` (see main.ts). */
import * as nodeModule from "node:module";
import { processIo } from "./io.js";
import { main } from "./main.js";

// Node's on-disk V8 compile cache (as tsc enables it): from the second run on, the command's chunks — for the
// gate ~2 MB of Azure SDK JavaScript — are not compiled again. It only ever holds code compiled from this
// package's own files (checked against their contents). NODE_DISABLE_COMPILE_CACHE=1 turns it off,
// NODE_COMPILE_CACHE=DIR moves it (default: the OS temp folder).
// Optional chaining: Node 20 (below the engines floor, but still what some runners have) lacks it, and a missing named
// export would stop the CLI before its first line.
nodeModule.enableCompileCache?.();

process.exitCode = await main(process.argv.slice(2), processIo());
