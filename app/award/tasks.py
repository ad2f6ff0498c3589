"""Dashboard tasks (stub)."""
