from storefront.pricing import format_price


def test_price_in_default_currency():
    assert format_price(1999) == "USD 19.99"


def test_price_groups_thousands():
    assert format_price(123450) == "USD 1,234.50"
