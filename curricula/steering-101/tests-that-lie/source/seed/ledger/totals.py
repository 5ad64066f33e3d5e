"""Invoice totals.

House rules, agreed with finance:

- A coupon is a fixed amount off the goods. It never pays for shipping.
- VAT is charged on the goods after the coupon. Shipping carries no VAT.
- Every figure is rounded half-up to the cent.
"""

from decimal import ROUND_HALF_UP, Decimal

from .models import Coupon, Line

CENT = Decimal("0.01")
ZERO = Decimal("0")


def subtotal(lines: list[Line]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def invoice_total(lines: list[Line], coupon: Coupon | None = None, *, vat: Decimal = ZERO, shipping: Decimal = ZERO) -> Decimal:
    goods = subtotal(lines)
    if coupon is not None:
        goods -= coupon.amount
    tax = (goods * vat).quantize(CENT, rounding=ROUND_HALF_UP)
    total = goods + tax + shipping
    return total.quantize(CENT, rounding=ROUND_HALF_UP)
