"""Screens: they call services and hand widgets what to show."""
