/**
 * The sweep's durable state, in the Function's own storage account: run manifests and per-batch
 * partial results (Blob), the audit reports (written once: `ifNoneMatch: "*"`), the `latest.json`
 * pointer (optimistic concurrency on its ETag), per-app rotation locks (Blob leases) and the work
 * queues. Completion of a run is decided from Blob state, never from memory.
 */
import type { ContainerClient } from "@azure/storage-blob";
import { isRestError } from "@azure/core-rest-pipeline";
import type { QueueServiceClient } from "@azure/storage-queue";
import type { RotationLock } from "../rotation/ports.js";

function status(err: unknown): number | undefined {
  if (isRestError(err)) return err.statusCode;
  const s = (err as { statusCode?: unknown }).statusCode;
  return typeof s === "number" ? s : undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export class RunStore {
  private ready: Promise<unknown> | undefined;

  constructor(readonly container: ContainerClient) {}

  private ensure(): Promise<unknown> {
    this.ready ??= this.container.createIfNotExists();
    return this.ready;
  }

  /** Writes a blob only if it does not exist yet; false when it already did (another worker won). */
  async putOnce(path: string, body: string, contentType: string): Promise<boolean> {
    await this.ensure();
    try {
      await this.container
        .getBlockBlobClient(path)
        .upload(body, Buffer.byteLength(body), { conditions: { ifNoneMatch: "*" }, blobHTTPHeaders: { blobContentType: contentType } });
      return true;
    } catch (err) {
      if (status(err) === 409) return false;
      throw err;
    }
  }

  async put(path: string, body: string, contentType = "application/json"): Promise<void> {
    await this.ensure();
    await this.container
      .getBlockBlobClient(path)
      .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: contentType } });
  }

  /**
   * The blob's text and the ETag of exactly that text: ONE download answers both, so `update()` never
   * writes against an ETag newer than what it read (a separate getProperties could see a later write).
   */
  async getText(path: string): Promise<{ text: string; etag: string } | undefined> {
    await this.ensure();
    try {
      const res = await this.container.getBlockBlobClient(path).download();
      const text = res.readableStreamBody ? (await readAll(res.readableStreamBody)).toString("utf8") : "";
      return { text, etag: res.etag ?? "" };
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  async getJson<T>(path: string): Promise<T | undefined> {
    const got = await this.getText(path);
    return got ? (JSON.parse(got.text) as T) : undefined;
  }

  async list(prefix: string): Promise<string[]> {
    await this.ensure();
    const names: string[] = [];
    for await (const b of this.container.listBlobsFlat({ prefix })) names.push(b.name);
    return names;
  }

  /** Read-modify-write of a small JSON document, retried when another writer changed it meanwhile. */
  async update<T>(path: string, change: (current: T | undefined) => T): Promise<T> {
    await this.ensure();
    for (let attempt = 0; attempt < 10; attempt++) {
      const got = await this.getText(path);
      const next = change(got ? (JSON.parse(got.text) as T) : undefined);
      const body = JSON.stringify(next, null, 2);
      try {
        await this.container.getBlockBlobClient(path).upload(body, Buffer.byteLength(body), {
          conditions: got ? { ifMatch: got.etag } : { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
        return next;
      } catch (err) {
        if (status(err) !== 412 && status(err) !== 409) throw err;
      }
    }
    throw new Error(`could not update ${path}: too many concurrent writers`);
  }
}

/**
 * A per-key lock on a Blob lease (60 s, renewed while the work runs). A crashed holder's lease expires
 * on its own, so a lock can never be stuck for longer than a minute.
 */
export class BlobLeaseLock implements RotationLock {
  constructor(
    private readonly store: RunStore,
    private readonly prefix = "locks/",
    private readonly renewEveryMs = 30_000,
  ) {}

  async withLock<T>(key: string, work: (lease: { held(): boolean }) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const path = `${this.prefix}${key}`;
    await this.store.putOnce(path, "", "text/plain");
    const lease = this.store.container.getBlockBlobClient(path).getBlobLeaseClient();
    try {
      await lease.acquireLease(60);
    } catch (err) {
      if (status(err) === 409) return { ran: false };
      throw err;
    }
    // A failed renewal means another run may hold the lease by now: never swallowed, the work sees it before its next write.
    let held = true;
    const renew = setInterval(() => {
      if (held) void lease.renewLease().catch(() => (held = false));
    }, this.renewEveryMs);
    try {
      return { ran: true, value: await work({ held: () => held }) };
    } finally {
      clearInterval(renew);
      await lease.releaseLease().catch(() => undefined);
    }
  }
}

/** Sends JSON messages the way the Functions queue trigger reads them by default (base64). */
export class WorkQueues {
  private readonly created = new Map<string, Promise<unknown>>();

  constructor(private readonly service: QueueServiceClient) {}

  async send(queue: string, message: unknown): Promise<void> {
    const client = this.service.getQueueClient(queue);
    if (!this.created.has(queue)) this.created.set(queue, client.createIfNotExists());
    await this.created.get(queue);
    const text = JSON.stringify(message);
    if (Buffer.byteLength(text) > 48 * 1024)
      throw new Error(`queue message for ${queue} is ${Buffer.byteLength(text)} bytes; lower batchSize`);
    await client.sendMessage(Buffer.from(text, "utf8").toString("base64"));
  }
}
