"""Metrics, traces and logs. Business code only imports ``metrics`` and counts what happened."""
