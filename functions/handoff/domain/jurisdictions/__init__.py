"""Jurisdiction rule pack and its pure computations (not legal advice)."""
