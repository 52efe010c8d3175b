/** AG111 (shared/static/rules/ag111.ts): credential in a ConfigMap. */
import { describe, expect, it } from "vitest";
import { check, checkPaths, FIXTURES, only } from "../helpers.js";

const FILE = `${FIXTURES}/literal-secrets.yaml`;

describe("AG111 credential in a ConfigMap", () => {
  it("fires on credential keys and credential-shaped values, at the data key's line", async () => {
    const found = only(await checkPaths(FILE), "AG111");
    expect(found.map((f) => [f.location?.line, f.target])).toEqual([
      [10, { kind: "ConfigMap", namespace: "media", name: "legacy-settings" }],
      [11, { kind: "ConfigMap", namespace: "media", name: "legacy-settings" }],
    ]);
    expect(found[0]?.evidence).toBe(
      "ConfigMap media/legacy-settings data key AZURE_STORAGE_KEY holds a credential (90 characters, redacted)",
    );
    expect(found[1]?.evidence).toContain("data key BACKUP_URL holds a SAS token signature");
    expect(found[0]?.fix).toContain("kubectl -n media edit configmap legacy-settings");
  });

  it("stays quiet on ordinary settings", () => {
    expect(
      check(`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: django-settings}
        data:
          AZURE_STORAGE_ACCOUNT_NAME: stmedia
          AZURE_STORAGE_CONTAINER: media
          MEDIA_URL: https://stmedia.blob.core.windows.net/media/
      `),
    ).toEqual([]);
  });
});
