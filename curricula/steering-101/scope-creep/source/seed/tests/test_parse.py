from datetime import date

import pytest

from timesheet.parse import Entry, parse_duration, parse_line, parse_lines


@pytest.mark.parametrize('text, minutes', [('1h30m', 90), ('45m', 45), ('2h', 120), (' 8h5m ', 485)])
def test_parse_duration(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize('text', ['', 'h', '90', '1h30'])
def test_parse_duration_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_line():
    assert parse_line('2024-03-05 acme 1h30m') == Entry(date(2024, 3, 5), 'acme', 90)


def test_parse_lines_skips_comments_and_blank_lines():
    assert len(parse_lines(['# week 10', '', '2024-03-05 acme 2h'])) == 1
