"""A small writer for generated Python: indentation, and a `# file:line` source-map comment
beside the lines that come from the flow file."""
from __future__ import annotations


def comment(text: str) -> str:
    """Text safe inside a `#` comment: one line, printable."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def line(self, code: str = "", where: str | None = None) -> None:
        text = "    " * self.depth + code if code else ""
        if where is not None:
            text = f"{text}  # {comment(where)}"
        self.lines.append(text)

    def block(self, source: str) -> None:
        """Lines of already-generated source (a compiled template), indented as the writer is."""
        for raw in source.rstrip("\n").split("\n"):
            self.line(raw)

    def indent(self) -> None:
        self.depth += 1

    def outdent(self) -> None:
        self.depth -= 1

    def section(self, title: str, where: str | None = None) -> None:
        head = f"# {'-' * 8} {comment(title)} "
        self.line()
        self.line()
        self.line(head + "-" * max(4, 88 - len(head)), where)

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"
