"""Parse a template into the AST: Pebble's lexer, the Lark LALR grammar (pebble.lark, built
once), then a transformer that groups operator chains by Pebble's precedence climbing and
turns Lark's parse errors into messages a person understands."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer

from . import ast
from .lexer import LexError, lex

CONSTANTS = {"true": (True, "boolean"), "TRUE": (True, "boolean"), "false": (False, "boolean"),
             "FALSE": (False, "boolean"), "null": (None, "null"), "NULL": (None, "null"),
             "none": (None, "null"), "NONE": (None, "null")}
PRECEDENCE = {"or": 10, "and": 15, "is": 20, "is not": 20, "contains": 20, "isIn": 20, "==": 30, "equals": 30, "!=": 30,
              "<": 30, ">": 30, "<=": 30, ">=": 30, "+": 40, "-": 40, "*": 60, "/": 60, "%": 60, "|": 100,
              "~": 110, "..": 120, "??": 120, "???": 120}
MAX_NESTING = 100  # brackets/operators nested deeper are refused (no recursion blow-up)
MAX_TEMPLATE = 1_000_000  # characters


class TemplateSyntaxError(Exception):
    """A syntax error at `offset` (to `end`) in the template text."""

    def __init__(self, message: str, offset: int, end: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.end = end if end is not None else offset + 1


class _TokenFeed(Lexer):
    """Lark's lexer slot: the tokens come already made by compiler.expr.lexer."""

    def __init__(self, lexer_conf) -> None:
        pass

    def lex(self, tokens, parser_state=None):
        return iter(tokens)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).parent / "pebble.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", lexer=_TokenFeed, propagate_positions=True, maybe_placeholders=True)


def parse(template: str) -> ast.Template:
    """The AST of `template`; raises TemplateSyntaxError."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateSyntaxError(f"template is longer than {MAX_TEMPLATE:,} characters", 0, 1)
    try:
        lexed = lex(template)
    except LexError as e:
        raise TemplateSyntaxError(e.message, e.offset, e.end) from None
    _check_nesting(lexed.tokens)
    try:
        tree = _lark().parse(lexed.tokens)
    except UnexpectedInput as e:
        raise _friendly(e, lexed.tokens, template) from None
    try:
        body = _ToAst().transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, TemplateSyntaxError):
            raise e.orig_exc from None
        raise
    return ast.Template(body, lexed.raw_blocks, span=(0, len(template)))


def _check_nesting(tokens: list[Token]) -> None:
    depth = 0
    for tok in tokens:
        if tok.type in ("LPAR", "LSQB", "LBRACE", "INTERP_OPEN", "NOT", "MINUS", "PLUS"):
            depth += 1
            if depth > MAX_NESTING:
                raise TemplateSyntaxError(f"expression nested more than {MAX_NESTING} levels deep", tok.start_pos, tok.end_pos)
        elif tok.type in ("RPAR", "RSQB", "RBRACE", "INTERP_CLOSE", "PRINT_CLOSE", "TAG_CLOSE"):
            depth = 0 if tok.type in ("PRINT_CLOSE", "TAG_CLOSE") else max(0, depth - 1)


# --------------------------------------------------------------------------- friendly errors

_DESCRIBE = {"PRINT_CLOSE": "`}}`", "TAG_CLOSE": "`%}`", "PRINT_OPEN": "`{{`", "TAG_OPEN": "`{%`", "RPAR": "`)`",
             "RSQB": "`]`", "RBRACE": "`}`", "LPAR": "`(`", "LSQB": "`[`", "LBRACE": "`{`", "DOT": "`.`",
             "TAG_ENDIF": "`{% endif %}`", "TAG_ENDFOR": "`{% endfor %}`", "TAG_ELSE": "`{% else %}`",
             "COMMA": "`,`", "COLON": "`:`", "QMARK": "`?`", "ASSIGN": "`=`", "TEXT": "text", "$END": "the end"}
_CLOSERS = {"TAG_IF": "{% endif %}", "TAG_FOR": "{% endfor %}", "TAG_MACRO": "{% endmacro %}",
            "TAG_BLOCK": "{% endblock %}", "TAG_FILTER": "{% endfilter %}"}


def _describe(tok: Token) -> str:
    if tok.type in _DESCRIBE:
        return _DESCRIBE[tok.type]
    if tok.type == "NAME":
        return f"`{tok}`"
    if tok.type in ("NUMBER", "LONG"):
        return f"number `{tok}`"
    if tok.type in ("STRING", "DQ_OPEN"):
        return "a string"
    return f"`{tok}`"


def _friendly(e: UnexpectedInput, tokens: list[Token], template: str) -> TemplateSyntaxError:
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        opener = _unclosed_tag(tokens)
        if opener is not None:
            return TemplateSyntaxError(f"missing `{_CLOSERS[opener.type]}` for this `{{% {opener} %}}`",
                                       opener.start_pos, opener.end_pos)
        end = len(template)
        return TemplateSyntaxError("the template ends too early", max(0, end - 1), end)
    if not isinstance(e, UnexpectedToken):  # pragma: no cover - the token feed never fails to lex
        return TemplateSyntaxError(str(e), getattr(e, "pos_in_stream", 0) or 0)
    tok: Token = e.token
    index = next((i for i, t in enumerate(tokens) if t is tok or t.start_pos == tok.start_pos), None)
    prev = tokens[index - 1] if index else None
    expected = set(e.expected)
    start, end = tok.start_pos, tok.end_pos
    if prev is not None and prev.type == "DOT" and "NAME" in expected:
        if tok.type in ("PRINT_CLOSE", "TAG_CLOSE"):
            return TemplateSyntaxError("expected an attribute name after `.`", prev.start_pos, prev.end_pos)
        return TemplateSyntaxError(f"unexpected {_describe(tok)} after `.`: expected an attribute name"
                                   + (" (a word operator cannot be an attribute: use `['" + str(tok) + "']`)" if tok.type in ("BINOP", "NOT", "IS", "ISNOT") else ""),
                                   start, end)
    if tok.type in ("PRINT_CLOSE", "TAG_CLOSE"):
        if prev is not None and (prev.type == "PRINT_OPEN" or prev.type.startswith("TAG_")):
            return TemplateSyntaxError("`{{ }}` holds no expression", prev.start_pos, end)
        if prev is not None and prev.type in ("BINOP", "PIPE", "MINUS", "PLUS", "NOT", "IS", "ISNOT"):
            return TemplateSyntaxError(f"missing an operand after `{prev}`", prev.start_pos, prev.end_pos)
        if "COLON" in expected:
            return TemplateSyntaxError("incomplete conditional: `? ... :` needs both branches", start, end)
        return TemplateSyntaxError(f"unexpected {_describe(tok)}: the expression is incomplete", start, end)
    if "PRINT_CLOSE" in expected or "TAG_CLOSE" in expected:
        closer = "`}}`" if "PRINT_CLOSE" in expected else "`%}`"
        if tok.type == "DOT" and prev is not None and prev.type in ("RSQB", "RBRACE"):
            return TemplateSyntaxError("a list or map literal cannot be followed by `.` or `[`: wrap it in parentheses",
                                       start, end)
        if tok.type == "LSQB" and prev is not None and prev.type in ("RSQB", "RBRACE"):
            return TemplateSyntaxError("a list or map literal cannot be followed by `.` or `[`: wrap it in parentheses",
                                       start, end)
        return TemplateSyntaxError(f"unexpected {_describe(tok)}: expected an operator or {closer}", start, end)
    if tok.type in ("RPAR", "RSQB", "RBRACE") and prev is not None and prev.type == "COMMA":
        return TemplateSyntaxError(f"a trailing `,` is not allowed before {_describe(tok)}", prev.start_pos, prev.end_pos)
    if tok.type in ("TAG_ELSEIF", "TAG_ELSE", "TAG_ENDIF", "TAG_ENDFOR", "TAG_ENDMACRO", "TAG_ENDBLOCK", "TAG_ENDFILTER"):
        return TemplateSyntaxError(f"`{{% {tok} %}}` without its opening tag", start, end)
    wanted = sorted(_DESCRIBE.get(x, f"`{x.lower()}`" if x.isupper() and x not in ("NAME", "STRING") else x.lower()) for x in expected)
    return TemplateSyntaxError(f"unexpected {_describe(tok)}" + (f"; expected {', '.join(wanted[:6])}" if wanted else ""), start, end)


def _unclosed_tag(tokens: list[Token]) -> Token | None:
    stack: list[Token] = []
    for tok in tokens:
        if tok.type in _CLOSERS:
            stack.append(tok)
        elif tok.type.startswith("TAG_END") and stack:
            stack.pop()
    return stack[-1] if stack else None


# --------------------------------------------------------------------------- tree -> AST


def _span(x) -> ast.Span:
    if isinstance(x, Token):
        return (x.start_pos, x.end_pos)
    if isinstance(x, ast.Node):
        return x.span
    meta = x.meta
    return (meta.start_pos, meta.end_pos) if not meta.empty else (0, 0)


def _join(a: ast.Span, b: ast.Span) -> ast.Span:
    return (a[0], b[1])


def _unescape(raw: str) -> str:
    # literal parts of an interpolating string are taken raw (pebble.md §1.6)
    return raw


class _ToAst(Transformer):
    # -- template

    def start(self, items):
        return items[0]

    def body(self, items):
        return list(items)

    def text(self, items):
        tok = items[0]
        return ast.Text(str(tok), span=_span(tok))

    def print(self, items):
        return ast.Print(items[1], span=_join(_span(items[0]), _span(items[2])))

    def if_tag(self, items):
        cond, body = items[1], items[3]
        rest = [i for i in items[4:] if isinstance(i, tuple)]
        branches = [(cond, body)] + [r for r in rest if r[0] != "else"]
        otherwise = next((r[1] for r in rest if r[0] == "else"), None)
        return ast.If(branches, otherwise, span=_join(_span(items[0]), _span(items[-1])))

    def elseif(self, items):
        return (items[1], items[3])

    def else_clause(self, items):
        return ("else", items[2])

    def for_tag(self, items):
        var, word, iterable, body = items[1], items[2], items[3], items[5]
        if str(word) != "in":
            raise TemplateSyntaxError(f"expected `in` after the loop variable, got `{word}` (`for` takes one variable)",
                                      word.start_pos, word.end_pos)
        otherwise = next((i[1] for i in items[6:] if isinstance(i, tuple)), None)
        self._assignable(var)
        return ast.For(str(var), iterable, body, otherwise, span=_join(_span(items[0]), _span(items[-1])))

    def set_tag(self, items):
        self._assignable(items[1])
        return ast.Set(str(items[1]), items[3], span=_join(_span(items[0]), _span(items[-1])))

    @staticmethod
    def _assignable(tok: Token) -> None:
        if str(tok) in ("true", "false", "null", "none"):
            raise TemplateSyntaxError(f"cannot assign a value to `{tok}`", tok.start_pos, tok.end_pos)

    def macro_tag(self, items):
        name = items[1]
        params = [i for i in items if isinstance(i, tuple)]
        body = next(i for i in items if isinstance(i, list))
        return ast.Macro(str(name), params, body, span=_join(_span(items[0]), _span(items[-1])))

    def macro_param(self, items):
        return (str(items[0]), items[2] if len(items) > 2 else None)

    def block_tag(self, items):
        name = items[1]
        body = next(i for i in items if isinstance(i, list))
        return ast.Block(name, body, span=_join(_span(items[0]), _span(items[-1])))

    def block_name(self, items):
        return str(items[0])

    def filter_tag(self, items):
        filters = [i for i in items if isinstance(i, tuple)]
        body = next(i for i in items if isinstance(i, list))
        return ast.FilterBlock([(n, a, k) for n, a, k, _ in filters], body, span=_join(_span(items[0]), _span(items[-1])))

    # -- expressions

    def ternary(self, items):
        cond, _, then, _, otherwise = items
        return ast.Ternary(cond, then, otherwise, span=_join(cond.span, otherwise.span))

    def chain(self, items):
        operand, links = items[0], items[1:]
        result, rest = _climb(operand, links, 0, 0)
        return result

    def binary(self, items):
        return ("binary", items[0], items[1])

    def filter(self, items):
        return ("filter", items[0], items[1])

    def test(self, items):
        return ("test", items[0], items[1])

    def test_not(self, items):
        return ("test_not", items[0], items[1])

    def unary(self, items):
        op, operand = items
        return ast.Unary(str(op), operand, span=_join(_span(op), operand.span))

    def attribute(self, items):
        obj, _, name = items
        return ast.Attribute(obj, str(name), name_span=_span(name), span=_join(obj.span, _span(name)))

    def method(self, items):
        obj, _, name, (args, kwargs, end) = items
        if kwargs:
            raise TemplateSyntaxError("a method call takes positional arguments only", kwargs[0][1].span[0], kwargs[0][1].span[1])
        return ast.MethodCall(obj, str(name), args, span=(obj.span[0], end))

    def subscript(self, items):
        obj, _, index, close = items
        return ast.Subscript(obj, index, span=(obj.span[0], close.end_pos))

    def name(self, items):
        tok = items[0]
        if str(tok) in CONSTANTS:
            value, kind = CONSTANTS[str(tok)]
            return ast.Literal(value, kind, span=_span(tok))
        return ast.Name(str(tok), span=_span(tok))

    def call(self, items):
        name, (args, kwargs, end) = items
        return ast.Call(str(name), args, kwargs, span=(name.start_pos, end))

    def long(self, items):
        tok = items[0]
        return _integer(tok, str(tok)[:-1])

    def number(self, items):
        tok = items[0]
        text = str(tok)
        if "." in text:
            return ast.Literal(float(text), "double", span=_span(tok))
        return _integer(tok, text)

    def plain_string(self, items):
        tok = items[0]
        return ast.Literal(str(tok), "string", span=_span(tok))

    def interpolated(self, items):
        parts = []
        for item in items[1:-1]:
            parts.append(_unescape(str(item)) if isinstance(item, Token) else item)
        return ast.Interpolated(parts, span=_join(_span(items[0]), _span(items[-1])))

    def interpolation(self, items):
        return items[1]

    def group(self, items):
        inner = items[1]
        return inner

    def list_lit(self, items):
        values = [i for i in items[1:-1] if isinstance(i, ast.Node)]
        return ast.ListLit(values, span=_join(_span(items[0]), _span(items[-1])))

    def map_lit(self, items):
        entries = [i for i in items[1:-1] if isinstance(i, tuple)]
        return ast.MapLit(entries, span=_join(_span(items[0]), _span(items[-1])))

    def map_entry(self, items):
        return (items[0], items[2])

    def filter_call(self, items):
        name = items[0]
        args, kwargs, end = items[1] if len(items) > 1 and items[1] is not None else ([], [], name.end_pos)
        return (str(name), args, kwargs, (name.start_pos, end))

    test_call = filter_call

    def call_args(self, items):
        args: list = []
        kwargs: list = []
        for item in items[1:-1]:
            if item is None or isinstance(item, Token):
                continue
            if isinstance(item, tuple):
                kwargs.append(item)
            else:
                if kwargs:
                    raise TemplateSyntaxError("a positional argument cannot follow a named argument", item.span[0], item.span[1])
                args.append(item)
        return (args, kwargs, items[-1].end_pos)

    def positional(self, items):
        return items[0]

    def named(self, items):
        return (str(items[0]), items[2])


def _integer(tok: Token, digits: str) -> ast.Literal:
    value = int(digits)
    if value > 2**63 - 1:
        raise TemplateSyntaxError(f"number `{digits}` is too large (at most 9223372036854775807)", tok.start_pos, tok.end_pos)
    return ast.Literal(value, "long", span=_span(tok))


def _climb(left, links: list, index: int, min_prec: int):
    """Pebble's precedence climbing over the flat chain `operand (link)*`: every binary
    operator is left-associative; a filter or test applies to everything parsed so far."""
    while index < len(links):
        kind, op_tok, payload = links[index]
        op = "is" if kind == "test" else "is not" if kind == "test_not" else str(op_tok)
        prec = PRECEDENCE[op]
        if prec < min_prec:
            break
        index += 1
        if kind == "filter":
            name, args, kwargs, span = payload
            left = ast.Filter(left, name, args, kwargs, name_span=span, span=(left.span[0], span[1]))
        elif kind in ("test", "test_not"):
            name, args, kwargs, span = payload
            left = ast.Test(left, name, args, kind == "test_not", name_span=span, span=(left.span[0], span[1]))
        else:
            right, index = _climb(payload, links, index, prec + 1)
            left = ast.Binary("==" if op == "equals" else op, left, right, span=(left.span[0], right.span[1]))
    return left, index
