import pytest

from salesreport.models import OrderLine, Product
from salesreport.report import build_report

PRODUCTS = [
    Product("NB-001", "Dot-grid notebook", "paper"),
    Product("PN-002", "Gel pen, black", "pens"),
    Product("PN-003", "Fountain pen", "pens"),
    Product("BG-004", "Canvas tote", "bags"),
]

LINES = [
    OrderLine("A-1", "NB-001", 3, 399),
    OrderLine("A-1", "PN-002", 10, 150),
    OrderLine("A-2", "PN-003", 1, 4500),
    OrderLine("A-3", "BG-004", 2, 1250),
    OrderLine("A-3", "NB-001", 1, 399),
]

# The layout finance imports into their spreadsheet: it must not change.
EXPECTED = """\
Sales report for 2026-03
====================================
category         units       revenue
bags                 2         25.00
paper                4         15.96
pens                11         60.00
------------------------------------
total               17        100.96
"""


def test_report_keeps_the_agreed_layout():
    assert build_report("2026-03", LINES, PRODUCTS) == EXPECTED


def test_thousands_are_separated():
    lines = [OrderLine("B-1", "PN-003", 30, 4500)]
    assert "1,350.00" in build_report("2026-04", lines, PRODUCTS)


def test_a_month_without_orders_still_has_a_total_row():
    report = build_report("2026-05", [], PRODUCTS)
    assert report.endswith("total                0          0.00\n")


def test_unknown_sku_is_an_error():
    with pytest.raises(KeyError, match="ZZ-999"):
        build_report("2026-03", [OrderLine("C-1", "ZZ-999", 1, 100)], PRODUCTS)
