"""Barcode photo benchmark: python -m bench.barcodes"""
