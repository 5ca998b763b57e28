"""The cache of `flowc check`: each file's result, kept under `.flowc_cache/` at the project
root and reused while nothing it depends on has changed.

A result is reused when its key matches: a hash of the file's bytes, the path it is shown
as, flowc itself (its version and the size and time of each of its source and schema files,
so an upgrade or an edit of flowc empties the cache, and the Python and libraries it runs
on), the settings that change what the
stages report (target version, strict) and the contents of the in-house schema
directories. Rule selection and suppressions are not part of it: they are applied, like the
cross-flow pass, over the whole project on every run, so a change of a called flow updates
its callers' diagnostics although their files did not change.

`FLOWC_CACHE_DIR` puts it elsewhere (e.g. a directory a CI job keeps between runs).
One JSON file per flowc version holds an entry per file (by its path under the project
root); it is replaced atomically, and entries of files that no longer exist are dropped
when it is written. An unreadable or malformed cache is an empty one: never an error.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

from . import __version__
from .result_data import FORMAT

DIRECTORY = ".flowc_cache"
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by flowc.\n"
        "# For information about cache directory tags see https://bford.info/cachedir/\n")
_SOURCES = ("compiler", "runtime", "schemas")  # the packages whose files decide what a check reports
_LIBRARIES = ("yaml", "jsonschema", "lark", "networkx")  # an upgrade may change what they report
_SUFFIXES = (".py", ".json", ".lark")


class Cache:
    """The cache of the project at `root`, in `directory` (default: `root/.flowc_cache`)."""

    def __init__(self, root: Path, directory: Path | None = None) -> None:
        self.root = root.resolve()
        self.directory = directory or self.root / DIRECTORY
        self.file = self.directory / __version__ / "check.json"
        self._entries: dict | None = None
        self._touched: set[str] = set()
        self._changed = False

    # -- keys

    @staticmethod
    def context(settings, schema_dirs: tuple[Path, ...]) -> str:
        """What, besides a file, decides its result: flowc and one configuration's options
        (what compiler.parallel.check gives the checker besides the bytes and path; anything
        new given there belongs here too)."""
        digest = hashlib.sha256(f"{FORMAT}\0{flowc_fingerprint()}\0{settings.target_version}\0{settings.strict}".encode())
        for directory in schema_dirs:
            for path in sorted(Path(directory).glob("*.json")):  # as the registry reads them
                digest.update(f"\0{path}\0".encode("utf-8", "surrogatepass"))
                try:
                    digest.update(path.read_bytes())
                except OSError:
                    digest.update(b"\0unreadable")
        return digest.hexdigest()

    @staticmethod
    def key(context: str, display: str, data: bytes) -> str:
        digest = hashlib.sha256(f"{context}\0{display}\0".encode("utf-8", "surrogatepass"))
        digest.update(data)
        return digest.hexdigest()

    # -- entries

    def get(self, path: Path, key: str) -> dict | None:
        """The stored result of the file at `path` if it was stored under `key`."""
        slot = self._slot(path)
        self._touched.add(slot)
        entry = self._load().get(slot)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], dict):
            return entry[1]
        return None

    def put(self, path: Path, key: str, data: dict) -> None:
        slot = self._slot(path)
        self._touched.add(slot)
        self._load()[slot] = [key, data]
        self._changed = True

    def forget(self, path: Path) -> None:
        """Drop the entry of a file (its stored result could not be read back)."""
        if self._load().pop(self._slot(path), None) is not None:
            self._changed = True

    def save(self) -> None:
        """Write the entries if any changed; a cache that cannot be written is skipped."""
        if not self._changed:
            return
        entries = self._load()
        for slot in [s for s in entries if s not in self._touched]:
            if not (self.root / slot).exists():
                del entries[slot]
        try:
            self._prepare()
            handle, temporary = tempfile.mkstemp(prefix="check.", suffix=".tmp", dir=self.file.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump({"format": FORMAT, "entries": entries}, out, separators=(",", ":"))
                mask = os.umask(0)
                os.umask(mask)
                os.chmod(temporary, 0o666 & ~mask)  # as any other file (mkstemp makes it private)
                os.replace(temporary, self.file)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return  # a read-only checkout, a full disk: the next run checks again
        self._changed = False

    def _slot(self, path: Path) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()

    def _load(self) -> dict:
        if self._entries is None:
            self._entries = {}
            try:
                with open(self.file, encoding="utf-8") as handle:
                    stored = json.load(handle)
            except (OSError, ValueError):
                return self._entries  # none yet, or unreadable: start again
            if isinstance(stored, dict) and stored.get("format") == FORMAT and isinstance(stored.get("entries"), dict):
                self._entries = stored["entries"]
        return self._entries

    def _prepare(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by flowc\n*\n")):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text, "utf-8")


_fingerprint: str | None = None


def flowc_fingerprint() -> str:
    """flowc's version, the size and modification time of each file of its packages, and the
    Python and libraries it runs on (an upgrade rewrites a library's `__init__.py`)."""
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
        for library in _LIBRARIES:
            spec = importlib.util.find_spec(library)
            origin = spec.origin if spec else None
            try:
                stat = os.stat(origin) if origin else None
            except OSError:
                stat = None
            digest.update(f"{library}\0{origin}\0{stat and stat.st_size}\0{stat and stat.st_mtime_ns}\0".encode("utf-8", "surrogatepass"))
        for package in _SOURCES:
            spec = importlib.util.find_spec(package)
            for top in (spec.submodule_search_locations or []) if spec else []:
                for root, dirs, files in os.walk(top):
                    dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                    for name in sorted(files):
                        if name.endswith(_SUFFIXES):
                            path = os.path.join(root, name)
                            try:
                                stat = os.stat(path)
                            except OSError:
                                continue
                            digest.update(f"{package}/{os.path.relpath(path, top)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode("utf-8", "surrogatepass"))
        _fingerprint = digest.hexdigest()
    return _fingerprint
