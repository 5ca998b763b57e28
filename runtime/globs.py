"""Path patterns as Kestra matches files: Java's `FileSystem.getPathMatcher` (`glob:` and
`regex:` syntaxes, Unix flavour) behind Kestra's `PathMatcherPredicate`.

A glob translates to a regular expression matched against a whole '/'-separated path, as
Java's `Globs.toRegexPattern` builds it: `*` and `?` stay inside one name, `**` crosses
directories, `[...]` / `[!...]` classes (with `-` ranges, never `/`), `{a,b}` alternatives (not
nested), `\\` escapes. Malformed globs are refused where Java refuses them.

Two ways of using a list of patterns, as Kestra's `PathMatcherPredicate`:
* `under(base, patterns)`: a bare glob is relative to `base` (`/` is added between them, or
  kept when the glob starts with one); `glob:` and `regex:` patterns match the absolute path.
  (Kestra writes the base into the glob unescaped; flowc takes it literally, so a directory
  whose name holds glob characters still matches its own files.)
* `anywhere(patterns)`: no base; a bare glob starting with a word character matches at any
  depth (`**/` is put in front of it).
"""
from __future__ import annotations

import re
from pathlib import PurePath
from typing import Callable, Iterable

__all__ = ["GlobError", "glob_to_regex", "glob_matcher", "path_matcher", "under", "anywhere"]

Matcher = Callable[[str], bool]

GLOB = "glob:"
REGEX = "regex:"
# Java's `.` (in `**`'s `.*`) stops at line terminators, unlike Python's, which stops at \n only.
_ANY_DEPTH = r"[^\n\r\u0085\u2028\u2029]*"
_EOL = ""  # Java's `next()` past the end of the pattern


class GlobError(ValueError):
    """A pattern Java would refuse; the message names the pattern and the problem."""


def _invalid(pattern: str, problem: str) -> GlobError:
    return GlobError(f"Invalid pattern '{pattern}': {problem}")


def glob_to_regex(glob: str, pattern: str | None = None) -> str:
    """A Java glob as a Python regular expression for `fullmatch`. `pattern` is the entry as
    the user wrote it, named by the error raised for a malformed glob."""
    shown = glob if pattern is None else pattern
    out: list[str] = []
    in_group = False
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        i += 1
        if c == "\\":
            if i == n:
                raise _invalid(shown, "no character to escape")
            out.append(re.escape(glob[i]))
            i += 1
        elif c == "[":
            i = _class(glob, i, out, shown)
        elif c == "{":
            if in_group:
                raise _invalid(shown, "cannot nest groups")
            out.append("(?:(?:")
            in_group = True
        elif c == "}" and in_group:
            out.append("))")
            in_group = False
        elif c == "," and in_group:
            out.append(")|(?:")
        elif c == "*":
            if glob.startswith("*", i):
                out.append(_ANY_DEPTH)
                i += 1
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(c))
    if in_group:
        raise _invalid(shown, "missing '}'")
    return "".join(out)


def _class(glob: str, i: int, out: list[str], shown: str) -> int:
    """Translate the class whose '[' ends at `i`; return the index after its ']'."""
    n = len(glob)
    negate = False
    items: list[str] = []
    if glob.startswith("^", i):  # a literal '^' (Java escapes it), and no '!' or '-' handling
        items.append(r"\^")
        i += 1
    else:
        if glob.startswith("!", i):
            negate = True
            i += 1
        if glob.startswith("-", i):  # a hyphen first is literal
            items.append(r"\-")
            i += 1
    has_range_start = False
    last = ""
    closed = False
    while i < n:
        c = glob[i]
        i += 1
        if c == "]":
            closed = True
            break
        if c == "/":
            raise _invalid(shown, "explicit 'name separator' in class")
        if c != "-":
            items.append(re.escape(c))
            has_range_start, last = True, c
            continue
        if not has_range_start:
            raise _invalid(shown, "invalid range")
        end = glob[i] if i < n else _EOL
        i += 1
        if end == _EOL or end == "]":  # a hyphen last is literal
            items.append(r"\-")
            closed = end == "]"
            break
        if end < last:
            raise _invalid(shown, "invalid range")
        items[-1] = f"{re.escape(last)}-{re.escape(end)}"
        has_range_start = False
    if not closed:
        raise _invalid(shown, "missing ']'")
    if not items:  # Java builds a regular expression it then refuses
        raise _invalid(shown, "empty class")
    out.append("(?!/)[" + ("^" if negate else "") + "".join(items) + "]")
    return i


def _compile(regex: str, pattern: str) -> Matcher:
    try:
        compiled = re.compile(regex)
    except re.error as e:
        raise _invalid(pattern, str(e)) from None
    return lambda path: compiled.fullmatch(path) is not None


def glob_matcher(glob: str) -> Matcher:
    """A matcher of whole '/'-separated paths for a Java glob (without `glob:`)."""
    return _compile(glob_to_regex(glob), glob)


def path_matcher(pattern: str) -> Matcher:
    """Java's `getPathMatcher` for a `glob:...` or `regex:...` pattern."""
    if pattern.startswith(REGEX):
        return _compile(pattern[len(REGEX):], pattern)
    if pattern.startswith(GLOB):
        return _compile(glob_to_regex(pattern[len(GLOB):], pattern), pattern)
    raise _invalid(pattern, "expected a 'glob:' or 'regex:' prefix")


def _has_syntax(pattern: str) -> bool:
    return pattern.startswith((GLOB, REGEX))


def under(base: str | PurePath, patterns: Iterable[str]) -> Matcher:
    """Whether an absolute path matches any of `patterns`, bare globs being relative to `base`."""
    prefix = re.escape(PurePath(base).as_posix().rstrip("/"))

    def bare(glob: str) -> str:
        return prefix + glob_to_regex(glob if glob.startswith("/") else "/" + glob, glob)
    return _any_of(patterns, bare)


def anywhere(patterns: Iterable[str]) -> Matcher:
    """Whether a path matches any of `patterns`; a bare glob that starts with a word character
    (ASCII, as Java's `\\w`) matches at any depth."""
    def bare(glob: str) -> str:
        return glob_to_regex("**/" + glob if re.match("[A-Za-z0-9_]", glob) else glob, glob)
    return _any_of(patterns, bare)


def _any_of(patterns: Iterable[str], bare: Callable[[str], str]) -> Matcher:
    """Any of `patterns`: `glob:`/`regex:` ones as Java reads them, others as `bare(pattern)`
    (a regular expression) says."""
    matchers = [path_matcher(p) if _has_syntax(p) else _compile(bare(p), p) for p in patterns]
    return lambda path: any(m(path) for m in matchers)
