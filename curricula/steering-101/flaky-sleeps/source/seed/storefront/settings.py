"""Shop settings, read from the TOML file named by STOREFRONT_CONFIG (none: the defaults)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    currency: str = "USD"


_cached: Settings | None = None


def get_settings() -> Settings:
    """The shop's settings: the file is read on first use and cached for the life of the process."""
    global _cached
    if _cached is None:
        _cached = _load(os.environ.get("STOREFRONT_CONFIG"))
    return _cached


def reload() -> Settings:
    """Forget the cached settings and read the file again (after the config has changed)."""
    global _cached
    _cached = None
    return get_settings()


def _load(path: str | None) -> Settings:
    if not path:
        return Settings()
    with open(path, "rb") as file:
        data = tomllib.load(file)
    return Settings(currency=data.get("currency", Settings.currency))
