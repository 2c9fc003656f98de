"""The regulator's models, one module per concern (listing rules, oversight, tax, reports)."""
