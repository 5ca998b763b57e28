"""Functions of newer Kestra versions that flowc knows but its runtime does not run.

They are declared, with their parameters, so that the checker accepts flows that use them;
rendering one fails with a message saying so, never with a wrong result.
"""
from __future__ import annotations

from .errors import RenderError
from .signatures import Param, function


def _declare(name: str, params, returns: str, since: str) -> None:
    def unsupported(*args, **kwargs):
        raise RenderError(f"{name}() (Kestra {since}+) is not supported by flowc's runtime")

    unsupported.__doc__ = f"Kestra {since}+: known to the checker, not run by flowc."
    function(name, params=params, returns=returns)(unsupported)


for _name, _params, _returns, _since in (
    # Kestra reads uri, method, contentType and accept as text (toString), headers and query as maps
    ("http", [Param("uri"), Param("method"), Param("query", "map"), Param("body"), Param("contentType"),
              Param("headers", "map"), Param("options"), Param("accept")], "any", "0.23"),
    ("fileExists", [Param("path", "string")], "boolean", "0.23"),
    ("isFileEmpty", [Param("path", "string")], "boolean", "0.23"),
    ("fileEmpty", [Param("path", "string")], "boolean", "0.23"),
    ("randomPort", [], "integer", "0.23"),
    ("tasksWithState", [Param("state", "string")], "list", "0.23"),
    # a length that is not a Long, or an alphabet that is not a String, is ignored (the defaults apply)
    ("nanoId", [Param("length"), Param("alphabet")], "string", "1.0"),
    ("ksuid", [], "string", "1.0"),
    ("subflow", None, "any", "2.0"),
):
    _declare(_name, _params, _returns, _since)
