"""Internal storage on the local disk: `kestra:///` URIs and the files they name.

Kestra names an execution's files
`kestra:///<namespace as path>/<flow-id>/executions/<execution-id>/<rest>`; flowc keeps them
inside that execution's run directory, `<runs>/<namespace>/<flow-id>/<execution-id>/files/<rest>`,
so a run directory holds everything the run produced. Any other URI (namespace files, ...)
lives under `<runs>/../storage/<path>`.
"""
from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

SCHEME = "kestra://"


class StorageError(Exception):
    """A URI that names no file, or that is not an internal-storage URI."""


class Storage:
    def __init__(self, runs: Path) -> None:
        self.runs = Path(runs)

    # ------------------------------------------------------------------ naming

    @staticmethod
    def execution_prefix(namespace: str, flow_id: str, execution_id: str) -> str:
        return f"{SCHEME}/{namespace.replace('.', '/')}/{flow_id}/executions/{execution_id}"

    def run_dir(self, namespace: str, flow_id: str, execution_id: str) -> Path:
        return self.runs / namespace / flow_id / execution_id

    def path(self, uri: str) -> Path:
        """The local file a `kestra:///` URI names (whether or not it exists)."""
        if not isinstance(uri, str) or not uri.startswith(SCHEME + "/"):
            raise StorageError(f"'{uri}' is not an internal storage URI (kestra:///...)")
        parts = PurePosixPath(uri[len(SCHEME) + 1:]).parts
        if any(p in ("..", ".") for p in parts) or not parts:
            raise StorageError(f"'{uri}' is not a valid internal storage URI")
        if "executions" in parts:
            at = parts.index("executions")
            if at >= 2 and len(parts) > at + 1:
                namespace, flow_id, execution_id = ".".join(parts[:at - 1]), parts[at - 1], parts[at + 1]
                return self.run_dir(namespace, flow_id, execution_id) / "files" / Path(*parts[at + 2:])
        return self.runs.parent / "storage" / Path(*parts)

    # ------------------------------------------------------------------ files

    def put(self, uri: str, source: Path | bytes | str) -> str:
        """Store `source` (a local file, bytes or text) at `uri`; return the URI."""
        target = self.path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        elif isinstance(source, str):
            target.write_text(source, encoding="utf-8")
        else:
            target.write_bytes(source)
        return uri

    def get(self, uri: str) -> Path:
        """The local file of an existing URI."""
        path = self.path(uri)
        if not path.is_file():
            raise StorageError(f"Unable to find file '{uri}' in the internal storage")
        return path

    def read_bytes(self, uri: str) -> bytes:
        return self.get(uri).read_bytes()

    def read_text(self, uri: str) -> str:
        return self.get(uri).read_text(encoding="utf-8")

    def size(self, uri: str) -> int:
        return self.get(uri).stat().st_size

    def delete(self, uri: str) -> bool:
        path = self.path(uri)
        if path.is_file():
            path.unlink()
            return True
        return False
