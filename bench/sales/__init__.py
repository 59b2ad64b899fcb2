"""Customer search benchmark: python -m bench.sales"""
