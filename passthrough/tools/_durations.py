"""Durations as people write them, shared by the time tools of every provider (OpenProject, ClickUp).

`parse_duration` reads `1h 30m`, `90m`, `1.5h`, `2h`, `45 min`, `1 hour and 30 minutes`, `1:30`, a bare
`1.5` meaning hours, or ISO 8601 `PT1H30M`, in one left-to-right pass with no regular expression, into
whole minutes, and refuses what is ambiguous (`1h 30`, days), zero, or more than 24 hours for one entry
(each message says what to write instead). `render_minutes` writes minutes back as `1h 30m`, `to_iso`
as ISO 8601.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_MINUTES = 24 * 60
_MAX_TEXT = 40
_HOURS = frozenset({"h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden"})
_MINUTES = frozenset({"m", "min", "mins", "minute", "minutes", "minuten"})
_DAYS = frozenset({"d", "day", "days", "w", "wk", "week", "weeks", "t", "tag", "tage"})
_SECONDS = frozenset({"s", "sec", "secs", "second", "seconds"})
EXAMPLES = "e.g. 1h 30m, 90m, 1.5h, 2h, 45 min"


def _number(text: str, what: str) -> Decimal:
    """A short unsigned decimal (`1`, `1.5`, `1,5`, `.5`); anything else is refused."""
    if not text or len(text) > 7 or text.count(".") + text.count(",") > 1 or text in (".", ","):
        raise ValueError(f"'{what}' is not a duration ({EXAMPLES})")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"'{what}' is not a duration ({EXAMPLES})") from None


def _whole_minutes(value: Decimal, what: str) -> int:
    if value != value.to_integral_value():
        raise ValueError(f"'{what}' is {value.normalize():f} minutes; give whole minutes ({EXAMPLES})")
    return int(value)


def _tokens(text: str) -> list[tuple[str, str]]:
    """`1h 30 min` → [("1", "h"), ("30", "min")]: one pass, a number then an optional word, spaces between."""
    tokens: list[tuple[str, str]] = []
    joined = False  # an "and" waits for the part it joins
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        start = i
        while i < n and ((text[i].isascii() and text[i].isdigit()) or text[i] in ".,"):
            i += 1
        number = text[start:i]
        while i < n and text[i] == " ":
            i += 1
        word_start = i
        while i < n and text[i].isascii() and text[i].isalpha():
            i += 1
        word = text[word_start:i]
        if not number:
            if word == "and" and tokens and not joined:
                joined = True
                continue
            bad = text[start] if word_start == i else word
            raise ValueError(f"'{bad}' is not part of a duration ({EXAMPLES})")
        joined = False
        tokens.append((number, word))
    if joined:
        raise ValueError(f"'{text}' ends with 'and'; say what it adds, e.g. 1 hour and 30 minutes")
    return tokens


def _clock(text: str) -> int:
    """`1:30` → 90 (hours:minutes, minutes two digits)."""
    hours, _, minutes = text.partition(":")
    if not hours.isascii() or not hours.isdigit() or len(hours) > 2:
        raise ValueError(f"'{text}' is not hours:minutes, e.g. 1:30")
    if not minutes.isascii() or not minutes.isdigit() or len(minutes) != 2 or int(minutes) >= 60:
        raise ValueError(f"'{text}' is not hours:minutes, e.g. 1:30")
    return int(hours) * 60 + int(minutes)


def iso_minutes(text: str, shown: str | None = None) -> Decimal:
    """ISO 8601 duration (`PT1H30M`, `PT2H`, `PT0.5H`, `P1DT2H`, `PT19M59.88S`) in minutes, a day being
    24 hours as OpenProject writes them. One pass over the designators, each at most once and in order."""
    raw = text.strip().upper()
    bad = ValueError(f"'{shown or text}' is not an ISO 8601 duration such as PT1H30M")
    if not raw.startswith("P") or len(raw) > _MAX_TEXT or raw == "P" or raw.endswith("T"):
        raise bad
    order = {"D": 0, "H": 1, "M": 2, "S": 3}
    per = {"D": Decimal(1440), "H": Decimal(60), "M": Decimal(1), "S": Decimal(1) / Decimal(60)}
    total = Decimal(0)
    seen = -1
    in_time = False
    number = ""
    for char in raw[1:]:
        if (char.isascii() and char.isdigit()) or char in ".,":
            number += char
            continue
        if char == "T" and not in_time and not number:
            in_time = True
            continue
        if char not in order or not number or (char == "D") == in_time or order[char] <= seen:
            raise bad
        seen = order[char]
        total += _number(number, shown or text) * per[char]
        number = ""
    if number:
        raise bad
    return total


def parse_duration(text: str) -> int:
    """What a person wrote for time spent, in whole minutes (1 to 24 hours); ValueError says what is wrong."""
    raw = " ".join(text.lower().split()) if len(text) <= 4 * _MAX_TEXT else text
    if not raw:
        raise ValueError(f"give the time spent, {EXAMPLES}")
    if len(raw) > _MAX_TEXT:
        raise ValueError(f"a duration is at most {_MAX_TEXT} characters ({EXAMPLES})")
    if raw.startswith("-"):
        raise ValueError("time spent cannot be negative")
    if raw.startswith("p"):
        minutes = _whole_minutes(iso_minutes(raw, text), text)
    elif ":" in raw:
        minutes = _clock(raw)
    else:
        minutes = _spoken(raw, text)
    if minutes <= 0:
        raise ValueError(f"'{text}' is no time at all; give the time spent ({EXAMPLES})")
    if minutes > MAX_MINUTES:
        raise ValueError(
            f"'{text}' is {render_minutes(minutes)}, more than 24 hours in one entry; "
            "log each day as its own time entry"
        )
    return minutes


def _spoken(raw: str, text: str) -> int:
    tokens = _tokens(raw)
    if len(tokens) == 1 and not tokens[0][1]:  # a bare number: hours, as OpenProject's own form reads it
        return _whole_minutes(_number(tokens[0][0], text) * 60, text)
    hours: Decimal | None = None
    minutes: Decimal | None = None
    for number, word in tokens:
        if not word:
            raise ValueError(f"'{text}': say whether {number} is hours or minutes, e.g. 1h 30m")
        if word in _DAYS:
            raise ValueError(f"'{text}': days and weeks are ambiguous (how long is a working day?); give hours")
        if word in _SECONDS:
            raise ValueError(f"'{text}': seconds are not logged; give whole minutes")
        if word in _HOURS:
            if hours is not None or minutes is not None:
                raise ValueError(f"'{text}': give the hours once, before the minutes, e.g. 1h 30m")
            hours = _number(number, text)
        elif word in _MINUTES:
            if minutes is not None:
                raise ValueError(f"'{text}': give the minutes once, e.g. 1h 30m")
            minutes = _number(number, text)
        else:
            raise ValueError(f"'{text}': '{word}' is not a unit of time; use h or m ({EXAMPLES})")
    if minutes is not None and minutes != minutes.to_integral_value():
        raise ValueError(f"'{text}': give whole minutes ({EXAMPLES})")
    if hours is not None and minutes is not None and (minutes >= 60 or hours != hours.to_integral_value()):
        raise ValueError(f"'{text}' is ambiguous; write it as hours and minutes under 60, e.g. 1h 30m")
    total = (hours or Decimal(0)) * 60 + (minutes or Decimal(0))
    return _whole_minutes(total, text)


def render_minutes(minutes: int) -> str:
    """90 → `1h 30m`, 120 → `2h`, 45 → `45m`."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


def to_iso(minutes: int) -> str:
    """90 → `PT1H30M`."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")
