# Loaded by the benchmark's `az` only (PYTHONPATH=bench/peer); changes no system file and no HTTP call.
#
# 1. Debian's azure-cli 2.45 ships azure-mgmt-authorization 3.0, whose *Operations classes keep their
#    configuration in `_config`; az's role commands still read `.config` and crash on any non-empty
#    `az role assignment list` (stack.md). Alias it.
import importlib.abc
import sys


def _alias_config(module):
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__name__.endswith("Operations") and not hasattr(value, "config"):
            value.config = property(lambda self: self._config)


def _hook_for(name):
    if name.startswith("azure.mgmt.authorization.") and name.endswith("_operations"):
        return _alias_config
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
