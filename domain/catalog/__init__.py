"""Catalogue use cases: finding products and locations by what was scanned."""
