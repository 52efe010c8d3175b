/**
 * The Python probe (`python3 -c …`), for Django images: the app already ships azure-identity,
 * azure-storage-blob and azure-keyvault-secrets, so the probe exercises the very SDK `migrate` uses.
 * It authenticates as the Workload Identity only (WorkloadIdentityCredential; older azure-identity
 * releases do the same token exchange inside ManagedIdentityCredential when AZURE_FEDERATED_TOKEN_FILE
 * is set), lists/reads each Blob container (and, for `access: write`, creates and deletes one marker blob
 * under `.azure-auth-gate/`), reads each needed secret keeping only its properties, and
 * prints ONE JSON line.
 *
 * Secret values: `get_secret` is the call the app makes, so it is the only faithful test of the `get`
 * permission; the value is dropped on the spot and never printed. Blob names are not printed either.
 */
export const PYTHON_PROBE = String.raw`
import base64, json, os, sys
plan = json.loads(os.environ.get("AAG_PROBE_PLAN") or "{}")
out = {"azureAuthGateProbe": 1, "runtime": "python", "identity": None, "token": None, "blob": [], "keyVault": []}

def short(s):
    return " ".join(str(s if s is not None else "").split())[:500]

def assertion_claims(path):
    try:
        with open(path) as f:
            part = f.read().strip().split(".")[1]
        p = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return {"iss": p.get("iss"), "sub": p.get("sub"), "aud": p.get("aud")}
    except Exception:
        return None

def failure(e):
    err = getattr(e, "error", None)
    inner = getattr(err, "innererror", None)
    inner_code = inner.get("code") if isinstance(inner, dict) else getattr(inner, "code", None)
    code = getattr(e, "error_code", None) or getattr(err, "code", None)
    return {"ok": False, "status": getattr(e, "status_code", None), "code": code, "innerCode": inner_code, "name": type(e).__name__, "message": short(getattr(e, "message", None) or e)}

def main():
    try:
        from azure.identity import ManagedIdentityCredential
        from azure.keyvault.secrets import SecretClient
        from azure.storage.blob import BlobServiceClient
    except ImportError as e:
        out["setup"] = {"ok": False, "message": "cannot load the Azure SDK for Python (azure-identity, azure-storage-blob, azure-keyvault-secrets): " + short(e)}
        return
    env = os.environ
    missing = [k for k in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST") if not env.get(k)]
    token_file = env.get("AZURE_FEDERATED_TOKEN_FILE")
    out["identity"] = {"clientId": env.get("AZURE_CLIENT_ID"), "tenantId": env.get("AZURE_TENANT_ID"), "authorityHost": env.get("AZURE_AUTHORITY_HOST"), "missing": missing, "assertion": assertion_claims(token_file) if token_file else None}
    if missing:
        out["token"] = {"ok": False, "name": "NotInjected", "message": "Workload Identity was not injected into the pod: " + ", ".join(missing) + " not set"}
        return
    try:
        from azure.identity import WorkloadIdentityCredential
        credential = WorkloadIdentityCredential()
    except (ImportError, TypeError, ValueError):
        credential = ManagedIdentityCredential(client_id=env["AZURE_CLIENT_ID"])
    try:
        credential.get_token(plan["tokenScope"])
        out["token"] = {"ok": True}
    except Exception as e:
        out["token"] = {"ok": False, "name": type(e).__name__, "message": short(getattr(e, "message", None) or e)}
        return
    for b in plan.get("blob", []):
        entry = {"account": b["account"], "container": b["container"]}
        try:
            container = BlobServiceClient(b["url"], credential=credential, retry_total=1).get_container_client(b["container"])
            page = next(container.list_blobs(results_per_page=5).by_page(), [])
            items = list(page)
            entry["listed"] = len(items)
            if items:
                container.get_blob_client(items[0].name).get_blob_properties()
                entry["read"] = True
            entry["ok"] = True
        except Exception as e:
            entry.update(failure(e))
        out["blob"].append(entry)
        if b.get("write"):
            # As the app writes: one small blob under the gate's reserved prefix, deleted again straight away.
            w = {"account": b["account"], "container": b["container"], "operation": "write", "marker": b["write"]}
            try:
                blob = BlobServiceClient(b["url"], credential=credential, retry_total=1).get_blob_client(b["container"], b["write"])
                blob.upload_blob(b"azure-auth-gate probe marker: safe to delete\n", overwrite=True)
                w["ok"] = True
                try:
                    blob.delete_blob()
                    w["cleaned"] = True
                except Exception as e:
                    w["cleaned"] = False
                    w["cleanup"] = failure(e)
            except Exception as e:
                w.update(failure(e))
            out["blob"].append(w)
    for v in plan.get("keyVault", []):
        client = SecretClient(v["url"], credential, verify_challenge_resource=not plan.get("disableChallengeResourceVerification", False), retry_total=1)
        for name in v.get("secrets", []):
            entry = {"vault": v["vault"], "secret": name}
            try:
                props = client.get_secret(name).properties
                entry.update({"ok": True, "enabled": props.enabled, "expiresOn": props.expires_on.isoformat() if props.expires_on else None})
            except Exception as e:
                entry.update(failure(e))
            out["keyVault"].append(entry)
        if v.get("list"):
            entry = {"vault": v["vault"], "secret": None, "operation": "list"}
            try:
                page = next(client.list_properties_of_secrets(max_page_size=5).by_page(), [])
                entry.update({"ok": True, "listed": len(list(page))})
            except Exception as e:
                entry.update(failure(e))
            out["keyVault"].append(entry)

try:
    main()
except Exception as e:
    out["setup"] = {"ok": False, "message": "the probe crashed: " + short(e)}
print(json.dumps(out), flush=True)
`;
