"""Errors that end a command with exit code 2: printed as `flowc: error: ...`, no traceback."""


class UsageError(Exception):
    """A problem with what the user asked for: a bad option value, a missing path."""
