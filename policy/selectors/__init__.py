"""Reads of the listing policy, one module per concern."""
