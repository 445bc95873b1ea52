"""Helpers shared by the test tiers (and the benchmarks): demo databases, browser driving."""
