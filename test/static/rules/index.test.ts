/** Every static rule together (`checkManifests` runs `STATIC_RULES`): correct setups give no findings. */
import { describe, expect, it } from "vitest";
import { checkPaths, FIXTURES } from "../helpers.js";

describe("correct setups stay quiet", () => {
  it("the AKS docs' ServiceAccount + Deployment give no findings", async () => {
    expect(await checkPaths(`${FIXTURES}/aks-docs`)).toEqual([]);
  });

  it("a rendered Django chart with its pre-upgrade migrate hook gives no findings", async () => {
    expect(await checkPaths(`${FIXTURES}/django-chart-rendered.yaml`)).toEqual([]);
  });
});
