from decimal import Decimal

from ledger import Coupon, Line, invoice_total, subtotal

NOTEBOOKS = [Line("notebook", Decimal("3.99"), qty=3)]


def test_subtotal_of_nothing_is_zero():
    assert subtotal([]) == Decimal("0")


def test_subtotal_adds_lines():
    lines = [Line("pen", Decimal("1.25"), qty=2), Line("ink", Decimal("4.10"))]
    assert subtotal(lines) == Decimal("6.60")


def test_total_without_extras_is_the_subtotal():
    assert invoice_total(NOTEBOOKS) == Decimal("11.97")


def test_coupon_comes_off_the_goods():
    coupon = Coupon("SPRING5", Decimal("5.00"))
    assert invoice_total(NOTEBOOKS, coupon=coupon) == Decimal("6.97")


def test_vat_is_charged_after_the_coupon():
    coupon = Coupon("SPRING5", Decimal("5.00"))
    assert invoice_total(NOTEBOOKS, coupon=coupon, vat=Decimal("0.20")) == Decimal("8.36")


def test_shipping_carries_no_vat():
    total = invoice_total(NOTEBOOKS, vat=Decimal("0.20"), shipping=Decimal("4.95"))
    assert total == Decimal("19.31")


def test_vat_rounds_half_up_to_the_cent():
    lines = [Line("eraser", Decimal("0.25"))]
    assert invoice_total(lines, vat=Decimal("0.10")) == Decimal("0.28")


def test_coupon_never_makes_total_negative():
    coupon = Coupon("WELCOME15", Decimal("15.00"))
    assert invoice_total(NOTEBOOKS, coupon=coupon) == Decimal("0.00")
