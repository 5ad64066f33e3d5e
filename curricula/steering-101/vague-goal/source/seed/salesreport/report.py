"""The monthly sales report: units and revenue per product category."""

from .models import OrderLine, Product

WIDTH = 36


def _money(cents: int) -> str:
    return "{:,}.{:02d}".format(cents // 100, cents % 100)


def _find_product(products: list[Product], sku: str) -> Product:
    for product in products:
        if product.sku == sku:
            return product
    raise KeyError(f"unknown SKU {sku!r}")


def build_report(month: str, lines: list[OrderLine], products: list[Product]) -> str:
    units: dict[str, int] = {}
    revenue: dict[str, int] = {}
    for line in lines:
        product = _find_product(products, line.sku)
        units[product.category] = units.get(product.category, 0) + line.qty
        revenue[product.category] = revenue.get(product.category, 0) + line.cents

    report = "Sales report for " + month + "\n"
    report = report + "=" * WIDTH + "\n"
    report = report + "{:<14}{:>8}{:>14}\n".format("category", "units", "revenue")
    for category in sorted(revenue):
        report = report + "{:<14}{:>8}{:>14}\n".format(category, units[category], _money(revenue[category]))
    report = report + "-" * WIDTH + "\n"
    report = report + "{:<14}{:>8}{:>14}\n".format("total", sum(units.values()), _money(sum(revenue.values())))
    return report
