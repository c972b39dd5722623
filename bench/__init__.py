"""Benchmarks at national scale: `make bench` (bench/run.py)."""
