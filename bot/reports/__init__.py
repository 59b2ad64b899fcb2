"""Report images (PNG) for chat replies."""
