"""literals rules (being written)."""
