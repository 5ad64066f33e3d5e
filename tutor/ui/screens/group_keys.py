"""The keys of the group replay's two screens (their `HELP`, shown on `?`): more words than a binding's tooltip holds."""

from __future__ import annotations

HOST_KEYS = """\
# Keys

You run the session: participants see what you open, close and reveal, on their own screens.

| key | what it does |
| --- | --- |
| `space` | move on: in the lobby, open the first question; while it is open, close it (late answers are refused); once closed, reveal the senior's step; after a discussion, open the revote; after a reveal, on to the next question (or the end) |
| `d` | once a round is closed: a discussion (talk to someone who answered differently), then `space` opens a revote |
| `p` | pause (no answers are taken) and resume |
| `b` | look back at an earlier revealed step, on your screen only; `escape` returns to where the session is |
| `e` | end the session for everyone (after a yes) |
| `q` | quit: ends the session for everyone first (after a yes) |
| `?` | this help |

While a round is open only how many have answered shows; the spread shows once it is closed,
and only from the minimum group size. The room's counts are saved (tallies) after each reveal.
"""


JOIN_KEYS = """\
# Keys

The host moves the session on; you answer each question when it opens.

| key | what it does |
| --- | --- |
| `ctrl+s` | send your answer, from anywhere on the screen (once sent, it is in for this round) |
| `1` `2` `3` | confidence: low, medium, high (when no text field has focus) |
| `tab` / `shift+tab` | move between the form's fields |
| `enter` / `space` | choose the highlighted option |
| `escape` | leave the form; `tab` goes back in |
| `y` `p` `n`, `enter` | your own check after a reveal: mark each of the senior's points, then record the marks |
| `q` | leave the session (after a yes, while it runs) |
| `?` | this help |

Your text is kept: if the host closes a round while you type, it stays in the form and can be sent in
a revote. If the connection drops, Tutor reconnects and takes your seat back. Your answers are an
attempt in your own progress.
"""
