"""The regulator's write operations, one module per concern."""
