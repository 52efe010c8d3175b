/**
 * The sandbox's Python images (`sandbox/django-app:1`, and any image a scenario maps to `python3`) run
 * Debian's /usr/bin/python3 with the Azure SDK for Python from the python3-azure package. This says why
 * they cannot run on this machine, or undefined when they can — checked once per process.
 */
import { execFileSync } from "node:child_process";

export const SYSTEM_PYTHON = "/usr/bin/python3";
const MODULES = "azure.identity, azure.keyvault.secrets, azure.storage.blob";

let answer: { missing: string | undefined } | undefined;

export function pythonSdkMissing(): string | undefined {
  if (!answer) {
    try {
      execFileSync(SYSTEM_PYTHON, ["-c", `import ${MODULES}`], { stdio: "ignore" });
      answer = { missing: undefined };
    } catch {
      answer = {
        missing: `${SYSTEM_PYTHON} cannot import ${MODULES}: Debian's python3-azure is not installed (apt-get install python3-azure)`,
      };
    }
  }
  return answer.missing;
}
