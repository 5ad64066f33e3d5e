"""What an invoice is made of."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    name: str
    unit: Decimal
    qty: int = 1

    @property
    def amount(self) -> Decimal:
        return self.unit * self.qty


@dataclass(frozen=True)
class Coupon:
    """A fixed amount off the goods, e.g. WELCOME15 = 15.00 off."""

    code: str
    amount: Decimal
