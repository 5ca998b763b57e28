"""Java path patterns (runtime/globs.py), as FileSystem.getPathMatcher and Kestra's
PathMatcherPredicate match them."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from runtime.globs import GlobError, anywhere, glob_matcher, glob_to_regex, path_matcher, under


@pytest.mark.parametrize("glob, path, matches", [
    ("*.txt", "a.txt", True), ("*.txt", "d/a.txt", False), ("**/*.txt", "d/e/a.txt", True),
    ("**/*.txt", "a.txt", False), ("**", "a/b", True), ("**.txt", "d/e/a.txt", True),
    ("?.c", "ab.c", False), ("?.c", "a.c", True), ("?", "/", False),
    ("[a-c]x", "bx", True), ("[!a-c]x", "bx", False), ("[!a-c]x", "dx", True), ("[!a]", "/", False),
    ("{a,b}*", "bz", True), ("{a,b}*", "cz", False), ("{a,b/c}.x", "b/c.x", True), ("a,b}", "a,b}", True),
    (r"\*.md", "*.md", True), (r"\*.md", "a.md", False), (r"\q", "q", True),
    ("a+b(c)", "a+b(c)", True), ("a.c", "abc", False), ("a]", "a]", True),
    # '^' first in a class is a literal '^', not a negation
    ("[^]x", "^x", True), ("[^a]", "a", True), ("[^a]", "b", False),
    # a hyphen first (after '!') or last is literal
    ("[-a]", "-", True), ("[!-]", "-", False), ("[!-]", "x", True), ("[a-]", "-", True),
    # '\', '[' and '&' are literal inside a class
    ("[\\]", "\\", True), ("[[]", "[", True), ("[&&a]", "&", True),
])
def test_glob_matcher(glob, path, matches):
    assert glob_matcher(glob)(path) is matches


@pytest.mark.parametrize("glob, problem", [
    ("a{b", "missing '}'"), ("{a,{b}}", "cannot nest groups"), ("[ab", "missing ']'"),
    ("a\\", "no character to escape"), ("[a/b]", "explicit 'name separator' in class"),
    ("[z-a]", "invalid range"), ("[]", "empty class"), ("[!]", "empty class"),
    # Java refuses a range that starts where another one ended, or a '-' with nothing before
    # it (the two copies flowc had before accepted both, as Python's classes do)
    ("[a-c-e]", "invalid range"), ("[--0]", "invalid range"), ("[^-a]", "invalid range"),
])
def test_globs_java_refuses_are_refused(glob, problem):
    with pytest.raises(GlobError) as failed:
        glob_to_regex(glob)
    assert str(failed.value) == f"Invalid pattern '{glob}': {problem}"


def test_errors_name_the_pattern_as_written():
    with pytest.raises(GlobError, match=r"^Invalid pattern 'glob:\[ab': missing '\]'$"):
        path_matcher("glob:[ab")
    with pytest.raises(GlobError, match=r"^Invalid pattern 'regex:\(': missing \)"):
        path_matcher("regex:(")
    with pytest.raises(GlobError, match=r"^Invalid pattern 'a\{b': missing '\}'$"):
        under("/w", ["a{b"])


def test_double_star_stops_at_line_terminators_as_javas_dot():
    # Java's `.` (behind `**`) does not match \n, \r, \u0085, \u2028 or \u2029; `*` does
    for terminator in "\n\r\u0085\u2028\u2029":
        assert not glob_matcher("**")(f"a{terminator}b")
        assert glob_matcher("*")(f"a{terminator}b")


@given(st.text(alphabet=st.characters(blacklist_characters="*?[]{}\\,/", blacklist_categories=("Cs",)), min_size=1))
def test_a_glob_without_metacharacters_matches_only_itself(name):
    assert glob_matcher(name)(name)
    assert not glob_matcher(name)(name + "x")


def test_under_a_base_directory():
    matches = under("/w/dir", ["*.txt", "/rooted.md", "sub/**", "glob:**/*.csv", r"regex:.*/\d+\.log"])
    assert matches("/w/dir/a.txt")
    assert not matches("/w/dir/d/a.txt")  # `*` stays in one directory
    assert not matches("/elsewhere/a.txt")
    assert matches("/w/dir/rooted.md")  # a leading '/' is the base directory
    assert matches("/w/dir/sub/x/y")
    assert matches("/anywhere/x.csv")  # `glob:` and `regex:` match the absolute path
    assert matches("/w/dir/42.log") and not matches("/w/dir/x.log")


def test_under_keeps_a_double_slash_as_java_does():
    # Kestra builds `glob:<base>//x`, which no path (with single separators) matches; the
    # scripts copy stripped one '/' (same), the LocalFiles copy stripped them all (matched)
    assert not under("/w", ["//x"])("/w/x")


def test_under_takes_the_base_literally():
    assert under("/w/[x]{y}", ["*.txt"])("/w/[x]{y}/a.txt")
    assert not under("/w/[x]{y}", ["*.txt"])("/w/x/a.txt")


def test_anywhere_puts_a_word_glob_at_any_depth():
    matches = anywhere(["main.py", "conf/**"])
    assert matches("/main.py") and matches("/lib/main.py")
    assert matches("/conf/a.yml") and matches("/x/conf/a.yml")
    assert not anywhere(["*.py"])("/main.py")  # a glob not starting with a word character stays as is
    assert anywhere(["/*.py"])("/main.py")
    # Java's \w is ASCII: a name starting with 'é' is not put at any depth
    assert anywhere(["é.py"])("é.py") and not anywhere(["é.py"])("/d/é.py")
    assert anywhere(["regex:.*\\.md"])("/d/notes.md")
