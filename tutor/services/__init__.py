"""Services the screens and commands call: they join the pure core (lesson, learn) to storage.

No Textual here; screens stay thin and these stay testable without a terminal.
"""
