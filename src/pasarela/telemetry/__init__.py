"""Metrics and, later, request records, feedback and drift."""
