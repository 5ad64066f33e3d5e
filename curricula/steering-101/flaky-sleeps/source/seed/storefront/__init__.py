"""storefront: prices and settings for the shop's checkout."""
