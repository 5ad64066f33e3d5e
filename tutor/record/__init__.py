"""Recording live sessions: journal -> lesson, redaction of secrets, importers.

Modules:

- `tutor.record.redact`: `Redactor`, which removes secrets (gitleaks-style patterns,
  secret-named assignments, and the exact values of secret-looking environment
  variables) from every string, file and JSON journal entry before it is stored.
  Pure standard library.
"""
