"""The Textual interface. The only package that imports Textual; only `tutor.cli` imports it."""
