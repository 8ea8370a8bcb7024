"""Plugin module (being built)."""
