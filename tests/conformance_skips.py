"""Conformance cases skipped, each with its reason. Only Java's 32/64-bit number quirks and
the JDK-dependent locale date styles may be skipped (conformance/README.md)."""

SKIPS: dict[str, str] = {}
