"""Result rows in the file Kestra's `fetchType: STORE` writes (FileSerde): one Ion struct per
line, null columns included, written by Kestra's Ion mapper (runtime/pebble/ion_writer.py),
with what that writer leaves to the caller: byte arrays as Ion blobs and OffsetDateTimes
(datetimes in a `datetime.timezone`) annotated as such.

`output_value` is a row's value as a task output holds it once Kestra has serialised it:
byte arrays become their Base64 text.
"""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterable

from ..pebble.ion_writer import ion_symbol, to_ion_text
from ..pebble.java import iso_text


def ion_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{ion_symbol(str(k))}:{ion_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(ion_value(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "{{" + base64.b64encode(bytes(value)).decode("ascii") + "}}"
    if isinstance(value, datetime) and isinstance(value.tzinfo, timezone) and type(value) is datetime:
        return f'OffsetDateTime::"{iso_text(value)}"'
    return to_ion_text(value)


def write_rows(rows: Iterable[dict], out: IO[str]) -> int:
    """Write `rows`, one per line; return how many."""
    count = 0
    for row in rows:
        out.write(ion_value(row))
        out.write("\n")
        count += 1
    return count


def store_rows(rows: Iterable[dict], path: Path) -> int:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        return write_rows(rows, out)


def output_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: output_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [output_value(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value
