"""Literal values, read as Kestra reads them: input defaults, flow outputs, cron expressions,
time zones, the inputs triggers supply, webhook keys and pluginDefaults types."""
from __future__ import annotations

import json
import re
import struct
import warnings
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from runtime.cron import JAVA_SPACE, CronError, never_fires, parse_cron
from runtime.durations import format_duration, parse_duration

from ..diagnostics import Severity, rule
from ..model import scalar_text
from ..registry import default_registry, did_you_mean
from ..source import Mapping, Scalar, Sequence
from .base import check, literal_text
from .inputs import _JAVA_ONLY

INPUT_DEFAULT_TYPE = rule(
    "L101", "input-default-wrong-type", Severity.ERROR,
    "An input's `defaults` (or `after`/`before`) is not a value of the input's type.",
    """
    ## What it does
    Reports a literal `defaults` that Kestra cannot read as the input's type: a DATETIME
    that is not an ISO-8601 instant, a DATE or TIME that is not ISO-8601, a JSON default
    that is not JSON, a URI or EMAIL default that does not match Kestra's pattern, an
    ARRAY or MULTISELECT item that is not of the `itemType`; and `after`/`before` bounds
    that are not dates or times. Expressions (`{{ }}`) are never reported.

    ## Why is this bad?
    Kestra reads DATETIME, DATE and TIME defaults and bounds when the flow is saved and
    refuses the flow; the other types are read when an execution starts, and every
    execution that relies on the default fails (`Invalid input for ...`).

    ## Example
    ```yaml
    inputs:
      - id: since
        type: DATETIME
        defaults: 2024-01-31 10:00
    ```

    ## Use instead
    ```yaml
        defaults: "2024-01-31T10:00:00Z"
    ```
    """,
)

INPUT_DEFAULT_NOT_ALLOWED = rule(
    "L102", "input-default-not-allowed", Severity.ERROR,
    "An input's `defaults` breaks the input's own constraints.",
    """
    ## What it does
    Reports a literal `defaults` that the input rejects: a SELECT, ENUM or MULTISELECT
    default that is not one of `values` (unless `allowCustomValue: true`), a number or
    duration outside `min`/`max`, a date or time outside `after`/`before`, a STRING that
    does not match its `validator` (as a whole).

    ## Why is this bad?
    Kestra validates the default like any other value when an execution starts: every
    execution that relies on the default fails, e.g. every scheduled one.

    ## Example
    ```yaml
    inputs:
      - id: color
        type: SELECT
        values: [red, green]
        defaults: purple
    ```

    ## Use instead
    ```yaml
        defaults: red
    ```
    """,
)

OUTPUT_VALUE_TYPE = rule(
    "L103", "output-value-wrong-type", Severity.ERROR,
    "A flow output's literal `value` is not a value of its `type`.",
    """
    ## What it does
    Reports a flow output whose `value` is written literally (no `{{ }}`) and cannot be
    converted to the output's `type`: `ten` for an INT, `yes` for a DATE, a string that is
    not JSON for a JSON output, ...

    ## Why is this bad?
    Kestra converts the outputs when the execution ends; a value that does not convert
    makes the execution FAILED (`Failed to render output values`), after all its tasks
    succeeded.

    ## Example
    ```yaml
    outputs:
      - id: limit
        type: INT
        value: ten
    ```

    ## Use instead
    ```yaml
    outputs:
      - id: limit
        type: INT
        value: 10
    ```
    """,
)

OUTPUT_VALUE_WITHOUT_BRACES = rule(
    "L104", "output-value-without-braces", Severity.WARNING,
    "A flow output's `value` looks like an expression but lacks `{{ }}`.",
    """
    ## What it does
    Reports a flow output whose `value` is a plain path such as `outputs.task.value`,
    `inputs.x` or `vars.y`, written without `{{ }}`.

    ## Why is this bad?
    Without braces the value is not rendered: the output is the literal text
    `outputs.task.value`, not the task's output.

    ## Example
    ```yaml
    outputs:
      - id: code
        type: STRING
        value: outputs.call_api.code
    ```

    ## Use instead
    ```yaml
        value: "{{ outputs.call_api.code }}"
    ```
    """,
)

INVALID_CRON = rule(
    "L105", "invalid-cron", Severity.ERROR,
    "A schedule's `cron` is not a cron expression Kestra accepts.",
    """
    ## What it does
    Reads a Schedule trigger's `cron` as Kestra does (cron-utils with Kestra's definition):
    5 fields (minute, hour, day of month, month, day of week), or 6 with a leading seconds
    field when `withSeconds: true`; `*`, values, ranges `a-b`, steps `*/n`, `a/n` and
    `a-b/n`, lists `a,b`, month names JAN-DEC and day names SUN-SAT (0 and 7 are Sunday);
    or one of the nicknames `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
    `@midnight`, `@hourly`. Kestra's definition does not support Quartz's `L`, `W`, `#`
    and `?`. Reports the first problem, with its reason.

    ## Why is this bad?
    Kestra refuses the flow (`invalid cron expression`).

    ## Example
    ```yaml
    triggers:
      - id: nightly
        type: io.kestra.plugin.core.trigger.Schedule
        cron: "0 0 2 * * *"
    ```

    ## Use instead
    ```yaml
        cron: "0 2 * * *"
    ```
    or keep the seconds field and add `withSeconds: true`.
    """,
)

CRON_NEVER_FIRES = rule(
    "L106", "cron-never-fires", Severity.ERROR,
    "A schedule's `cron` names a day that never comes, so the trigger never fires.",
    """
    ## What it does
    Reports a cron expression whose days of the month do not exist in any of its months,
    e.g. `0 0 30 2 *` (February 30th) or `0 0 31 4,6 *`, when the day of the week is `*`.
    February 29th is not reported: it comes in leap years.

    ## Why is this bad?
    Kestra accepts the flow, but the trigger never has a next date: the flow never runs
    and nothing says so.

    ## Example
    ```yaml
        cron: "0 0 30 2 *"
    ```

    ## Use instead
    ```yaml
        cron: "0 0 28 2 *"
    ```
    """,
)

INVALID_TIMEZONE = rule(
    "L107", "invalid-timezone", Severity.ERROR,
    "A trigger's `timezone` is not a time-zone id Kestra knows.",
    """
    ## What it does
    Reports a `timezone` that Java's `ZoneId.of` refuses: a region such as `Europe/Paris`
    (case-sensitive) from the time-zone database, `UTC`, `GMT`, `Z`, an offset such as
    `+02:00`, or `UTC`/`GMT`/`UT` followed by an offset (`GMT+2`) are accepted.

    ## Why is this bad?
    Kestra refuses the flow (`is not a valid time-zone ID`).

    ## Example
    ```yaml
        timezone: Europe/Paris/
    ```

    ## Use instead
    ```yaml
        timezone: Europe/Paris
    ```
    """,
)

TRIGGER_MISSING_INPUT = rule(
    "L108", "trigger-missing-required-input", Severity.WARNING,
    "A trigger creates executions without a required input that has no `defaults`.",
    """
    ## What it does
    Reports a required input (no `required: false`, no `defaults`, no `dependsOn`) that a
    trigger creating executions of this flow does not supply in its `inputs`: a Schedule,
    a ScheduleOnDates or a Webhook. It is a warning, not an error: Kestra saves the flow, and
    executions started by hand or by another flow do get the input.

    ## Why is this bad?
    Every execution a schedule creates fails with `missing required input`. A webhook
    execution gets no value for the input, and the tasks that read it fail.

    ## Example
    ```yaml
    inputs:
      - id: user
        type: STRING
    triggers:
      - id: every_hour
        type: io.kestra.plugin.core.trigger.Schedule
        cron: "@hourly"
    ```

    ## Use instead
    ```yaml
    triggers:
      - id: every_hour
        type: io.kestra.plugin.core.trigger.Schedule
        cron: "@hourly"
        inputs:
          user: scheduler
    ```
    or give the input `defaults`.
    """,
)

UNKNOWN_TRIGGER_INPUT = rule(
    "L109", "unknown-trigger-input", Severity.WARNING,
    "A trigger's `inputs` names an input the flow does not declare.",
    """
    ## What it does
    Reports a key of a Schedule, ScheduleOnDates or Webhook trigger's `inputs` that is
    not the id of an input of the flow, with the closest one.

    ## Why is this bad?
    Kestra keeps only the declared inputs: the value is silently dropped, and the input
    meant (often a typo away) gets no value.

    ## Example
    ```yaml
    inputs:
      - id: region
        type: STRING
    triggers:
      - id: daily
        type: io.kestra.plugin.core.trigger.Schedule
        cron: "@daily"
        inputs:
          regoin: eu
    ```

    ## Use instead
    ```yaml
        inputs:
          region: eu
    ```
    """,
)

BLANK_WEBHOOK_KEY = rule(
    "L110", "blank-webhook-key", Severity.ERROR,
    "A Webhook trigger's `key` is empty or only spaces.",
    """
    ## What it does
    Reports a Webhook `key` (any property whose schema marks it `$notBlank`) that is empty
    or blank.

    ## Why is this bad?
    The key is the last segment of the webhook's URL, compared after trimming: a blank key
    makes the webhook unreachable.

    ## Example
    ```yaml
    triggers:
      - id: hook
        type: io.kestra.plugin.core.trigger.Webhook
        key: " "
    ```

    ## Use instead
    ```yaml
        key: 4wjtkzwVGBM9yKnjm3yv8r
    ```
    """,
)

UNMATCHED_PLUGIN_DEFAULT = rule(
    "L111", "unmatched-plugin-default", Severity.WARNING,
    "A `pluginDefaults` type matches no plugin of the flow.",
    """
    ## What it does
    Reports a `pluginDefaults` (or `taskDefaults`) entry whose `type` is neither the type
    nor a prefix (Kestra compares with `startsWith`) of any task, trigger, condition or
    task runner of the flow, with the closest type or package. A type flowc knows that the
    flow does not use is not reported: such a default is unused, not mistyped.

    ## Why is this bad?
    The defaults apply to nothing: often a typo or a renamed package, and the properties
    they were meant to supply are missing at run time.

    ## Example
    ```yaml
    tasks:
      - id: q
        type: io.kestra.plugin.jdbc.postgresql.Query
        sql: select 1
    pluginDefaults:
      - type: io.kestra.plugin.jdbc.postgres
        values:
          url: jdbc:postgresql://db:5432/app
    ```

    ## Use instead
    ```yaml
      - type: io.kestra.plugin.jdbc.postgresql
    ```
    """,
)


# --------------------------------------------------------------------------- values as Kestra reads them

_INSTANT = re.compile(r"([+-]?\d{4,9})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{0,9}))?(Z|([+-])(\d\d):(\d\d)(?::(\d\d))?)", re.I)
_DATE = re.compile(r"([+-]?\d{4,9})-(\d\d)-(\d\d)")
_TIME = re.compile(r"(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{0,9}))?)?")
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
_JAVA_INT = re.compile(r"[+-]?\d+")
_JAVA_FLOAT = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?"
    r"|0[xX](?:[0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?)")
# Kestra's URI input pattern and EMAIL input pattern (whole match)
_URI = re.compile(r"[a-z]+://(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b[-a-zA-Z0-9()@:%_+.~#?&/=]*")
_EMAIL = re.compile(r"|[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+")
_EXAMPLES = {"DATETIME": "an ISO-8601 instant such as 2024-01-31T10:00:00Z", "DATE": "a date such as 2024-01-31",
             "TIME": "a time such as 10:30 or 10:30:00", "DURATION": "an ISO-8601 duration such as PT15M",
             "INT": "a whole number from -2147483648 to 2147483647", "FLOAT": "a number", "JSON": "JSON text", "URI": "a URI such as https://example.com/x",
             "EMAIL": "an email address", "ARRAY": "a JSON array", "MULTISELECT": "a JSON array", "BOOLEAN": "true or false"}


class _Bad(ValueError):
    """A value Kestra cannot read; the message says why."""


def _day(y: str, mo: str, d: str) -> date | None:
    year, month, day = int(y), int(mo), int(d)
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise _Bad("there is no such date")
    if not 1 <= year <= 9999:
        return None  # valid for Java, out of Python's range: not compared
    try:
        return date(year, month, day)
    except ValueError:
        raise _Bad("there is no such date") from None


def _instant(text: str) -> datetime | None:
    m = _INSTANT.fullmatch(text)
    if not m:
        raise _Bad(f"it is not {_EXAMPLES['DATETIME']}")
    y, mo, d, h, mi, s, fraction, _, sign, oh, om, os_ = m.groups()
    day = _day(y, mo, d)
    hour, minute, second = int(h), int(mi), int(s)
    if hour > 24 or minute > 59 or second > 60 or (hour == 24 and (minute or second or int(fraction or 0))):
        raise _Bad("the time of day is out of range")
    offset = timedelta(hours=int(oh or 0), minutes=int(om or 0), seconds=int(os_ or 0))
    if int(om or 0) > 59 or int(os_ or 0) > 59 or offset > timedelta(hours=18):
        raise _Bad("the offset is out of range")
    if day is None or hour == 24 or second == 60:
        return None
    zone = timezone(-offset if sign == "-" else offset)
    return datetime(day.year, day.month, day.day, hour, minute, second, int((fraction or "").ljust(6, "0")[:6]), zone)


def _date(text: str) -> date | None:
    m = _DATE.fullmatch(text)
    if not m:
        raise _Bad(f"it is not {_EXAMPLES['DATE']}")
    return _day(*m.groups())


def _time(text: str) -> time:
    m = _TIME.fullmatch(text)
    if not m:
        raise _Bad(f"it is not {_EXAMPLES['TIME']}")
    h, mi, s, fraction = m.groups()
    if int(h) > 23 or int(mi) > 59 or int(s or 0) > 59:
        raise _Bad("the time of day is out of range")
    return time(int(h), int(mi), int(s or 0), int((fraction or "").ljust(6, "0")[:6]))


_TEMPORAL = {"DATETIME": _instant, "DATE": _date, "TIME": _time}


def _saved_temporal(kind: str, value):
    """A DATETIME, DATE or TIME literal as Jackson reads it when the flow is saved (trimmed;
    epoch numbers for instants, date-times for dates and times): comparable, or None."""
    if not isinstance(value, str):
        return None  # numbers: epoch values Jackson accepts
    text = value.strip()
    if kind == "DATETIME" and _EPOCH.fullmatch(text):
        return None
    if kind in ("DATE", "TIME") and len(text) > 10 and text[10] in "Tt":
        _date(text[:10])  # a date-time: Jackson keeps its date or its time
        return None
    return _TEMPORAL[kind](text)


def _json(text: str):
    try:
        return json.JSONDecoder().raw_decode(text.lstrip(" \t\r\n"))[0]
    except ValueError as e:
        raise _Bad(f"it is not JSON ({e.msg.lower()})") from None


def _read(kind: str, value):
    """What Kestra does with a value of an input or output type when an execution starts or
    ends (FlowInputOutput.parseType): raises _Bad when it fails. Scalars only."""
    text = value if isinstance(value, str) else None
    if kind == "INT":
        if isinstance(value, bool) or isinstance(value, float) or (isinstance(value, int) and not -2**31 <= value < 2**31):
            raise _Bad(f"it is not {_EXAMPLES['INT']}")
        if text is not None and not (_JAVA_INT.fullmatch(text) and -2**31 <= int(text) < 2**31):
            raise _Bad(f"it is not {_EXAMPLES['INT']}")
    elif kind == "FLOAT":
        if isinstance(value, bool) or (text is not None and not _JAVA_FLOAT.fullmatch(text.strip())):
            raise _Bad(f"it is not {_EXAMPLES['FLOAT']}")
    elif kind in ("BOOLEAN", "BOOL"):
        if not isinstance(value, (bool, str)):
            raise _Bad(f"it is not {_EXAMPLES['BOOLEAN']}")
    elif kind in ("DATETIME", "DATE", "TIME", "DURATION", "JSON", "URI", "ARRAY", "MULTISELECT"):
        if text is None:
            raise _Bad(f"it is not {_EXAMPLES[kind]}")
        if kind in _TEMPORAL:
            _TEMPORAL[kind](text)
        elif kind == "DURATION":
            if parse_duration(text) is None or _EPOCH.fullmatch(text.strip()):
                raise _Bad(f"it is not {_EXAMPLES['DURATION']}")
        elif kind == "URI":
            if not _URI.fullmatch(text):
                raise _Bad(f"it is not {_EXAMPLES['URI']}")
        elif not isinstance(_json(text), list) and kind != "JSON":
            raise _Bad(f"it is not {_EXAMPLES[kind]}")


def _is_expression(value) -> bool:
    return isinstance(value, str) and any(mark in value for mark in ("{{", "{%", "{#"))


def _float32(value: float) -> float:
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except (OverflowError, struct.error):
        return value


def _text(flow, node) -> str | None:
    """A scalar as Jackson reads it into a string: the source text of a plain number."""
    if not isinstance(node, Scalar) or node.value is None:
        return None
    if isinstance(node.value, str):
        return node.value
    s = node.span
    if node.style is None and s.line == s.end_line and not isinstance(node.value, bool):
        return flow.source.line(s.line)[s.column - 1 : s.end_column - 1]
    return literal_text(node.value)


def _quote(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


# --------------------------------------------------------------------------- input defaults


def _declared_inputs(flow):
    for item in flow.list_of("inputs"):
        ident = scalar_text(item.get("id")) or scalar_text(item.get("name"))
        yield item, ident, (scalar_text(item.get("type")) or "").upper()


def _literal_values(flow, item: Mapping, *names: str) -> list[str] | None:
    """The literal `values` of a SELECT, ENUM or MULTISELECT input, as Jackson reads them."""
    for name in names:
        node = item.get(name)
        if isinstance(node, Sequence):
            texts = [_text(flow, v) for v in node]
            return None if any(t is None or _is_expression(t) for t in texts) else texts
    return None


def _is_false(node) -> bool:
    return isinstance(node, Scalar) and literal_text(node.value) in ("false", "False", "FALSE")


@check
def input_defaults(flow, reporter) -> None:
    for item, ident, kind in _declared_inputs(flow):
        node = item.get("defaults")
        bounds = {}
        for name in ("after", "before"):
            bound = item.get(name)
            if kind in _TEMPORAL and isinstance(bound, Scalar) and bound.value is not None and not _is_expression(bound.value):
                try:
                    bounds[name] = _saved_temporal(kind, bound.value)
                except _Bad as e:
                    reporter.report(INPUT_DEFAULT_TYPE, f"`{name}` of {kind} input `{ident}` cannot be read: {e}",
                                    bound.span, help=f"write {_EXAMPLES[kind]}")
        if isinstance(node, Scalar) and node.value not in (None, "") and not _is_expression(node.value):
            _check_scalar_default(flow, item, ident, kind, node, bounds, reporter)
        elif isinstance(node, Sequence) and kind in ("ARRAY", "MULTISELECT"):
            _check_list_default(flow, item, ident, kind, node, reporter)


def _check_scalar_default(flow, item, ident, kind, node, bounds, reporter) -> None:
    value, text = node.value, _text(flow, node)

    def wrong(reason: str, help: str) -> None:
        reporter.report(INPUT_DEFAULT_TYPE, f"default `{text}` of {kind} input `{ident}` cannot be read: {reason}", node.span, help=help)

    def refused(reason: str, help: str) -> None:
        reporter.report(INPUT_DEFAULT_NOT_ALLOWED, f"default `{text}` of {kind} input `{ident}` {reason}", node.span, help=help)

    try:
        if kind in _TEMPORAL:
            parsed = _saved_temporal(kind, value)
            after, before = bounds.get("after"), bounds.get("before")
            if parsed is not None and after is not None and _before(parsed, after):
                refused(f"is before its `after` bound `{_text(flow, item.get('after'))}`", "use a later default, or move the bound")
            if parsed is not None and before is not None and _before(before, parsed):
                refused(f"is after its `before` bound `{_text(flow, item.get('before'))}`", "use an earlier default, or move the bound")
        elif kind in ("JSON", "URI"):
            _read(kind, text)
        elif kind == "EMAIL" and not _EMAIL.fullmatch(text):
            raise _Bad(f"it is not {_EXAMPLES['EMAIL']}")
        elif kind in ("ARRAY", "MULTISELECT") and isinstance(value, str):
            items = _json(value)
            if not isinstance(items, list):
                raise _Bad(f"it is not {_EXAMPLES[kind]}")
            _check_items(item, ident, kind, [(v, node) for v in items], reporter)
    except _Bad as e:
        wrong(str(e), f"write {_EXAMPLES.get(kind, 'a value of the type')}")
        return
    if kind in ("SELECT", "ENUM"):
        values = _literal_values(flow, item, "values")
        custom = kind == "SELECT" and literal_text(item.value("allowCustomValue")) == "true"
        if values is not None and "expression" not in item and not custom and not _is_false(item.get("required")) and text not in values:
            suggestion = did_you_mean(text, values)
            refused(f"is not one of its `values` ({_quote(values)})",
                    f"did you mean `{suggestion}`?" if suggestion else "use one of the values" + (", or set `allowCustomValue: true`" if kind == "SELECT" else ""))
    elif kind == "STRING":
        pattern = scalar_text(item.get("validator"))
        if pattern is not None and _full_match(pattern, text) is False:
            refused(f"does not match its `validator` `{pattern}`", "change the default, or the validator")
    elif kind in ("INT", "FLOAT", "DURATION"):
        _check_range(flow, item, ident, kind, node, refused)


_NESTED_QUANTIFIER = re.compile(r"([+*}?]|\|[^()]*)\)+[+*{]")  # `(a+)+`, `(a|aa)*`: may backtrack for ever


def _full_match(pattern: str, text: str) -> bool | None:
    """Java's Pattern.matches; None for patterns Python would read differently (Java-only
    syntax, nested character classes), cannot compile, or might take too long."""
    if _JAVA_ONLY.search(pattern) or _NESTED_QUANTIFIER.search(pattern) or len(text) > 1000:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": Java reads [[a]] as a union
            return re.fullmatch(pattern, text) is not None
    except (re.error, FutureWarning, RecursionError, OverflowError):
        return None


def _before(a, b) -> bool:
    try:
        return a < b
    except (TypeError, OverflowError):
        return False


def _check_range(flow, item, ident, kind, node, refused) -> None:
    def number(n):
        if not isinstance(n, Scalar) or _is_expression(n.value):
            return None
        if kind == "DURATION":
            return parse_duration(n.value)
        v = n.value
        if isinstance(v, str):
            if "_" in v:
                return None  # Python reads `1_000`, Java does not
            try:
                v = float(v.strip()) if kind == "FLOAT" else int(v.strip())
            except ValueError:
                return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (kind == "INT" and isinstance(v, float)):
            return None
        return _float32(float(v)) if kind == "FLOAT" else v

    value = number(node)
    if value is None:
        return
    for bound, word, least in (("min", "less", "at least"), ("max", "more", "at most")):
        limit = number(item.get(bound))
        if limit is not None and (value < limit if bound == "min" else value > limit):
            shown = format_duration(limit) if kind == "DURATION" else _text(flow, item.get(bound))
            refused(f"is {word} than its `{bound}` `{shown}`", f"use a default {least} `{shown}`")


def _check_list_default(flow, item, ident, kind, node, reporter) -> None:
    entries = [(child.value, child) for child in node if isinstance(child, Scalar) and not _is_expression(child.value)]
    if kind == "MULTISELECT":  # Jackson reads each item as a string
        entries = [(_text(flow, child), child) for _, child in entries]
    _check_items(item, ident, kind, entries, reporter)
    values = _literal_values(flow, item, "values", "options")
    if kind == "MULTISELECT" and values is not None and "expression" not in item and literal_text(item.value("allowCustomValue")) != "true":
        for text, child in entries:
            if text is not None and text not in values:
                suggestion = did_you_mean(text, values)
                reporter.report(INPUT_DEFAULT_NOT_ALLOWED, f"default `{text}` of MULTISELECT input `{ident}` is not one of its `values` ({_quote(values)})",
                                child.span, help=f"did you mean `{suggestion}`?" if suggestion else "use values of the list, or set `allowCustomValue: true`")


def _check_items(item, ident, kind, entries, reporter) -> None:
    item_type = (scalar_text(item.get("itemType")) or ("STRING" if kind == "MULTISELECT" else "")).upper()
    if item_type in ("", "ARRAY", "MULTISELECT", "FILE", "SECRET"):
        return
    for value, child in entries:
        if value is None or isinstance(value, (list, dict)):
            continue
        try:
            if item_type == "EMAIL":
                if not isinstance(value, str) or not _EMAIL.fullmatch(value):
                    raise _Bad(f"it is not {_EXAMPLES['EMAIL']}")
            else:
                _read(item_type, value)
        except _Bad as e:
            reporter.report(INPUT_DEFAULT_TYPE, f"item `{literal_text(value)}` of {kind} input `{ident}` is not valid for `itemType: {item_type}`: {e}",
                            child.span, help=f"write {_EXAMPLES.get(item_type, 'a value of the item type')}, or change `itemType`")


# --------------------------------------------------------------------------- flow outputs

_ROOTS = "outputs|inputs|vars|trigger|execution|flow|labels|taskrun|parent|parents|task|tasks|envs|globals"
_PATH = re.compile(rf"(?:{_ROOTS})(?:\.[A-Za-z_][\w-]*|\[[^\]\s]+\])+")
_FILE_EXTENSIONS = frozenset("csv tsv json jsonl ndjson txt yaml yml xml parquet avro ion log zip gz tar sql py md html pdf xlsx xls png jpg".split())


def _looks_like_path(text: str) -> bool:
    if not _PATH.fullmatch(text):
        return False
    parts = text.split(".")
    return not (len(parts) == 2 and parts[1].lower() in _FILE_EXTENSIONS)  # `outputs.json`: a file name


@check
def output_values(flow, reporter) -> None:
    for item in flow.list_of("outputs"):
        ident = scalar_text(item.get("id"))
        kind = (scalar_text(item.get("type")) or "").upper()
        node = item.get("value")
        if not isinstance(node, Scalar) or node.value is None or _is_expression(node.value):
            continue
        value = node.value
        text = _text(flow, node)
        path = isinstance(value, str) and _looks_like_path(value.strip())
        try:
            _read(kind, value)
        except _Bad as e:
            help = f"write \"{{{{ {value.strip()} }}}}\" to read the value" if path else f"write {_EXAMPLES.get(kind, 'a value of the type')}, or change `type`"
            reporter.report(OUTPUT_VALUE_TYPE, f"value `{text}` of output `{ident}` cannot be converted to {kind}: {e}", node.span, help=help)
            continue
        if path:
            reporter.report(OUTPUT_VALUE_WITHOUT_BRACES, f"output `{ident}` is the literal text `{value}`, not the value it names",
                            node.span, help=f"write \"{{{{ {value.strip()} }}}}\"")


# --------------------------------------------------------------------------- cron: runtime/cron.py (the runtime fires schedules too)


# --------------------------------------------------------------------------- time zones (java.time.ZoneId.of)

_OFFSET = re.compile(r"[+-](?:\d|\d\d|\d{4}|\d\d:\d\d|\d{6}|\d\d:\d\d:\d\d)")  # ZoneOffset.of's forms
_REGION = re.compile(r"[A-Za-z][A-Za-z0-9~/._+-]+")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    try:
        import zoneinfo

        return frozenset(zoneinfo.available_timezones())
    except Exception:  # pragma: no cover - no time-zone database on this machine
        return frozenset()


def _offset_ok(text: str) -> bool:
    if not _OFFSET.fullmatch(text):
        return False
    digits = text[1:].replace(":", "").rjust(2, "0")
    h, mi, s = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:] or 0)
    return mi <= 59 and s <= 59 and h * 3600 + mi * 60 + s <= 18 * 3600


def zone_ok(text: str) -> bool | None:
    """Whether ZoneId.of accepts `text`; None when flowc cannot tell (no zone database)."""
    if text == "Z" or text.startswith(("+", "-")):
        return text == "Z" or _offset_ok(text)
    for prefix in ("UTC", "GMT", "UT"):
        if text.startswith(prefix) and text[len(prefix):len(prefix) + 1] in ("+", "-"):
            return _offset_ok(text[len(prefix):])
    if not _REGION.fullmatch(text):
        return False
    zones = _zones()
    if not zones or text.startswith("SystemV/"):  # Java's old SystemV zones: not in Python's database
        return None
    return text in zones or text in ("UTC", "GMT", "UT")


# --------------------------------------------------------------------------- trigger checks


@check
def trigger_literals(flow, reporter) -> None:
    for plugin in flow.walk():
        if plugin.ptype is None:
            continue
        spec = plugin.ptype.raw.get("$cron")
        node = plugin.prop(spec["expression"]) if spec else None
        if isinstance(node, Scalar) and node.value is not None and not _is_expression(node.value):
            _check_cron(plugin, spec, node, reporter)
        for name, prop in plugin.ptype.own_properties.items():
            node = plugin.prop(name)
            if not isinstance(node, Scalar) or not isinstance(node.value, str) or _is_expression(node.value):
                continue
            if prop.get("$timezone") and zone_ok(node.value) is False:
                suggestion = did_you_mean(node.value.strip().strip("/"), _zones()) if _zones() else None
                shown = f"`{node.value}`" if node.value else "an empty string"
                reporter.report(INVALID_TIMEZONE, f"{shown} is not a valid time-zone id", node.span,
                                help=f"did you mean `{suggestion}`?" if suggestion else "use a region such as `Europe/Paris`, `UTC`, or an offset such as `+02:00`")
            if prop.get("$notBlank") and not node.value.strip():
                reporter.report(BLANK_WEBHOOK_KEY, f"`{name}` of {plugin.ptype.short_name} `{plugin.id}` is blank", node.span,
                                help="use a long random key, e.g. 4wjtkzwVGBM9yKnjm3yv8r")


def _check_cron(plugin, spec, node, reporter) -> None:
    text = literal_text(node.value)
    with_seconds = str(plugin.values.get(spec["withSeconds"])).lower() == "true"
    try:
        crons = parse_cron(text, with_seconds)
    except CronError as e:
        fields = len(JAVA_SPACE.sub(" ", text).strip().split(" "))
        help = ("Kestra's cron has no `L`, `W`, `#` or `?`: list the days, or filter the dates with the trigger's `conditions`"
                if "is not supported" in str(e) and "nickname" not in str(e)
                else "add `withSeconds: true` to read a leading seconds field" if fields == 6 and not with_seconds
                else "with `withSeconds: true`, write 6 fields: second minute hour day-of-month month day-of-week" if with_seconds and fields == 5
                else "write minute hour day-of-month month day-of-week, e.g. `0 9 * * 1-5`, or a nickname such as `@daily`")
        reporter.report(INVALID_CRON, f"invalid cron expression `{text}`: {e}", node.span, help=help)
        return
    if crons and all(never_fires(c) for c in crons):
        reporter.report(CRON_NEVER_FIRES, f"cron `{text}` never fires: its days of the month exist in none of its months", node.span,
                        help="use days that exist in the months (February has 28 days, 29 in leap years; April, June, September and November 30)")


def _supplied(given: dict, ident: str) -> bool:
    """Whether a trigger's inputs hold a value for `ident` (`a.b` also as `a: {b: ...}`)."""
    if given.get(ident) is not None:
        return True
    head, dot, rest = ident.partition(".")
    return bool(dot) and isinstance(given.get(head), dict) and _supplied(given[head], rest)


@check
def trigger_inputs(flow, reporter) -> None:
    ids = [ident for _, ident, _ in _declared_inputs(flow) if ident]
    for trigger in flow.walk("trigger"):
        supplies = trigger.ptype.raw.get("$suppliesInputs") if trigger.ptype else None
        if not supplies:
            continue
        prop = supplies.get("property")
        given = trigger.values.get(prop) if prop else None
        if given is not None and not isinstance(given, dict):
            continue  # an expression: flowc cannot tell
        written = trigger.prop(prop) if prop else None
        if isinstance(written, Mapping):
            for key, key_node, _ in written.items():
                if key not in ids and not any(i.startswith(key + ".") for i in ids):
                    suggestion = did_you_mean(key, ids)
                    reporter.report(UNKNOWN_TRIGGER_INPUT, f"`{key}` is not an input of this flow", key_node.span,
                                    help=f"did you mean `{suggestion}`?" if suggestion else
                                    (f"the flow's inputs are {_quote(ids)}" if ids else "the flow declares no inputs"))
        if literal_text(trigger.values.get("disabled")) == "true":
            continue
        where = (trigger.key_span(prop) if prop else None) or trigger.span
        for item, ident, _ in _declared_inputs(flow):
            if not ident or _is_false(item.get("required")) or "dependsOn" in item or _supplied(given or {}, ident):
                continue
            if isinstance(item.get("defaults"), (Mapping, Sequence)) or item.value("defaults") is not None:
                continue
            severity = Severity(supplies.get("missing", "warning"))
            what = ("every execution it creates fails" if severity is Severity.ERROR
                    else "the executions it creates have no value for it")
            reporter.report(TRIGGER_MISSING_INPUT,
                            f"{trigger.ptype.short_name} trigger `{trigger.id}` does not supply the required input `{ident}`, which has no `defaults`: {what}",
                            where, severity=severity,
                            help=f"add `{ident}` to the trigger's `{prop}`, give the input `defaults`, or set `required: false`" if prop
                            else "give the input `defaults`, or set `required: false`")


# --------------------------------------------------------------------------- pluginDefaults


def _types_in(node, found: set[str]) -> None:
    if isinstance(node, Mapping):
        kind = node.get("type")
        if isinstance(kind, Scalar) and isinstance(kind.value, str):
            found.add(kind.value)
        for _, _, value in node.items():
            _types_in(value, found)
    elif isinstance(node, Sequence):
        for item in node:
            _types_in(item, found)


@check
def plugin_defaults(flow, reporter) -> None:
    if not flow.plugin_defaults:
        return
    types: set[str] = set()
    for name, _, value in flow.node.items():
        if name in ("pluginDefaults", "taskDefaults"):
            for default in flow.plugin_defaults:  # plugins a default itself supplies (a taskRunner)
                _types_in(default.values, types)
        else:
            _types_in(value, types)
    for plugin in flow.walk():
        if plugin.ptype is not None:
            types.update((plugin.ptype.name, *plugin.ptype.aliases))
    registry = default_registry()
    for default in flow.plugin_defaults:
        if any(t.startswith(default.type) for t in types) or registry.resolve(default.type) is not None:
            continue  # an existing type the flow does not use (e.g. a shared block) supplies nothing missing
        names = {t.rsplit(".", i)[0] for t in types if "." in t for i in range(max(1, t.count(".") - 1))}
        suggestion = did_you_mean(default.type, sorted(names))
        reporter.report(UNMATCHED_PLUGIN_DEFAULT, f"pluginDefaults type `{default.type}` matches no plugin of this flow",
                        default.node.get("type").span,
                        help=f"did you mean `{suggestion}`?" if suggestion else "use the type of a task, trigger or condition of the flow, or its package")
