"""The lesson screen's help text, apart from the help screen: the lesson screen needs only these words, not the Markdown widget that shows them."""

from __future__ import annotations

# The lesson screens' keys (LessonScreen.HELP): they need more words than a binding's tooltip.
LESSON_KEYS = """\
# Keys

While a question's answer form has focus, letters are the form's: they type into its
text fields and never move, quit or open anything. `escape` leaves the form; then the
single-letter keys act again, and `tab` goes back in. What you put in a form is kept as a
draft until you submit it: through `p` and `n`, leaving, and quitting.

| key | what it does |
| --- | --- |
| `n` or `→` | next step (outside an answer form) |
| `p` or `←` | previous step (outside an answer form) |
| `ctrl+s` | submit the current answer, from anywhere on the screen |
| `ctrl+g` | skip the current question: it scores zero and the step is revealed |
| `y` `p` `n` | your own check, after a reveal: mark each of the senior's points (I said this, partly, no); `enter` records the marks |
| `1` `2` `3` | confidence: low, medium, high (when no text field has focus) |
| `tab` / `shift+tab` | move between fields |
| `enter` / `space` | choose the highlighted option |
| `escape` | leave the answer form; outside it, back to the library (your place and draft are kept) |
| `i` | investigate the code as of the steps revealed so far (lessons with a repository) |
| `ctrl+o` | the same, from inside an answer form |
| `r` | retry a finished lesson (a new attempt) |
| `n` on the score card | the next lesson of the curriculum |
| `ctrl+p` | command palette: open any lesson, the review queue, every action |
| `?` | this help |
| `q` | quit (outside an answer form); with a drafted answer it asks first |
| `ctrl+q` | quit, from anywhere; with a drafted answer it asks first (`y` quits, the draft is kept) |

After you submit or skip, the answer form lets go of the keyboard, so `n` works at once.
Keys you press while a screen is still opening are kept and act, in order, once it can.
Your answers are saved as you give them; your place once you pause, and whenever you leave.
"""
