"""Tutor: learn to steer coding agents by replaying and pairing."""

__version__ = "0.1.0"
