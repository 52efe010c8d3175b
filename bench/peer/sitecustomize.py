# Loaded by the benchmark's `az` only (PYTHONPATH=bench/peer); changes no system file and no HTTP call.
#
# 1. Debian's azure-cli 2.45 ships azure-mgmt-authorization 3.0, whose *Operations classes keep their
#    configuration in `_config`; az's role commands still read `.config` and crash on any non-empty
#    `az role assignment list` (stack.md). Alias it.
# 2. `az aks show` post-processes the cluster with `_remove_nulls`, which assumes the response has a
#    `servicePrincipalProfile` (real AKS sends `{"clientId": "msi"}` for managed-identity clusters; the
#    sandbox's cluster JSON has none yet) and crashes otherwise. Tolerate a missing profile.
import importlib.abc
import sys


def _alias_config(module):
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__name__.endswith("Operations") and not hasattr(value, "config"):
            value.config = property(lambda self: self._config)


class _NoProfile:
    def __getattr__(self, name):
        return None

    def __delattr__(self, name):
        pass


def _tolerate_missing_sp_profile(module):
    original = getattr(module, "_remove_nulls", None)
    if original is None:
        return

    def _remove_nulls(managed_clusters):
        holes = [mc for mc in managed_clusters if getattr(mc, "service_principal_profile", 1) is None]
        for mc in holes:
            mc.service_principal_profile = _NoProfile()
        try:
            return original(managed_clusters)
        finally:
            for mc in holes:
                mc.service_principal_profile = None

    module._remove_nulls = _remove_nulls


def _hook_for(name):
    if name.startswith("azure.mgmt.authorization.") and name.endswith("_operations"):
        return _alias_config
    if name == "azure.cli.command_modules.acs.custom":
        return _tolerate_missing_sp_profile
    return None


class _PostLoadPatches(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        hook = _hook_for(name)
        if hook is None:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None:
            return spec
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            hook(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _PostLoadPatches())
