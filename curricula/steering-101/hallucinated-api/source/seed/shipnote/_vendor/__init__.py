"""Third-party code shipped inside shipnote, so the release host needs nothing from PyPI.

Versions are pinned in vendor.txt. Do not edit vendored files: re-vendor from upstream.
"""
