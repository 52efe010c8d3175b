#!/usr/bin/env node
/** The `azure-auth-gate` executable: the process around `main` (see main.ts). */
import { processIo } from "./io.js";
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2), processIo());
