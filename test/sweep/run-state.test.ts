/**
 * RunStore.update() on real Azurite Blob (the Function's state account in the sandbox): a read-modify-
 * write never overwrites a write that landed after its read — the ETag it writes against is the one of
 * the text it read, so a concurrent writer makes it re-read and retry, and parallel writers lose nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunStore } from "../../shared/sweep/run-state.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { harness, scenario, writeConfig, type Harness } from "../functions/function-world.js";

interface Doc {
  writers: string[];
}

/** A store whose first read is followed at once by another worker's write (before update() writes back). */
class RacedStore extends RunStore {
  raced = 0;
  reads: string[] = [];

  override async getText(path: string): Promise<{ text: string; etag: string } | undefined> {
    const got = await super.getText(path);
    this.reads.push(got?.text ?? "");
    if (this.raced === 0) {
      this.raced++;
      const other = new RunStore(this.container);
      await other.put(path, JSON.stringify({ writers: [...(got ? (JSON.parse(got.text) as Doc).writers : []), "other-worker"] }));
    }
    return got;
  }
}

let sb: Sandbox;
let h: Harness;

beforeAll(async () => {
  sb = await startSandbox(scenario());
  h = harness(sb, writeConfig(sb, { scopes: [{ name: "store", subscriptions: [sb.state.subscriptions[0]!.subscriptionId] }] }));
});

afterAll(async () => {
  await sb?.stop();
});

describe("RunStore.update", () => {
  it("a write between its read and its write makes it re-read and retry instead of overwriting", async () => {
    const path = "tests/raced.json";
    await h.rt.store.put(path, JSON.stringify({ writers: ["first"] }));
    const store = new RacedStore(h.rt.store.container);
    let changes = 0;
    const result = await store.update<Doc>(path, (cur) => {
      changes++;
      return { writers: [...(cur?.writers ?? []), "updater"] };
    });
    // The first attempt's conditional write was refused (412); the second saw the other worker's write.
    expect(changes).toBe(2);
    expect(store.reads).toHaveLength(2);
    expect(JSON.parse(store.reads[1]!)).toEqual({ writers: ["first", "other-worker"] });
    expect(result).toEqual({ writers: ["first", "other-worker", "updater"] });
    expect(await h.rt.store.getJson<Doc>(path)).toEqual({ writers: ["first", "other-worker", "updater"] });
  });

  it("the ETag it returns is the one of the text it returned", async () => {
    const path = "tests/etag.json";
    await h.rt.store.put(path, JSON.stringify({ writers: ["a"] }));
    const got = (await h.rt.store.getText(path))!;
    const props = await h.rt.store.container.getBlockBlobClient(path).getProperties();
    expect(got.etag).toBe(props.etag);
    expect(got.etag).not.toBe("");
    await h.rt.store.put(path, JSON.stringify({ writers: ["b"] }));
    const again = (await h.rt.store.getText(path))!;
    expect(JSON.parse(again.text)).toEqual({ writers: ["b"] });
    expect(again.etag).not.toBe(got.etag);
  });

  it("parallel writers lose no update", async () => {
    const path = "tests/parallel.json";
    const names = ["w1", "w2", "w3", "w4", "w5", "w6"];
    await Promise.all(names.map((n) => h.rt.store.update<Doc>(path, (cur) => ({ writers: [...(cur?.writers ?? []), n] }))));
    const final = await h.rt.store.getJson<Doc>(path);
    expect([...final!.writers].sort()).toEqual(names);
  });

  it("a missing blob reads as undefined and is created once (ifNoneMatch)", async () => {
    expect(await h.rt.store.getText("tests/absent.json")).toBeUndefined();
    const created = await h.rt.store.update<Doc>("tests/created.json", (cur) => ({ writers: [...(cur?.writers ?? []), "creator"] }));
    expect(created).toEqual({ writers: ["creator"] });
    expect((await h.rt.store.getText("tests/created.json"))!.text).toBe(JSON.stringify(created, null, 2));
  });
});
