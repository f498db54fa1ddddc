"""The duration parser of the time tools (passthrough/tools/_durations.py, OpenProject's and ClickUp's):
every form people write, ISO 8601 both ways, and refusals of what is ambiguous, zero, over a day, or
hostile (long, odd characters), each in linear time."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from passthrough.sandbox.fakes.openproject._time_state import iso_duration, parse_iso_hours
from passthrough.tools._durations import iso_minutes, parse_duration, render_minutes, to_iso


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h 30m", 90),
        ("1h30m", 90),
        ("90m", 90),
        ("1.5h", 90),
        ("1,5h", 90),
        ("2h", 120),
        ("45 min", 45),
        ("45min", 45),
        ("45 minutes", 45),
        ("1 hour and 30 minutes", 90),
        ("2 hours", 120),
        ("1 hr 5 mins", 65),
        ("  1H  30M ", 90),
        ("1:30", 90),
        ("0:45", 45),
        ("1.5", 90),
        ("8.5", 510),
        ("2", 120),
        (".5h", 30),
        ("0.25h", 15),
        ("PT1H30M", 90),
        ("pt45m", 45),
        ("PT2H", 120),
        ("PT0.5H", 30),
        ("24h", 1440),
        ("1m", 1),
    ],
)
def test_every_form_people_write(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("minutes", "shown", "iso"),
    [(90, "1h 30m", "PT1H30M"), (120, "2h", "PT2H"), (45, "45m", "PT45M"), (1, "1m", "PT1M"), (1440, "24h", "PT24H")],
)
def test_rendered_back_and_sent_as_iso(minutes: int, shown: str, iso: str) -> None:
    assert render_minutes(minutes) == shown
    assert to_iso(minutes) == iso
    assert parse_duration(iso) == minutes
    assert parse_iso_hours(iso) == pytest.approx(minutes / 60)  # the fake reads what we send


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "give the time spent"),
        ("   ", "give the time spent"),
        ("0", "no time at all"),
        ("0h 0m", "no time at all"),
        ("PT0M", "no time at all"),
        ("25h", "more than 24 hours"),
        ("24h 1m", "more than 24 hours"),
        ("PT25H", "more than 24 hours"),
        ("1441m", "more than 24 hours"),
        ("-1h", "negative"),
        ("1h 30", "hours or minutes"),
        ("30 1h", "hours or minutes"),
        ("1d", "days and weeks are ambiguous"),
        ("1 week", "days and weeks are ambiguous"),
        ("30s", "seconds"),
        ("1.5m", "whole minutes"),
        ("1.33h", "79.8 minutes"),
        ("1h 90m", "ambiguous"),
        ("1.5h 10m", "ambiguous"),
        ("30m 1h", "hours once"),
        ("1h 1h", "hours once"),
        ("10m 5m", "minutes once"),
        ("1h and", "ends with 'and'"),
        ("and 1h", "not part of a duration"),
        ("1h and and 30m", "not part of a duration"),
        ("1 fortnight", "not a unit of time"),
        ("1e3h", "not a unit of time"),
        ("1..5h", "not a duration"),
        ("1,5.5h", "not a duration"),
        ("12345678h", "not a duration"),
        ("1:5", "hours:minutes"),
        ("1:75", "hours:minutes"),
        ("a:30", "hours:minutes"),
        ("P1H", "ISO 8601"),
        ("PT", "ISO 8601"),
        ("PT1M1H", "ISO 8601"),
        ("PT1H1H", "ISO 8601"),
        ("PT1.5", "ISO 8601"),
        ("PT0.5M", "whole minutes"),
        ("\u0661h", "not part of a duration"),
        ("P\u0661H", "ISO 8601"),
        ("1h;drop", "not part of a duration"),
        ("½h", "not part of a duration"),
        ("x" * 41, "at most 40 characters"),
    ],
)
def test_refusals_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=None) as caught:
        parse_duration(text)
    assert says in str(caught.value)


def test_iso_reading_of_what_openproject_sends() -> None:
    assert iso_minutes("PT19M59.88S") == Decimal("19.998")
    assert iso_minutes("P1DT2H") == 1560
    assert iso_duration(1.5) == "PT1H30M" and iso_duration(0) == "PT0S" and iso_duration(26) == "PT26H"
    assert parse_iso_hours("P1DT2H") == 26 and parse_iso_hours("1h") is None and parse_iso_hours("PT") is None


@pytest.mark.parametrize(
    "hostile",
    [
        "1" * 100_000,
        "1h " * 50_000,
        " " * 100_000 + "1h",
        "and " * 50_000,
        "P" + "T1H" * 30_000,
        "1:" * 50_000,
        "." * 100_000,
    ],
)
def test_hostile_input_is_refused_quickly(hostile: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError):
        parse_duration(hostile)
    with pytest.raises(ValueError):
        iso_minutes(hostile)
    assert time.perf_counter() - started < 0.05
