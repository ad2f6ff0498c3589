"""Scoring and ranking of bureaus."""
