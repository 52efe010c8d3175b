/**
 * Secret hygiene: the literal secrets in the fixture (env values, ConfigMap data, Secret data and
 * stringData) and their base64 appear nowhere in the findings, the workload listing or an error line.
 */
import { describe, expect, it } from "vitest";
import { staticLayer } from "../../shared/gate/static-layer.js";
import { checkManifests, listWorkloads } from "../../shared/static/index.js";
import { FIXTURES, ids, inputError, loadSet } from "./helpers.js";
import { parseManifests } from "../../shared/static/index.js";

const SECRETS = [
  "Qx7~fake.SECRET-value_0123456789abcdefghij",
  "Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6Kl9No2Qr5Tu8Wx1Za4Cd7Fg0Ij3Lm6Op9Rs2Uv5Xy8Ab1De4Gh7Jk0Mn3==",
  "Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7",
  "q8WzT3vN0pLk2Rj7Yx5Hc9Bf4Md6Ga1Se8Uw0Ii3Oo5Pp7Qq9Rr2Ss4Tt6Uu8Vv1Ww3Xx5Yy7Zz9Aa0Bb2Cc4Dd===",
  "Hk2mP9qR4tV7wX0zA3cE6gJ8lN1oQ5sU9yB2dF4hK7m",
  "Zr8~Kube.Secret-Value_fedcba9876543210ZYXW",
  "Pfx-P4ssw0rd.String-Data!7788",
];

/** The secret, its base64, and a 12-character slice from its middle (no substring may leak either). */
function needles(secret: string): string[] {
  const mid = Math.floor(secret.length / 2);
  return [secret, Buffer.from(secret).toString("base64"), secret.slice(mid - 6, mid + 6)];
}

function assertClean(text: string): void {
  for (const s of SECRETS) for (const n of needles(s)) expect(text, `leaked ${n.slice(0, 4)}…`).not.toContain(n);
}

describe("secret hygiene", () => {
  it("findings, fixes and the workload listing never carry a secret value or its base64", async () => {
    const set = await loadSet(`${FIXTURES}/literal-secrets.yaml`);
    const findings = checkManifests(set);
    // The fixture really exercises every credential path before we assert it is clean.
    expect(ids(findings)).toEqual(["AG101", "AG101", "AG101", "AG102", "AG108", "AG108", "AG111", "AG111"]);
    assertClean(JSON.stringify(findings));
    assertClean(JSON.stringify(listWorkloads(set)));
    assertClean(JSON.stringify(staticLayer(set)));
  });

  it("errors about a bad line never echo it", async () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  AZURE_CLIENT_SECRET: "${SECRETS[0]}\n  next: [\n`;
    const err = await inputError(() => parseManifests([{ file: "cm.yaml", text }]));
    assertClean(err.oneLine());
    assertClean(err.message);
  });
});
