"""Compile flows into standalone Python scripts (see generate.py)."""
from .generate import generate

__all__ = ["generate"]
