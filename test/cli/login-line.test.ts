import { describe, expect, it } from "vitest";
import { AzureLoginError } from "../../shared/azure/login-error.js";
import { loginFailureLine, triedCredentials } from "../../shared/cli/login-line.js";

/** DefaultAzureCredential's aggregate: one error per member, worded as @azure/identity words them. */
function chainError(head: string): AzureLoginError {
  const errors = [
    new Error("EnvironmentCredential is unavailable. Environment variables are not fully configured."),
    new Error("WorkloadIdentityCredential: is unavailable. No AZURE_FEDERATED_TOKEN_FILE."),
    new Error("ManagedIdentityCredential: Network unreachable. Message: connect ECONNREFUSED 127.0.0.1:9"),
    new Error("Please run 'az login' from a command prompt to authenticate before using this credential."),
    new Error("Azure Developer CLI couldn't be found. To mitigate this issue, see the troubleshooting guidelines."),
  ];
  return new AzureLoginError(head, { cause: { errors } });
}

describe("the one sign-in failure line", () => {
  it("names Azure CLI when its error only says to run 'az login'", () => {
    expect(triedCredentials(chainError("x"))).toBe(
      "environment variables (AZURE_* variables not set), Workload Identity (AZURE_FEDERATED_TOKEN_FILE not set), " +
        "managed identity (no endpoint reachable), Azure CLI (not signed in), Azure Developer CLI (not installed)",
    );
  });

  it("keeps the fix whole however long the SDK's message is", () => {
    const line = loginFailureLine(chainError(`the gate could not sign in to Azure (${"x".repeat(2000)})`));
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toContain("Tried: environment variables");
    expect(line.endsWith("the identity needs Reader on the subscriptions (docs/config.md).")).toBe(true);
    expect(line.length).toBeLessThan(1000);
  });
});
