from datetime import date

from timesheet.parse import Entry
from timesheet.report import format_hours, weekly_report
from timesheet.week import minutes_by_day, minutes_by_project

ENTRIES = [
    Entry(date(2024, 3, 4), 'acme', 240),
    Entry(date(2024, 3, 4), 'internal', 225),
    Entry(date(2024, 3, 5), 'acme', 150),
]


def test_minutes_by_day():
    assert minutes_by_day(ENTRIES) == {date(2024, 3, 4): 465, date(2024, 3, 5): 150}


def test_minutes_by_project():
    assert minutes_by_project(ENTRIES) == {'acme': 390, 'internal': 225}


def test_format_hours():
    assert format_hours(90) == '1:30'
    assert format_hours(615) == '10:15'


def test_weekly_report_ends_with_the_total():
    assert weekly_report(ENTRIES).splitlines()[-1] == 'total         10:15'
