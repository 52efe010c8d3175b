import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// The parser ships source maps pointing at sources it does not ship; load it without them (no warning per file).
const workflowParserWithoutSourceMaps = {
  name: "workflow-parser-without-source-maps",
  enforce: "pre" as const,
  load(id: string) {
    if (!id.includes("/@actions/workflow-parser/dist/") || !id.endsWith(".js")) return null;
    return readFileSync(id, "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, "");
  },
};

export default defineConfig({
  plugins: [workflowParserWithoutSourceMaps],
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // GitHub's workflow parser imports its JSON schemas without import attributes; let Vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
