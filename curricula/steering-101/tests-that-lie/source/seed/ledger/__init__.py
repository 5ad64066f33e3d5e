"""ledger: invoice arithmetic for the shop."""

from .models import Coupon, Line
from .totals import invoice_total, subtotal

__all__ = ["Coupon", "Line", "invoice_total", "subtotal"]
