"""Benchmarks: figures, and ratios against the bare component measured in the same run."""
