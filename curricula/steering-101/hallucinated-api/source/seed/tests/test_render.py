from shipnote import bullet, render_email, subject

CSV_ITEM = (
    "Exports to CSV now keep the column order you chose in the table view, "
    "including hidden columns, instead of sorting them alphabetically."
)


def test_subject_fits_on_one_line():
    line = subject("Ledgerly", "3.8", "Faster exports, a calmer sidebar and " * 4)
    assert line.startswith("Ledgerly 3.8: Faster exports")
    assert line.endswith("...")
    assert len(line) <= 72


def test_short_bullet_is_one_line():
    assert bullet("Dark mode   follows the system setting.") == ["- Dark mode follows the system setting."]


def test_long_bullets_wrap_under_their_text():
    assert bullet(CSV_ITEM) == [
        "- Exports to CSV now keep the column order you chose in the table view,",
        "  including hidden columns, instead of sorting them alphabetically.",
    ]


def test_empty_sections_are_left_out():
    body = render_email("Ledgerly", "3.8", {"Added": [], "Fixed": ["Totals round half up."]})
    assert "Added" not in body
    assert "Fixed\n-----\n- Totals round half up.\n" in body


def test_no_line_in_the_email_is_too_long():
    body = render_email("Ledgerly", "3.8", {"Changed": [CSV_ITEM, CSV_ITEM.upper()]})
    assert max(len(line) for line in body.splitlines()) <= 72
