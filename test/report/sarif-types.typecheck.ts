// Compile-time contract, checked by `npm run typecheck`: the SARIF writer's output is a SARIF 2.1.0 log as
// @types/sarif (the schema's types, maintained outside this project) describes it. The official JSON
// schema itself is not vendored here (no copy was available offline): see docs/architecture.md.
import type { Log, Result } from "sarif";
import { toSarif } from "../../shared/report/sarif.js";
import { brokenFindings, reportOf } from "./fixtures.js";

export const log: Log = toSarif(reportOf(brokenFindings()));
export const results: Result[] | undefined = log.runs[0]?.results;
