"""Writes of the catalog, one module per concern: categories, products, photos, imports."""
