/**
 * Real Azurite behind the authorizing blob proxy, driven by the REAL @azure/storage-blob and
 * @azure/storage-queue clients: RBAC data actions, the storage firewall, authentication failures,
 * Azurite's own 404s, and the queue service with shared key and OAuth.
 */
import { RestError } from "@azure/core-rest-pipeline";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient, StorageSharedKeyCredential } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAzurite, startAzurite, type Azurite } from "../sandbox/azurite.js";
import { clusterSourceAddress, startEgressProxy } from "../sandbox/network.js";
import { blobProxyService } from "../sandbox/services/blob-proxy.js";
import type { TenantState } from "../sandbox/state.js";
import { assign, baseState, cluster, openNetwork, P, storageAccount, SUBNET } from "./fixtures.js";
import { contextFor, credentialFor, mintAccessToken, placeholderUrls, serveHandler, testTls, type Served } from "./data-plane-server.js";

let azurite: Azurite;
let proxy: Served;
let state: TenantState;

const service = (account: string, oid: string) =>
  new BlobServiceClient(`${proxy.url}/${account}`, credentialFor(state, oid), { retryOptions: { maxTries: 1 } });

async function refusal(p: Promise<unknown>): Promise<{ status: number | undefined; code: string | undefined }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RestError);
    // Streamed operations (downloads) leave the body unread: the SDK exposes the code only as a header.
    const e = err as RestError;
    return { status: e.statusCode, code: e.code ?? e.response?.headers.get("x-ms-error-code") };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  const tls = testTls();
  state = baseState({
    clusters: [cluster("aks1")],
    storageAccounts: [
      storageAccount("appstore", {
        containers: ["media", "uploads"],
        blobs: { "media/logo.txt": "hello logo", "media/docs/readme.md": "# readme" },
      }),
      storageAccount("lockedstore", {
        containers: ["data"],
        blobs: { "data/a.txt": "a" },
        network: openNetwork({ defaultAction: "Deny", virtualNetworkRules: [SUBNET] }),
      }),
    ],
  });
  const acct = (n: string) => state.storageAccounts.find((a) => a.name === n)!.id;
  state.roleAssignments.push(
    assign(P.writer, "blobContributor", acct("appstore")),
    assign(P.reader, "blobReader", `${acct("appstore")}/blobServices/default/containers/media`),
    assign(P.reader, "blobReader", acct("lockedstore")),
  );
  [azurite, proxy] = await Promise.all([
    startAzurite({ certPath: tls.certFile, keyPath: tls.keyFile, accounts: state.storageAccounts.map((a) => a.name) }),
    serveHandler("blob", { rawBody: true }),
  ]);
  await seedAzurite(azurite, state);
  proxy.setHandler(
    blobProxyService(contextFor(state, placeholderUrls({ blob: proxy.url, authorityHost: "https://127.0.0.1:7443" })), azurite),
  );
});

afterAll(async () => {
  await Promise.all([proxy?.close(), azurite?.stop()]);
});

describe("allowed requests reach Azurite", () => {
  it("lists and downloads the scenario's seeded blobs as a Storage Blob Data Reader", async () => {
    const media = service("appstore", P.reader).getContainerClient("media");
    const names = [];
    for await (const b of media.listBlobsFlat()) names.push(b.name);
    expect(names.sort()).toEqual(["docs/readme.md", "logo.txt"]);
    const body = await media.getBlobClient("logo.txt").downloadToBuffer();
    expect(body.toString()).toBe("hello logo");
    const props = await media.getBlobClient("docs/readme.md").getProperties();
    expect(props.contentLength).toBe(8);
  });

  it("uploads, lists, downloads and deletes as a Storage Blob Data Contributor", async () => {
    const uploads = service("appstore", P.writer).getContainerClient("uploads");
    await uploads.getBlockBlobClient("report.json").upload('{"ok":true}', 11);
    const names = [];
    for await (const b of uploads.listBlobsFlat()) names.push(b.name);
    expect(names).toContain("report.json");
    expect((await uploads.getBlobClient("report.json").downloadToBuffer()).toString()).toBe('{"ok":true}');
    await uploads.getBlobClient("report.json").delete();
    expect(await uploads.getBlobClient("report.json").exists()).toBe(false);
  });

  it("creates a container with the control-plane containers/write permission", async () => {
    const c = service("appstore", P.writer).getContainerClient("new-container");
    await c.create();
    expect(await c.exists()).toBe(true);
  });

  it("forwards Azurite's own 404 for a missing container", async () => {
    const c = service("appstore", P.writer).getContainerClient("does-not-exist");
    const r = await refusal(c.getBlockBlobClient("x.txt").upload("x", 1));
    expect(r).toEqual({ status: 404, code: "ContainerNotFound" });
  });
});

describe("refusals", () => {
  it("refuses a reader's upload with AuthorizationPermissionMismatch", async () => {
    const media = service("appstore", P.reader).getContainerClient("media");
    expect(await refusal(media.getBlockBlobClient("hack.txt").upload("x", 1))).toEqual({
      status: 403,
      code: "AuthorizationPermissionMismatch",
    });
  });

  it("scopes a container-level assignment to that container", async () => {
    const uploads = service("appstore", P.reader).getContainerClient("uploads");
    expect(await refusal(uploads.listBlobsFlat().next())).toEqual({ status: 403, code: "AuthorizationPermissionMismatch" });
  });

  it("refuses a principal without any role, and a reader creating a container", async () => {
    expect(await refusal(service("appstore", P.nobody).getContainerClient("media").getBlobClient("logo.txt").downloadToBuffer())).toEqual({
      status: 403,
      code: "AuthorizationPermissionMismatch",
    });
    expect(await refusal(service("appstore", P.reader).getContainerClient("readers-box").create())).toEqual({
      status: 403,
      code: "AuthorizationPermissionMismatch",
    });
  });

  it("answers the storage error XML with the request id and time", async () => {
    const token = mintAccessToken(state, { oid: P.nobody, aud: "https://storage.azure.com" });
    const res = await fetch(`${proxy.url}/appstore/media/logo.txt`, {
      headers: { authorization: `Bearer ${token}`, "x-ms-version": "2025-01-05" },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-ms-error-code")).toBe("AuthorizationPermissionMismatch");
    expect(await res.text()).toMatch(
      /<Error><Code>AuthorizationPermissionMismatch<\/Code><Message>This request is not authorized to perform this operation using this permission\.\nRequestId:[0-9a-f-]{36}\nTime:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z<\/Message><\/Error>$/,
    );
  });

  it("challenges a request without a token and refuses a token for another audience", async () => {
    const anon = await fetch(`${proxy.url}/appstore/media?restype=container&comp=list`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get("x-ms-error-code")).toBe("NoAuthenticationInformation");
    expect(anon.headers.get("www-authenticate")).toBe(
      `Bearer authorization_uri=https://127.0.0.1:7443/${state.tenantId}/oauth2/authorize resource_id=https://storage.azure.com`,
    );

    const wrong = new BlobServiceClient(`${proxy.url}/appstore`, credentialFor(state, P.writer, { aud: "https://vault.azure.net" }), {
      retryOptions: { maxTries: 1 },
    });
    expect(await refusal(wrong.getContainerClient("media").listBlobsFlat().next())).toEqual({
      status: 401,
      code: "InvalidAuthenticationInfo",
    });
  });

  it("refuses callers from the internet at a firewalled account with AuthorizationFailure, admits the cluster's subnet", async () => {
    const data = service("lockedstore", P.reader).getContainerClient("data");
    expect(await refusal(data.getBlobClient("a.txt").downloadToBuffer())).toEqual({ status: 403, code: "AuthorizationFailure" });
    const egress = await startEgressProxy({ localAddress: clusterSourceAddress(state, "aks1") });
    try {
      const port = Number(new URL(egress.url).port);
      const viaCluster = new BlobServiceClient(`${proxy.url}/lockedstore`, credentialFor(state, P.reader), {
        proxyOptions: { host: "http://127.0.0.1", port },
        retryOptions: { maxTries: 1 },
      });
      expect((await viaCluster.getContainerClient("data").getBlobClient("a.txt").downloadToBuffer()).toString()).toBe("a");
    } finally {
      await egress.close();
    }
  });
});

describe("queue service", () => {
  it("works with the account's shared key", async () => {
    const qs = new QueueServiceClient(
      `${azurite.queueUrl}/appstore`,
      new StorageSharedKeyCredential("appstore", azurite.accountKey("appstore")),
    );
    const q = qs.getQueueClient("fanout");
    await q.create();
    await q.sendMessage("check:backend");
    const got = await q.receiveMessages();
    expect(got.receivedMessageItems.map((m) => m.messageText)).toEqual(["check:backend"]);
  });

  it("works with an OAuth token (Azurite checks audience and issuer) and refuses a wrong key", async () => {
    const qs = new QueueServiceClient(`${azurite.queueUrl}/appstore`, credentialFor(state, P.writer));
    await qs.getQueueClient("oauth-queue").create();
    const names = [];
    for await (const q of qs.listQueues()) names.push(q.name);
    expect(names).toContain("oauth-queue");
    const bad = new QueueServiceClient(
      `${azurite.queueUrl}/appstore`,
      new StorageSharedKeyCredential("appstore", azurite.accountKey("other")),
      { retryOptions: { maxTries: 1 } },
    );
    // Azurite's own answer (the queue service is not fronted by the sandbox): 400 InvalidAuthenticationInfo.
    expect((await refusal(bad.getQueueClient("never-created").create())).code).toBe("InvalidAuthenticationInfo");
    expect(await qs.getQueueClient("never-created").exists()).toBe(false);
  });
});
