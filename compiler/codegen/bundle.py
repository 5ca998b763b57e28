"""`flowc compile --bundle`: the script carries flowc's runtime with it.

The runtime's modules are embedded as source text, and an import hook placed first on
`sys.meta_path` serves `runtime.*` from them, so the script runs on any Python >= 3.11 with
nothing installed, and always with the runtime it was compiled against.
"""
from __future__ import annotations

from pathlib import Path

import runtime

MARKER = "from runtime.flowspec import"

LOADER = '''
import importlib.abc as _abc
import importlib.util as _util
import sys as _sys


class _BundledRuntime(_abc.MetaPathFinder, _abc.Loader):
    """Serves the `runtime` package from the sources bundled below."""

    def find_spec(self, name, path=None, target=None):
        if name not in _RUNTIME:
            return None
        is_package = _RUNTIME[name][0]
        return _util.spec_from_loader(name, self, is_package=is_package)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        is_package, source = _RUNTIME[module.__name__]
        if is_package:
            module.__path__ = []
        # flowc's own runtime sources, bundled at compile time
        exec(compile(source, "<flowc runtime " + module.__name__ + ">", "exec"), module.__dict__)


_sys.meta_path.insert(0, _BundledRuntime())
'''


def runtime_sources() -> dict[str, tuple[bool, str]]:
    """Module name -> (is a package, source) for every module of the runtime, sorted."""
    root = Path(runtime.__file__).resolve().parent
    sources = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(root.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = (is_package, path.read_text(encoding="utf-8"))
        for depth in range(1, len(parts)):  # a directory without __init__.py is a package too
            sources.setdefault(".".join(parts[:depth]), (True, ""))
    return dict(sorted(sources.items()))


def bundle(source: str) -> str:
    """The generated script `source` with the runtime inlined before its first import of it."""
    at = source.index(MARKER)
    lines = ["_RUNTIME = {"]
    for name, (is_package, text) in runtime_sources().items():
        lines.append(f"    {name!r}: ({is_package!r}, {text!r}),")
    lines.append("}")
    result = source[:at] + "\n".join(lines) + "\n" + LOADER + "\n" + source[at:]
    compile(result, "<bundled script>", "exec")
    return result
