"""Diplomatic Events API: leader-level diplomacy as structured, source-traceable data."""

__version__ = "0.1.0"
