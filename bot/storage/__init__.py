"""The shared store: a small protocol per concern, their SQL implementations with migrations, and
retention."""
