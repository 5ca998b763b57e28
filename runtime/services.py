"""What an execution offers expressions (`secret()`, `kv()`, `read()`, `fileSize()`,
`errorLogs()`) and tasks (the KV and state stores), on the local machine.

Secrets follow Kestra open source: `secret('NAME')` is the base64-decoded value of the
environment variable `SECRET_NAME`. Every secret read is masked in the logs from then on.
"""
from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from .storage import Storage


class SecretError(Exception):
    pass


class Services:
    def __init__(self, namespace: str, storage: Storage, log, home: Path, environ=None) -> None:
        self.namespace = namespace
        self.storage = storage
        self.log = log
        self.home = Path(home)  # `.flowc`: where the KV and state stores live
        self.environ = os.environ if environ is None else environ
        self._kv = None
        self._state = None

    # ------------------------------------------------------------------ expressions

    def secret(self, key: str, namespace: str | None = None) -> str:
        raw = self.environ.get(f"SECRET_{key}")
        if raw is None:
            raise SecretError(f"Cannot find secret for key '{key}': set the environment variable "
                              f"SECRET_{key} to its value encoded in base64")
        try:
            value = base64.b64decode(raw.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise SecretError(f"the environment variable SECRET_{key} is not base64 (Kestra reads secrets "
                              "from base64-encoded SECRET_ variables)") from None
        self.log.secrets.add(value)
        return value

    @property
    def kv_store(self):
        if self._kv is None:
            from .kvstore import KVStore

            self._kv = KVStore(self.home / "kv")
        return self._kv

    @property
    def state_store(self):
        if self._state is None:
            from .kvstore import StateStore

            self._state = StateStore(self.kv_store)
        return self._state

    def kv(self, key: str, namespace: str | None, error_on_missing: bool):
        from .kvstore import lookup_for_expression

        return lookup_for_expression(self.kv_store, namespace or self.namespace, key, error_on_missing)

    def read(self, path: str) -> str:
        """An internal-storage file, or a namespace file of the flow's namespace (kept under
        `<home>/storage/<namespace as path>/_files/`)."""
        if path.startswith("kestra:///"):
            return self.storage.read_text(path)
        if "../" in path:
            raise ValueError("Path must not contain '../'")
        uri = f"kestra:///{self.namespace.replace('.', '/')}/_files/{path.lstrip('/')}"
        try:
            return self.storage.read_text(uri)
        except Exception:
            raise FileNotFoundError(f"Unable to read the namespace file '{path}': put it in "
                                    f"{self.storage.path(uri)}") from None

    def file_size(self, path: str) -> int:
        return self.storage.size(path)

    def error_logs(self) -> list:
        return list(self.log.errors)
