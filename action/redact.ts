/** Token redaction, apart from login.ts (which loads the Azure identity SDK) so a static run need not load it. */
// One definition for every host: the log seam masks JWT-shaped text on every line with it.
export { redactTokens } from "../shared/log.js";
