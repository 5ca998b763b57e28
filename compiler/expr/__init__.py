"""Kestra expressions: parse (Lark), compile to Python, render.

    render(template, context, typed=False) -> str | value     (raises RenderError)
    compile_template(template) -> Compiled                    (cached by text)
    parse(template) -> ast.Template                           (raises TemplateSyntaxError)
"""
from __future__ import annotations

from .engine import Compiled, RenderError, compile_template, render
from .parser import TemplateSyntaxError, parse

__all__ = ["Compiled", "RenderError", "compile_template", "render", "TemplateSyntaxError", "parse"]
