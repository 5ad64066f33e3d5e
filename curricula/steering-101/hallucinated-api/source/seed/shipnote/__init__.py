"""shipnote: release notes in, plain-text customer email out."""

from .render import bullet, render_email, subject

__all__ = ["bullet", "render_email", "subject"]
