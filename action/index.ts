/** Entry point of the bundled Action (dist/action/index.js, runs.using: node24). `run` never throws. */
import { run } from "./run-action.js";

await run();
