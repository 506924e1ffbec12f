"""Helpers for the serving benchmark in ``benchmarks/run.py``."""
