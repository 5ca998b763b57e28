"""Input declarations: dependencies, and the per-type rules Kestra enforces when saving."""
from __future__ import annotations

import re

from ..diagnostics import Severity, rule
from ..graphs import cycle_path, cycles
from ..model import scalar_text
from ..registry import did_you_mean
from ..source import Mapping, Scalar, Sequence
from .base import check

UNKNOWN_INPUT_DEPENDENCY = rule(
    "S205", "unknown-input-dependency", Severity.ERROR,
    "An input's `dependsOn.inputs` names an input that does not exist.",
    """
    ## What it does
    Reports an id in an input's `dependsOn.inputs` that no input of the flow has.

    ## Why is this bad?
    Kestra refuses the flow (`depends on a non-existent input`).

    ## Example
    ```yaml
    inputs:
      - id: region
        type: STRING
      - id: zone
        type: STRING
        dependsOn:
          inputs: [regoin]
    ```

    ## Use instead
    ```yaml
        dependsOn:
          inputs: [region]
    ```
    """,
)

INPUT_DEPENDENCY_CYCLE = rule(
    "S206", "input-dependency-cycle", Severity.ERROR,
    "Inputs depend on each other in a cycle.",
    """
    ## What it does
    Reports inputs whose `dependsOn.inputs` lead back to themselves, naming the cycle.

    ## Why is this bad?
    None of them can ever be shown; Kestra refuses the flow (`Cycle dependency detected`).

    ## Example
    ```yaml
    inputs:
      - id: a
        type: STRING
        dependsOn: {inputs: [b]}
      - id: b
        type: STRING
        dependsOn: {inputs: [a]}
    ```

    ## Use instead
    Remove one of the two dependencies.
    """,
)

FILE_INPUT_DEFAULTS = rule(
    "S207", "file-input-defaults", Severity.ERROR,
    "A FILE input has `defaults`.",
    """
    ## What it does
    Reports `defaults` on an input of type FILE, unless it names a file by URI
    (`nsfile:///data.csv` for a namespace file, `file:///...` for an allowed local path).

    ## Why is this bad?
    Kestra refuses the flow: a file input's value is an uploaded file, or (since 0.24) a
    file named by URI; a plain string is neither.

    ## Example
    ```yaml
    inputs:
      - id: data
        type: FILE
        defaults: data.csv
    ```

    ## Use instead
    ```yaml
        defaults: nsfile:///data.csv
    ```
    or remove `defaults` and make the input optional with `required: false`.
    """,
)

ARRAY_OF_ARRAYS = rule(
    "S208", "array-input-of-arrays", Severity.ERROR,
    "An ARRAY input whose `itemType` is ARRAY.",
    """
    ## What it does
    Reports `itemType: ARRAY` on an ARRAY input.

    ## Why is this bad?
    Kestra refuses the flow (`itemType cannot be ARRAY`): arrays of arrays are not
    supported.

    ## Example
    ```yaml
    inputs:
      - id: matrix
        type: ARRAY
        itemType: ARRAY
    ```

    ## Use instead
    Use a JSON input for nested lists.
    """,
)

INVALID_REGEX = rule(
    "S209", "invalid-regex", Severity.ERROR,
    "An input's `validator` or `values` entry is not a valid regular expression.",
    """
    ## What it does
    Reports a STRING or SECRET input `validator`, or an entry of a SELECT, ENUM or
    MULTISELECT input's `values`, that does not compile as a regular expression.
    Java-only syntax (`\\p{L}`, `\\Q...\\E`, `&&`) is never reported.

    ## Why is this bad?
    Kestra checks these as Java regular expressions and refuses the flow (`invalid
    pattern`).

    ## Example
    ```yaml
    inputs:
      - id: code
        type: STRING
        validator: "[A-Z"
    ```

    ## Use instead
    ```yaml
        validator: "[A-Z]+"
    ```
    """,
)

VALUES_AND_OPTIONS = rule(
    "S210", "multiselect-values-and-options", Severity.ERROR,
    "A MULTISELECT input sets both `values` and its old name `options`.",
    """
    ## What it does
    Reports a MULTISELECT input with both `values` and `options`.

    ## Why is this bad?
    `options` is the deprecated name of `values`; Kestra refuses both at once.

    ## Example
    ```yaml
    - id: colors
      type: MULTISELECT
      values: [red]
      options: [blue]
    ```

    ## Use instead
    ```yaml
    - id: colors
      type: MULTISELECT
      values: [red, blue]
    ```
    """,
)

# Java regex syntax that Python's `re` lacks: a pattern using it is never reported.
_JAVA_ONLY = re.compile(r"\\[pPhHRQEzGXvVeck]|&&|\(\?<[A-Za-z]|\(\?[a-zA-Z]*[dux]")


def _regex_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as e:
        if _JAVA_ONLY.search(pattern):
            return None
        return e.msg
    except (OverflowError, RecursionError):
        return None
    return None


def _file_default_allowed(value) -> bool:
    """Kestra 0.24+ accepts a FILE default that names a file by URI (`nsfile://`, `file://`)."""
    return value is None or (isinstance(value, str) and value.startswith(("nsfile://", "file://")))


def _inputs(flow):
    for item in flow.list_of("inputs"):
        ident = scalar_text(item.get("id")) or scalar_text(item.get("name"))
        kind = scalar_text(item.get("type"))
        yield item, ident, (kind or "").upper()


@check
def input_rules(flow, reporter) -> None:
    declared = [(item, ident, kind) for item, ident, kind in _inputs(flow)]
    ids = [ident for _, ident, _ in declared if ident]
    edges: dict[str, list[str]] = {}
    for item, ident, kind in declared:
        depends = item.get("dependsOn")
        names = depends.get("inputs") if isinstance(depends, Mapping) else None
        if isinstance(names, Sequence):
            for node in names:
                name = scalar_text(node)
                if name is None:
                    continue
                if name not in ids:
                    suggestion = did_you_mean(name, ids)
                    reporter.report(UNKNOWN_INPUT_DEPENDENCY, f"input `{ident}` depends on `{name}`, which is not an input",
                                    node.span, help=f"did you mean `{suggestion}`?" if suggestion else None)
                elif ident:
                    edges.setdefault(ident, []).append(name)
        if kind == "FILE" and "defaults" in item and not _file_default_allowed(item.value("defaults", 0)):
            reporter.report(FILE_INPUT_DEFAULTS, f"FILE input `{ident}` cannot default to a plain string", item.key_node("defaults").span,
                            help="name a file by URI (`nsfile:///data.csv`), or remove `defaults` and use `required: false`")
        if kind == "ARRAY" and scalar_text(item.get("itemType")) == "ARRAY":
            reporter.report(ARRAY_OF_ARRAYS, f"ARRAY input `{ident}` cannot have `itemType: ARRAY`", item.get("itemType").span,
                            help="use a JSON input for nested lists")
        if kind == "MULTISELECT" and "values" in item and "options" in item:
            reporter.report(VALUES_AND_OPTIONS, f"MULTISELECT input `{ident}` sets both `values` and `options`",
                            item.key_node("options").span, help="`options` is the old name of `values`: keep `values` only")
        patterns = []
        if kind in ("STRING", "SECRET") and isinstance(item.get("validator"), Scalar):
            patterns.append(item.get("validator"))
        if kind in ("SELECT", "ENUM", "MULTISELECT") and isinstance(item.get("values"), Sequence):
            patterns.extend(v for v in item.get("values") if isinstance(v, Scalar))
        for node in patterns:
            text = scalar_text(node)
            error = _regex_error(text) if text is not None else None
            if error:
                reporter.report(INVALID_REGEX, f"`{text}` is not a valid regular expression: {error}", node.span,
                                help="escape special characters such as `\\`, `(`, `[` with a backslash")
    for cycle in cycles(ids, edges):
        first = next(item for item, ident, _ in declared if ident == cycle[0])
        path = " -> ".join(cycle_path(cycle, edges))
        reporter.report(INPUT_DEPENDENCY_CYCLE, f"inputs depend on each other in a cycle: {path}",
                        first.key_node("dependsOn").span if "dependsOn" in first else first.span,
                        help="remove one of the dependencies")
