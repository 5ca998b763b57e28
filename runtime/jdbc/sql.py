"""SQL text as Kestra's JDBC tasks treat it before the database sees it.

* `split_statements`: the statements of a script, split on `;` as Kestra's SqlSplitter does:
  never inside quotes ('...', "...", `...`, [...]), comments (-- and /* */), dollar-quoted
  bodies ($$...$$, $tag$...$tag$) or BEGIN ... END blocks (SQLite triggers); the `;` that ends a
  statement is dropped. On purpose, unlike Kestra: a statement of comments only is no
  statement, BEGIN as a statement's first word is a transaction statement (not a block),
  and the END of a CASE expression does not end a block.
* `bind_named`: Kestra's named parameters: each `:name` in the SQL (Java's `:\\w+`, found
  anywhere, as Kestra does) becomes the driver's positional placeholder, bound to the value
  of `name` in `parameters` (null when it has none).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

_WORD = re.compile(r"\w+")
_DOLLAR_TAG = re.compile(r"\$\w*\$")
_NAMED = re.compile(r":\w+", re.ASCII)
_QUOTES = {"'": "'", '"': '"', "`": "`", "[": "]"}


def _skip_quoted(sql: str, i: int, close: str) -> int:
    """The index after the quoted text opening at `i` (a doubled closing quote is part of it)."""
    j = i + 1
    while True:
        j = sql.find(close, j)
        if j == -1:
            return len(sql)
        if sql.startswith(close * 2, j):
            j += 2
            continue
        return j + 1


def split_statements(sql: str) -> list[str]:
    statements: list[str] = []
    start, i, n = 0, 0, len(sql)
    depth = case_depth = 0  # BEGIN ... END blocks, CASE ... END expressions
    after_end = False  # an END was read in a block; the next `;` closes the block
    first_word: str | None = None
    content = False  # the current statement has more than comments and spaces

    def end_statement(stop: int) -> None:
        nonlocal start, first_word, case_depth, content
        if content:
            statements.append(sql[start:stop].strip())
        start, first_word, case_depth, content = stop + 1, None, 0, False

    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = n if newline == -1 else newline + 1
            continue
        if sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            i = n if close == -1 else close + 2
            continue
        content = content or not (c.isspace() or c == ";")
        if c in _QUOTES:
            i = _skip_quoted(sql, i, _QUOTES[c])
            after_end = False
            continue
        if c == "$":
            tag = _DOLLAR_TAG.match(sql, i)
            if tag:
                close = sql.find(tag.group(), tag.end())
                i = n if close == -1 else close + len(tag.group())
                after_end = False
                continue
        word = _WORD.match(sql, i)
        if word:
            w = word.group().upper()
            if first_word is None:
                first_word = w
            if w == "CASE" and not after_end:
                case_depth += 1
            elif w == "BEGIN" and first_word != "BEGIN":
                depth += 1
                after_end = False
            elif w == "END":
                if case_depth:
                    case_depth -= 1
                else:
                    after_end = depth > 0
            elif after_end and w in ("IF", "LOOP", "CASE"):
                after_end = False  # END IF / END LOOP / END CASE end no block
            i = word.end()
            continue
        if c == ";":
            if depth and after_end:
                depth -= 1
                after_end = False
                if depth == 0:
                    end_statement(i)
            elif depth == 0:
                end_statement(i)
        elif not c.isspace():
            after_end = False
        i += 1
    if content:
        statements.append(sql[start:].strip())
    return statements


def bind_named(sql: str, parameters: Mapping[str, Any] | None, placeholder: str = "?",
               escape_percent: bool = False) -> tuple[str, list[Any] | None]:
    """The SQL with its `:name` parameters replaced by `placeholder`, and the values to bind,
    in order; no parameters (none, or an empty map) leave the SQL as it is, with nothing to
    bind. `escape_percent` doubles `%` for drivers whose placeholder is `%s`."""
    if not parameters:
        return sql, None
    names: list[str] = []

    def replace(match: re.Match) -> str:
        names.append(match.group()[1:])
        return placeholder

    if escape_percent:
        sql = sql.replace("%", "%%")
    return _NAMED.sub(replace, sql), [parameters.get(name) for name in names]
