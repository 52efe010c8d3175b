/** The leak scanner itself: it must find a secret in every form it claims to, and nothing else. */
import { describe, expect, it } from "vitest";
import { assertNoSecrets, base64Cores, findSecrets } from "./secret-scan.js";

const SECRET = "sandbox-client-secret-value-0042";

describe("secret scan", () => {
  it("finds the secret raw, url-encoded and hex-encoded", () => {
    expect(findSecrets({ log: `token=${SECRET};` }, [SECRET]).map((l) => l.form)).toEqual(["raw"]);
    expect(findSecrets({ url: `https://h/?k=${encodeURIComponent("a b/" + SECRET)}` }, ["a b/" + SECRET]).map((l) => l.form)).toContain(
      "url-encoded",
    );
    expect(findSecrets({ dump: Buffer.from(SECRET).toString("hex").toUpperCase() }, [SECRET]).map((l) => l.form)).toEqual(["hex"]);
  });

  it("finds it base64-encoded inside a larger payload at every byte alignment (queue messages, Blob JSON)", () => {
    for (const prefix of ["", "x", "xy", "xyz", '{"secret":"']) {
      const message = Buffer.from(`${prefix}${SECRET}","more":"data"}`).toString("base64");
      const urlSafe = Buffer.from(`${prefix}${SECRET}!!`).toString("base64url");
      expect(
        findSecrets({ message }, [SECRET]).map((l) => l.form),
        `prefix '${prefix}'`,
      ).toContain("base64");
      // Where the two alphabets agree (no '+' or '/'), the url-safe core is the same string: either form counts.
      expect(
        findSecrets({ urlSafe }, [SECRET]).some((l) => l.form.startsWith("base64")),
        `prefix '${prefix}'`,
      ).toBe(true);
    }
  });

  it("reports where, and never the whole secret", () => {
    const leaks = findSecrets({ stderr: `oops ${SECRET}` }, [SECRET]);
    expect(leaks).toEqual([{ where: "stderr", secret: "sand…", form: "raw" }]);
    expect(() => assertNoSecrets({ stderr: `oops ${SECRET}` }, [SECRET])).toThrow(/stderr \(raw, sand…\)/);
    expect(() => assertNoSecrets({ stderr: `oops ${SECRET}` }, [SECRET])).not.toThrow(new RegExp(SECRET));
  });

  it("stays quiet on clean text, near misses and NUL-bearing binary", () => {
    const clean = { stdout: "PASS 0 errors", blob: Buffer.from([0, 1, 2, 255]), near: SECRET.slice(0, -1) };
    expect(findSecrets(clean, [SECRET])).toEqual([]);
    expect(() => assertNoSecrets(clean, [SECRET])).not.toThrow();
  });

  it("tells base64url from base64 where they differ", () => {
    const spiky = "secret>>>???~~~value";
    expect(findSecrets({ s: Buffer.from(spiky).toString("base64url") }, [spiky]).map((l) => l.form)).toContain("base64url");
  });

  it("ignores secrets too short to scan for, and builds cores for each alignment", () => {
    expect(findSecrets({ s: "abc" }, ["abc"])).toEqual([]);
    expect(base64Cores(Buffer.from(SECRET), "base64")).toHaveLength(3);
  });
});
