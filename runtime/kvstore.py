"""The KV store and the state store that runs on one machine share, kept on disk.

Layout: `<root>/<namespace>/<key>.json`, one JSON document per entry holding the value, its
Kestra type (`KVType`: STRING, NUMBER, BOOLEAN, DATETIME, DATE, DURATION, JSON), an optional
description and the creation, update and expiration dates.

Concurrency: every write goes to a temporary file in the same directory and is moved over the
entry with `os.replace`, so a reader sees the old document or the new one, never a mix.
Read-modify-write operations (overwrite=false, expiry clean-up, state merges) hold a lock file
of the namespace (`flock` on POSIX, `msvcrt.locking` on Windows) so runs in other threads or
processes cannot interleave with them. Plain reads take no lock.

As in Kestra, the state store (`io.kestra.plugin.core.state.*`) keeps its entries in the KV
store of the flow's namespace, under keys such as `my-flow_states_tasks-states_default`.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

from .durations import format_duration, parse_duration
from .pebble.printing import to_string
from .pebble.values import INT_MAX, INT_MIN, Instant, Int32

KV_TYPES = ("STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON")

# Kestra's KVStore.KEY_VALIDATOR_PATTERN (ASCII letters and digits only).
_KEY = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]*")
_KEY_RULE = (
    "Key must start with an alphanumeric character (uppercase or lowercase) and can contain "
    "alphanumeric characters (uppercase or lowercase), dots (.), underscores (_), and hyphens (-) only."
)
# A flow's namespace (AbstractFlow): also keeps a namespace a single safe directory name.
_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9._-]*")
# InternalKVStore.DURATION_PATTERN: a stored string of this shape is read back as a Duration.
_DURATION_TEXT = re.compile(r"P(?=[^T]|T.)(?:\d*D)?(?:T(?=.)(?:\d*H)?(?:\d*M)?(?:\d*S)?)?")

_SUFFIX = ".json"


class KVStoreError(Exception):
    """A KV store operation Kestra would refuse; the message is Kestra's."""


class KVKeyExists(KVStoreError):
    """`overwrite` is false and the key already has a value."""


class KVExpired(KVStoreError):
    """The entry's TTL has passed (Kestra deletes it and fails the read)."""


@dataclass(frozen=True)
class KVEntry:
    key: str
    value: Any
    type: str
    description: str | None
    creation_date: datetime
    update_date: datetime
    expiration_date: datetime | None


def kv_type_of(value: Any) -> str:
    """Kestra's `KVType.from`: the type an entry gets from its value."""
    if value is None or isinstance(value, str):
        return "STRING"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, (int, float, Decimal)):
        return "NUMBER"
    if isinstance(value, datetime):
        return "DATETIME"
    if isinstance(value, date):
        return "DATE"
    if isinstance(value, timedelta):
        return "DURATION"
    return "JSON"


def validate_key(key: Any) -> str:
    if key is None or key == "":
        raise KVStoreError("Key cannot be null or empty")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise KVStoreError(_KEY_RULE)
    return key


def validate_namespace(namespace: Any) -> str:
    if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace):
        raise KVStoreError(
            f"Invalid namespace '{namespace}': a namespace starts with a lowercase letter or a digit "
            "and contains only lowercase letters, digits, dots, underscores and hyphens"
        )
    return namespace


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class KVStore:
    """Namespaced key-value entries under `root`, shared by every run that uses the same root.

    `clock` returns the current time as an aware datetime; tests inject one to expire entries
    without sleeping.
    """

    def __init__(self, root: Path, clock: Callable[[], datetime] = _utcnow) -> None:
        self.root = Path(root)
        self._clock = clock

    # ------------------------------------------------------------------ reads

    def entry(self, namespace: str, key: str) -> KVEntry | None:
        """The entry of `key`, or None when there is none. An expired entry is deleted and
        reported with KVExpired, as Kestra's `getValue` does."""
        path = self._path(namespace, key)
        doc = self._read(path)
        if doc is None:
            return None
        entry = _entry(key, doc)
        if self._expired(entry):
            with self._locked(namespace):
                again = self._read(path)
                if again is not None and self._expired(_entry(key, again)):
                    path.unlink(missing_ok=True)
            raise KVExpired("The requested value has expired")
        return entry

    def get(self, namespace: str, key: str) -> Any:
        """The value of `key`; None when missing (raises KVExpired when it expired)."""
        found = self.entry(namespace, key)
        return None if found is None else found.value

    def exists(self, namespace: str, key: str) -> bool:
        """Whether `key` has a live (not expired) entry."""
        doc = self._read(self._path(namespace, key))
        return doc is not None and not self._expired(_entry(key, doc))

    def keys(self, namespace: str, prefix: str | None = None) -> list[str]:
        """The live keys of `namespace` starting with `prefix`, sorted."""
        directory = self._dir(namespace)
        if not directory.is_dir():
            return []
        found = []
        for path in directory.iterdir():
            name = path.name
            # temporary files and the lock start with a dot, which no key can
            if not name.endswith(_SUFFIX) or name.startswith("."):
                continue
            key = name[: -len(_SUFFIX)]
            if prefix is not None and not key.startswith(prefix):
                continue
            doc = self._read(path)
            if doc is not None and not self._expired(_entry(key, doc)):
                found.append(key)
        return sorted(found)

    # ------------------------------------------------------------------ writes

    def set(
        self,
        namespace: str,
        key: str,
        value: Any,
        ttl: timedelta | None = None,
        overwrite: bool = True,
        description: str | None = None,
    ) -> None:
        """Store `value` (its type is kept, see `kv_type_of`). A `ttl` makes the entry expire;
        `overwrite=False` refuses a key that already has a live value."""
        if ttl is not None and ttl < timedelta(0):
            raise KVStoreError("ttl cannot be negative")
        path = self._path(namespace, key)
        kv_type = kv_type_of(value)
        encoded = _encode_top(value, kv_type)
        now = self._clock()
        with self._locked(namespace):
            try:
                previous = self._read(path)
                alive = previous is not None and not self._expired(_entry(key, previous))
            except KVStoreError:
                if not overwrite:
                    raise
                previous, alive = None, False  # a corrupt entry is simply replaced
            if alive and not overwrite:
                raise KVKeyExists(
                    f"Cannot set value for key '{key}'. Key already exists and `overwrite` is set to `false`."
                )
            doc = {
                "key": key,
                "type": kv_type,
                "value": encoded,
                "description": description,
                "creationDate": previous["creationDate"] if alive else _iso(now),
                "updateDate": _iso(now),
                "expirationDate": _iso(now + ttl) if ttl is not None else None,
            }
            self._write(path, doc)

    def delete(self, namespace: str, key: str) -> bool:
        """Remove `key`; whether there was an entry to remove."""
        path = self._path(namespace, key)
        with self._locked(namespace):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            return True

    def update(self, namespace: str, key: str, change: Callable[[Any], Any]) -> Any:
        """Atomically replace the value of `key` with `change(current)` (current is None when
        missing or expired); returns the new value. Keeps the entry's description, drops any TTL."""
        path = self._path(namespace, key)
        with self._locked(namespace):
            previous = self._read(path)
            current = None
            if previous is not None:
                entry = _entry(key, previous)
                current = None if self._expired(entry) else entry.value
            new = change(current)
            kv_type = kv_type_of(new)
            now = self._clock()
            self._write(path, {
                "key": key,
                "type": kv_type,
                "value": _encode_top(new, kv_type),
                "description": previous.get("description") if previous else None,
                "creationDate": previous["creationDate"] if previous else _iso(now),
                "updateDate": _iso(now),
                "expirationDate": None,
            })
            return new

    # ------------------------------------------------------------------ files

    def _dir(self, namespace: str) -> Path:
        return self.root / validate_namespace(namespace)

    def _path(self, namespace: str, key: str) -> Path:
        return self._dir(namespace) / (validate_key(key) + _SUFFIX)

    def _expired(self, entry: KVEntry) -> bool:
        return entry.expiration_date is not None and self._clock() > entry.expiration_date

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            doc = json.loads(text)
        except ValueError:
            raise KVStoreError(f"The KV entry '{path}' is corrupt: it is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("type") not in KV_TYPES:
            raise KVStoreError(f"The KV entry '{path}' is corrupt: it is not a KV document")
        return doc

    @staticmethod
    def _write(path: Path, doc: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @contextmanager
    def _locked(self, namespace: str) -> Iterator[None]:
        directory = self._dir(namespace)
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / ".lock", "a+b") as handle:
            _lock(handle)
            try:
                yield
            finally:
                _unlock(handle)


def lookup_for_expression(store: KVStore, namespace: str, key: str, error_on_missing: bool) -> Any:
    """What Kestra's `kv()` Pebble function returns (for the engine's render services)."""
    found = store.entry(namespace, key)
    if found is None and error_on_missing:
        raise KVStoreError(f"The key '{key}' does not exist in the namespace '{namespace}'.")
    return None if found is None else found.value


# ---------------------------------------------------------------------- locking

try:
    import fcntl

    def _lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _lock(handle) -> None:
        while True:
            try:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                time.sleep(0.01)

    def _unlock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


# ---------------------------------------------------------------------- values on disk

def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse_iso(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)


def _entry(key: str, doc: dict) -> KVEntry:
    try:
        return KVEntry(
            key=key,
            value=_decode_top(doc["value"], doc["type"]),
            type=doc["type"],
            description=doc.get("description"),
            creation_date=_parse_iso(doc["creationDate"]),
            update_date=_parse_iso(doc["updateDate"]),
            expiration_date=_parse_iso(doc.get("expirationDate")),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise KVStoreError(f"The KV entry '{key}' is corrupt: {e}") from None


def _encode_top(value: Any, kv_type: str) -> Any:
    """The JSON form of a value; dates and durations as ISO-8601 text, the type says which."""
    if kv_type == "DATETIME":
        if value.tzinfo is not None:
            return _iso(value)
        return value.isoformat()
    if kv_type == "DATE":
        return value.isoformat()
    if kv_type == "DURATION":
        return format_duration(value)
    return _encode_nested(value)


def _encode_nested(value: Any) -> Any:
    """JSON values as they are; others as Kestra would print them in a JSON document."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else to_string(k): _encode_nested(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode_nested(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, (date, dtime)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_duration(value)
    raise KVStoreError(f"A value of type {type(value).__name__} cannot be stored in the KV store")


def _decode_top(raw: Any, kv_type: str) -> Any:
    if kv_type == "DATETIME":
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            return moment
        u = moment.astimezone(timezone.utc)
        return Instant(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=timezone.utc)
    if kv_type == "DATE":
        return date.fromisoformat(raw)
    if kv_type == "DURATION":
        return _duration(raw)
    if isinstance(raw, str) and _DURATION_TEXT.fullmatch(raw):
        # Kestra reads back any string shaped like an ISO duration as a Duration
        parsed = parse_duration(raw)
        if parsed is not None:
            return parsed
    return _decode_nested(raw)


def _duration(raw: str) -> timedelta:
    parsed = parse_duration(raw)
    if parsed is None:
        raise ValueError(f"'{raw}' is not a duration")
    return parsed


def _decode_nested(raw: Any) -> Any:
    """Numbers come back as Kestra reads them: an integer that fits 32 bits is an Integer."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int):
        return Int32(raw) if INT_MIN <= raw <= INT_MAX else raw
    if isinstance(raw, dict):
        return {k: _decode_nested(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_decode_nested(v) for v in raw]
    return raw


# ---------------------------------------------------------------------- state store

class StateNotFound(KVStoreError):
    """No state under that name (Kestra's FileNotFoundException)."""


class StateStore:
    """Kestra's `StateStore` as the state tasks use it: a JSON map per state, kept in the KV
    store of the flow's namespace. Pass the KV store itself, or its root directory (two stores
    on the same root see the same entries)."""

    def __init__(self, kv: KVStore | Path, clock: Callable[[], datetime] = _utcnow) -> None:
        self.kv = kv if isinstance(kv, KVStore) else KVStore(Path(kv), clock)

    @staticmethod
    def key(
        flow_id: str,
        name: str,
        *,
        flow_scoped: bool = True,
        taskrun_value: str | None = None,
        state_name: str = "tasks-states",
    ) -> str:
        """The KV key of a state: `[<flow slug>_]states_<state name>_<name>[_<hash of value>]`."""
        prefix = f"{slugify(flow_id)}_" if flow_scoped and flow_id is not None else ""
        key = f"{prefix}states_{state_name}_{name}"
        if taskrun_value is not None:
            key += "_" + murmur3_128_hex(taskrun_value)
        return key

    def get(self, namespace: str, flow_id: str, name: str, **scope) -> dict:
        """The state's map; StateNotFound when there is none."""
        key = self.key(flow_id, name, **scope)
        found = self.kv.entry(namespace, key)
        if found is None:
            raise StateNotFound(f"State {key} not found")
        return _state_map(found.value, key)

    def merge(self, namespace: str, flow_id: str, name: str, data: dict, **scope) -> tuple[str, dict]:
        """Deep-merge `data` into the state (Kestra's `MapUtils.merge`), atomically; returns the
        key and the merged map."""
        key = self.key(flow_id, name, **scope)
        merged: dict = {}

        def change(current: Any) -> str:
            nonlocal merged
            base = {} if current is None else _state_map(current, key)
            merged = merge_maps(base, data)
            return json.dumps(_encode_nested(merged), ensure_ascii=False, separators=(",", ":"))

        self.kv.update(namespace, key, change)
        return key, merged

    def delete(self, namespace: str, flow_id: str, name: str, **scope) -> bool:
        return self.kv.delete(namespace, self.key(flow_id, name, **scope))


def _state_map(stored: Any, key: str) -> dict:
    if isinstance(stored, dict):
        return stored
    try:
        data = json.loads(stored) if isinstance(stored, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise KVStoreError(f"The state {key} does not hold a JSON object")
    return _decode_nested(data)


def merge_maps(a: dict | None, b: dict | None) -> dict:
    """Kestra's `MapUtils.merge`: maps merge recursively, lists concatenate, a null in `b`
    keeps `a`'s value, anything else in `b` wins."""
    if not a:
        return dict(b or {})
    if not b:
        return dict(a)
    out = dict(a)
    for k, value in b.items():
        original = out.get(k)
        if value is None:
            out[k] = original
        elif original is None:
            out[k] = value
        elif isinstance(value, dict) and isinstance(original, dict):
            out[k] = merge_maps(original, value)
        elif isinstance(value, (list, tuple)) and isinstance(original, (list, tuple)):
            out[k] = [*original, *value]
        else:
            out[k] = value
    return out


def slugify(text: str) -> str:
    """Kestra's `Slugify.of`."""
    text = re.sub(r"\s", "-", text)
    text = unicodedata.normalize("NFD", text)
    text = re.sub(r"[^a-zA-Z0-9_-]", "", text)  # Java's \w is ASCII
    text = text.replace("_", "-")
    while "--" in text:
        text = text.replace("--", "-")
    text = text.removeprefix("-").removesuffix("-")
    return text.lower()


_M64 = 0xFFFFFFFFFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & _M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & _M64
    return k ^ (k >> 33)


def murmur3_128_hex(text: str) -> str:
    """Guava's `murmur3_128().hashString(text, UTF_8).toString()` (Kestra's `Hashing.hashToString`):
    MurmurHash3 x64 128-bit, seed 0, bytes of h1 then h2, little-endian, in hex."""
    data = text.encode("utf-8")
    c1, c2 = 0x87C37B91114253D5, 0x4CF5AD432745937F
    h1 = h2 = 0
    blocks = len(data) // 16
    for i in range(blocks):
        k1 = int.from_bytes(data[16 * i: 16 * i + 8], "little")
        k2 = int.from_bytes(data[16 * i + 8: 16 * i + 16], "little")
        h1 ^= (_rotl((k1 * c1) & _M64, 31) * c2) & _M64
        h1 = (_rotl(h1, 27) + h2) & _M64
        h1 = (h1 * 5 + 0x52DCE729) & _M64
        h2 ^= (_rotl((k2 * c2) & _M64, 33) * c1) & _M64
        h2 = (_rotl(h2, 31) + h1) & _M64
        h2 = (h2 * 5 + 0x38495AB5) & _M64
    tail = data[16 * blocks:]
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], "little")
        h2 ^= (_rotl((k2 * c2) & _M64, 33) * c1) & _M64
    if tail:
        k1 = int.from_bytes(tail[:8], "little")
        h1 ^= (_rotl((k1 * c1) & _M64, 31) * c2) & _M64
    h1 ^= len(data)
    h2 ^= len(data)
    h1 = (h1 + h2) & _M64
    h2 = (h2 + h1) & _M64
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _M64
    h2 = (h2 + h1) & _M64
    return (h1.to_bytes(8, "little") + h2.to_bytes(8, "little")).hex()
