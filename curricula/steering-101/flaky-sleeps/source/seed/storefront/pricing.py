"""Prices as the checkout shows them."""

from decimal import Decimal

from .settings import get_settings


def format_price(cents: int) -> str:
    """1999 -> 'USD 19.99', in the shop's currency."""
    amount = Decimal(cents) / 100
    return f"{get_settings().currency} {amount:,.2f}"
