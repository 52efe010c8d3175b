"""A Django-shaped app start-up, as the seeds' backends do it, with the real Azure SDK for Python.

Django initialises its storage backend and settings during `manage.py migrate`: DefaultAzureCredential(),
a SecretClient for settings secrets and a BlobServiceClient for the media container. This program does
exactly that and prints ONE JSON line describing what the SDK experienced, so the sandbox's tests can
assert that the real Python SDK is refused (or served) the way Azure would refuse (or serve) it.

Environment (the pod's own, as its manifest declares it):
  APP_KEYVAULT_URL, APP_SECRET_NAMES (comma separated), APP_BLOB_ACCOUNT_URL, APP_BLOB_CONTAINER
Never prints a secret value: only its length.
"""
import json
import os
import sys


def main() -> int:
    out = {"credential": None, "token": None, "secrets": {}, "blob": None}
    try:
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
        from azure.identity import DefaultAzureCredential
        from azure.keyvault.secrets import SecretClient
        from azure.storage.blob import BlobServiceClient
    except ImportError as exc:  # the test skips when python3-azure is missing
        out["error"] = f"import: {exc}"
        print(json.dumps(out))
        return 3

    credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
    try:
        token = credential.get_token("https://vault.azure.net/.default")
        out["token"] = {"ok": True, "expires_on": token.expires_on}
    except ClientAuthenticationError as exc:
        out["token"] = {"ok": False, "message": str(exc)}
        print(json.dumps(out))
        return 1

    vault_url = os.environ.get("APP_KEYVAULT_URL")
    if vault_url:
        secrets = SecretClient(vault_url, credential, verify_challenge_resource=False)
        for name in filter(None, os.environ.get("APP_SECRET_NAMES", "").split(",")):
            try:
                value = secrets.get_secret(name).value or ""
                out["secrets"][name] = {"ok": True, "length": len(value)}
            except HttpResponseError as exc:
                code = getattr(getattr(exc, "error", None), "code", None)
                out["secrets"][name] = {"ok": False, "status": exc.status_code, "code": code}

    account_url = os.environ.get("APP_BLOB_ACCOUNT_URL")
    container = os.environ.get("APP_BLOB_CONTAINER")
    if account_url and container:
        blobs = BlobServiceClient(account_url, credential=credential)
        try:
            names = [b.name for b in blobs.get_container_client(container).list_blobs()]
            out["blob"] = {"ok": True, "count": len(names)}
        except HttpResponseError as exc:
            out["blob"] = {"ok": False, "status": exc.status_code, "code": exc.error_code}

    print(json.dumps(out))
    failed = any(not s["ok"] for s in out["secrets"].values()) or (out["blob"] is not None and not out["blob"]["ok"])
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
