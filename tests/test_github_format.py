"""`--format github`: GitHub Actions workflow commands, exactly as GitHub documents them
(https://docs.github.com/actions/reference/workflow-commands-for-github-actions):

    ::error file={name},line={line},col={col},endLine={endLine},endColumn={endColumn},title={title}::{message}

with `%`, CR and LF escaped in the message, and `:` and `,` too in property values (as
@actions/core's escapeData and escapeProperty do)."""
import re

import pytest

from compiler.checker import check_bytes, check_text
from compiler.diagnostics import Diagnostic, Severity, Span, find_rule
from compiler.reporters import Report, render

from .conftest import FIXTURES

S101 = find_rule("S101")


def github(*diagnostics) -> str:
    return render("github", Report(files=sorted({d.file for d in diagnostics}), diagnostics=list(diagnostics)))


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def unescape_data(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def unescape_property(text: str) -> str:
    return text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def parse(line: str) -> tuple[str, dict, str]:
    """One workflow command: its name, its properties (unescaped), its message (unescaped)."""
    m = _COMMAND.match(line)
    assert m, line
    props = {}
    for item in m.group(2).split(","):
        key, _, value = item.partition("=")
        assert key not in props
        props[key] = unescape_property(value)
    return m.group(1), props, unescape_data(m.group(3))


# --------------------------------------------------------------------------- exact lines


def test_error_line_exactly():
    d = Diagnostic(S101, "unknown property `mesage` for Log", "flows/hello.yaml", Span(8, 5, 8, 11))
    assert github(d) == "::error file=flows/hello.yaml,line=8,col=5,endLine=8,endColumn=11,title=S101 unknown-property::unknown property `mesage` for Log\n"


def test_help_goes_on_a_second_message_line():
    d = Diagnostic(S101, "unknown property `mesage`", "a.yaml", Span(2, 3, 2, 9), help="did you mean `message`?")
    assert github(d) == "::error file=a.yaml,line=2,col=3,endLine=2,endColumn=9,title=S101 unknown-property::unknown property `mesage`%0Adid you mean `message`?\n"


@pytest.mark.parametrize("severity, command", [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")])
def test_severity_to_command(severity, command):
    d = Diagnostic(S101, "m", "a.yaml", Span(1, 1, 1, 2), severity=severity)
    assert github(d) == f"::{command} file=a.yaml,line=1,col=1,endLine=1,endColumn=2,title=S101 unknown-property::m\n"


def test_properties_are_escaped():
    d = Diagnostic(S101, "m", "dir,1/50%:a\r\nb.yaml", Span(1, 1, 1, 2))
    assert github(d) == "::error file=dir%2C1/50%25%3Aa%0D%0Ab.yaml,line=1,col=1,endLine=1,endColumn=2,title=S101 unknown-property::m\n"


def test_message_is_escaped_but_keeps_colons_and_commas():
    d = Diagnostic(S101, "100% sure: a, b\r\nc::d", "a.yaml", Span(1, 1, 1, 2), help="x%0Ay")
    line = github(d)
    assert line == "::error file=a.yaml,line=1,col=1,endLine=1,endColumn=2,title=S101 unknown-property::100%25 sure: a, b%0D%0Ac::d%0Ax%250Ay\n"
    assert parse(line.rstrip("\n"))[2] == "100% sure: a, b\r\nc::d\nx%0Ay"


def test_escaping_is_done_once_in_the_right_order():
    # `%` first: an escape sequence in the input must not be taken for one of ours.
    d = Diagnostic(S101, "%0A %25 %3A", "%2C.yaml", Span(1, 1, 1, 2))
    line = github(d)
    assert "file=%252C.yaml," in line
    assert line.endswith("::%250A %2525 %253A\n")
    _, props, message = parse(line.rstrip("\n"))
    assert props["file"] == "%2C.yaml" and message == "%0A %25 %3A"


def test_span_over_several_lines_has_no_columns():
    d = Diagnostic(S101, "m", "a.yaml", Span(1, 1, 3, 1))
    assert github(d) == "::error file=a.yaml,line=1,endLine=3,title=S101 unknown-property::m\n"


def test_no_span_annotates_the_file():
    d = Diagnostic(S101, "m", "a.yaml", None)
    assert github(d) == "::error file=a.yaml,title=S101 unknown-property::m\n"


def test_no_diagnostics_prints_nothing():
    assert github() == ""


# --------------------------------------------------------------------------- real checks

FLOW = """\
id: hello
namespace: company.team
labels:
  system.team: data
tasks:
  - id: hello
    type: io.kestra.core.tasks.log.Log
    mesage: "Hello, {{ inputs.name }}"
  - id: other
    type: com.example.InHouse
"""


@pytest.fixture(scope="module")
def diagnostics():
    found = [check_text(FLOW, "flows/a, b:c.yaml")]
    found += [check_bytes(p.read_bytes(), f"rules/{p.name}") for p in sorted((FIXTURES / "rules").glob("Y*.yaml"))]
    found.append(check_bytes(b"id: x\nnamespace: y\ndescription: caf\xe9\n", "latin1.yaml"))
    return [d for r in found for d in r.diagnostics]


def test_every_line_is_one_command_that_reads_back(diagnostics):
    text = render("github", Report(files=[], diagnostics=diagnostics))
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert len(lines) == len(diagnostics)
    assert {parse(line)[0] for line in lines} == {"error", "warning", "notice"}
    for line, d in zip(lines, diagnostics):
        command, props, message = parse(line)
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[d.severity.value]
        assert props["file"] == d.file
        assert props["title"] == f"{d.code} {d.name}"
        assert message == d.message + (f"\n{d.help}" if d.help else "")
        s = d.span
        if s is None:
            assert list(props) == ["file", "title"]
        elif s.line == s.end_line:
            assert list(props) == ["file", "line", "col", "endLine", "endColumn", "title"]
            assert (props["line"], props["col"], props["endLine"], props["endColumn"]) == tuple(map(str, (s.line, s.column, s.end_line, s.end_column)))
        else:
            assert list(props) == ["file", "line", "endLine", "title"]
            assert (props["line"], props["endLine"]) == (str(s.line), str(s.end_line))


def test_real_file_name_is_escaped(diagnostics):
    text = render("github", Report(files=[], diagnostics=diagnostics))
    assert "file=flows/a%2C b%3Ac.yaml,line=" in text
