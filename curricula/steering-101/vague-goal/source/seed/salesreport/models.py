"""The shop's data as the report sees it: the product catalogue and the order export."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str


@dataclass(frozen=True)
class OrderLine:
    order_id: str
    sku: str
    qty: int
    unit_cents: int  # the price actually charged, in cents

    @property
    def cents(self) -> int:
        return self.qty * self.unit_cents
