from decimal import Decimal

from ledger import Line


def test_line_amount_multiplies_quantity():
    assert Line("pen", Decimal("1.25"), qty=4).amount == Decimal("5.00")


def test_line_quantity_defaults_to_one():
    assert Line("stapler", Decimal("8.40")).amount == Decimal("8.40")
