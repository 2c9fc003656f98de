"""Forms of the listing policy, one module per concern."""
