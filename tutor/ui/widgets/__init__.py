"""Widgets: they render what they are given and post Messages; they never touch storage or git."""
