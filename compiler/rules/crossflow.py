"""crossflow rules (being written)."""
