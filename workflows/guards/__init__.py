"""Guard implementations, one module per stage of the tender procedure."""
