/**
 * A tracked ARM resource type the emulator serves (managed clusters, identities, storage accounts,
 * vaults): how to enumerate it from the state, how to render it, and what lives below it.
 */
import type { SandboxResponse } from "../../contract.js";
import type { TenantState } from "../../state.js";
import type { ArmCall } from "./common.js";

export interface TrackedResource {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

/** A resource addressed by a request path, resolved lazily so authorization can run before the 404 checks (as in ARM). */
export interface ResourceTarget<T extends TrackedResource> {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** The resource id as the request spelled it: the authorization scope. */
  requestId: string;
  /** Finds the resource group and the resource, or throws ResourceGroupNotFound / ResourceNotFound. */
  resolve(): T;
}

export interface ResourceKind<T extends TrackedResource = TrackedResource> {
  /** e.g. "Microsoft.ContainerService" */
  namespace: string;
  /** e.g. "managedClusters" */
  type: string;
  apiVersions: readonly string[];
  all(state: TenantState): T[];
  toJson(call: ArmCall, resource: T): Record<string, unknown>;
  /** Sub-resources and POST actions below the resource; `rest` is the path after the resource name. */
  child?(call: ArmCall, target: ResourceTarget<T>, rest: string[]): SandboxResponse;
}

/** Erases the concrete state type so kinds can share one registry. */
export function defineKind<T extends TrackedResource>(kind: ResourceKind<T>): ResourceKind {
  return kind as unknown as ResourceKind;
}

export function fullType(kind: ResourceKind): string {
  return `${kind.namespace}/${kind.type}`;
}
