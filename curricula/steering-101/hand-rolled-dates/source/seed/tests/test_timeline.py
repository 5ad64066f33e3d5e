from pagerlog import duration_minutes


def test_same_offset():
    assert duration_minutes("2024-05-02T14:00:00+02:00", "2024-05-02T15:30:00+02:00") == 90


def test_utc_with_milliseconds():
    assert duration_minutes("2024-03-10T09:15:30.250Z", "2024-03-10T09:45:30.250Z") == 30


def test_pager_bridge_stamps_without_offset_are_utc():
    assert duration_minutes("2024-03-10T09:50:00", "2024-03-10T10:05:00Z") == 15


def test_across_the_dst_change():
    # US clocks went from 02:00 PST to 03:00 PDT on 2024-03-10: 09:50Z to 10:05Z.
    assert duration_minutes("2024-03-10T01:50:00-08:00", "2024-03-10T03:05:00-07:00") == 15


def test_regions_with_different_offsets():
    assert duration_minutes("2024-03-10T09:50:00Z", "2024-03-10T12:05:00+02:00") == 15
