"""Benchmarks: a synthetic 1M-event dataset, a hand-written floor server and the driver.

See docs/performance.md. `python -m bench.generate`, `python -m bench.run` (or `make bench`).
"""
