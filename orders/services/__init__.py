"""Writes of orders, one module per concern: cart, checkout, fulfilment, after-sales."""
