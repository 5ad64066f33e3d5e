from pagerlog import summary


def test_incident_2291_as_reported_by_on_call():
    line = summary("INC-2291", "Checkout errors", "2024-03-10T01:50:00-08:00", "2024-03-10T03:05:00-07:00")
    assert line == "INC-2291 Checkout errors: 15 min"


def test_hours_are_spelled_out():
    line = summary("INC-2304", "Search timeouts", "2024-03-14T08:10:00Z", "2024-03-14T10:15:00Z")
    assert line == "INC-2304 Search timeouts: 2 h 5 min"
