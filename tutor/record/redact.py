"""Redaction of secrets from everything a live session stores: see `tutor.redaction`.

This module keeps the old import path working: `from tutor.record.redact import Redactor`.
"""

from __future__ import annotations

from tutor.redaction import MARKER, MIN_ENV_VALUE, MIN_EXTRA_VALUE, Finding, Redactor, marker, names_a_secret

__all__ = ["MARKER", "MIN_ENV_VALUE", "MIN_EXTRA_VALUE", "Finding", "Redactor", "marker", "names_a_secret"]
