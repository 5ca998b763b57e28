"""flowc: check, draw and compile Kestra flows offline.

The pipeline (see README): source -> schema (model) -> structure rules -> reporters.
"""
__version__ = "0.1.0"

__all__ = ["__version__", "render", "RenderError"]


def __getattr__(name: str):
    # The expression engine (and Lark) load only when used: `flowc --version` stays instant.
    if name in ("render", "RenderError"):
        from . import expr

        return getattr(expr, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
