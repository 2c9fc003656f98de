"""The regulator's pages, one module per concern."""
