/**
 * docs/protection-rule.md's App manifest is what the code needs and no more: its permissions are
 * exactly Actions read, Deployments write, Contents read; it subscribes to deployment_protection_rule
 * only; its webhook URL is the route functions/index.ts registers; the installation token the review
 * asks for stays within it; and the sandbox's App has the same permissions (plus the implied metadata).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TOKEN_PERMISSIONS } from "../../../functions/deployment-protection/github.js";
import { PROTECTION_APP_PERMISSIONS } from "../../sandbox/deployments.js";

const root = path.resolve(import.meta.dirname, "../../..");
const doc = readFileSync(path.join(root, "docs/protection-rule.md"), "utf8");
const manifest = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(doc)![1]!) as {
  default_permissions: Record<string, string>;
  default_events: string[];
  hook_attributes: { url: string };
};

describe("the App manifest in docs/protection-rule.md", () => {
  it("asks for the least permissions and the one event", () => {
    expect(manifest.default_permissions).toEqual({ actions: "read", deployments: "write", contents: "read" });
    expect(manifest.default_events).toEqual(["deployment_protection_rule"]);
    const { metadata, ...sandboxApp } = PROTECTION_APP_PERMISSIONS;
    expect(metadata).toBe("read");
    expect(sandboxApp).toEqual(manifest.default_permissions);
  });

  it("points the webhook at the route functions/index.ts registers", () => {
    const index = readFileSync(path.join(root, "functions/index.ts"), "utf8");
    const route = /app\.http\("deploymentProtection", \{[^}]*route: "([^"]+)"/.exec(index)?.[1];
    expect(route).toBe("github/deployment-protection");
    expect(/^https:\/\/[^/]+(\/.*)$/.exec(manifest.hook_attributes.url)?.[1]).toBe(`/api/${route}`);
  });

  it("the review's installation token asks for nothing the App was not granted", () => {
    for (const [name, level] of Object.entries(TOKEN_PERMISSIONS)) {
      const granted = manifest.default_permissions[name];
      expect(granted === "write" || granted === level, `${name}: ${level}`).toBe(true);
    }
  });
});
