"""The shared store: its interface, its SQL implementation with migrations, and retention."""
