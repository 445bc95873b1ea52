"""Trappetrin: monitoring of social-housing departments on the Aalborg step model (no UI code here)."""

__version__ = "0.1.0"
