"""Printed datelines: find a day (and a time) in a short line, in the usual numeric and month-name forms.

Only the form printed is trusted; nothing is inferred. A day without a year is not a date. Month names
cover English and the major European languages plus Indonesian/Malay; numeric days are read as
day/month unless the first number cannot be a day-of-month order (``11/19/2019``) or the page is English
and both readings are possible (then month/day, the US habit).

Hand-written rather than ``dateparser.search_dates``: that finds "dates" in almost any text (a risk of
inventing one) and costs milliseconds per line, while a dateline has a handful of printed shapes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = (
    "january jan januar janvier enero janeiro gennaio januari januarie ene gen janv jän",
    "february feb februar février fevrier febrero fevereiro febbraio februari fév fev febr",
    "march mar märz maerz mars marzo março marco maret maart mär",
    "april apr avril abril aprile avr",
    "may mai mayo maio maggio mei",
    "june jun juni juin junio junho giugno",
    "july jul juli juillet julio julho luglio juil",
    "august aug august août aout agosto agustus augustus ago",
    "september sep sept septembre septiembre setembro settembre set",
    "october oct oktober octobre octubre outubro ottobre okt out",
    "november nov novembre noviembre novembro nopember",
    "december dec dezember décembre decembre diciembre dezembro dicembre desember dez dic déc",
)
MONTHS = {name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names.split()}

MONTH = r"(?P<month>[^\W\d_]{3,10})\.?"
DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|º|°|\.)?"
YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d(?!\d?:\d\d))"  # a time may be glued on: "NOV 19 20197:05 AM"
TIME = r"(?P<hour>\d{1,2})[:h.](?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
FORMS = (
    re.compile(rf"\b{YEAR}[-./](?P<m>\d{{1,2}})[-./](?P<d>\d{{1,2}})(?!\d)"),
    re.compile(rf"\b{MONTH}\s+{DAY},?\s+{YEAR}", re.I),
    re.compile(rf"\b{DAY}\s+(?:de\s+)?{MONTH},?\s+(?:de\s+)?{YEAR}", re.I),
    re.compile(rf"\b(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep){YEAR}"),
)
TIME_RE = re.compile(rf"(?<![\d:]){TIME}(?![\d:])", re.I)
UPDATED = re.compile(r"\b(?:updated?|modified|last (?:updated|modified)|aktualisiert|atualizad[oa]"
                     r"|actualizad[oa]|mis à jour|aggiornat[oa]|bijgewerkt|diperbarui)\b", re.I)


@dataclass(frozen=True)
class Printed:
    day: str          # YYYY-MM-DD
    time: str | None  # HH:MM[:SS]
    updated: bool     # the line says this is an update, not the publication


def find_dates(line: str, month_first: bool) -> list[Printed]:
    """Every full date printed in ``line``, with the time printed next to it, in reading order."""
    found: list[tuple[int, int, dt.date]] = []
    for form in FORMS:
        for match in form.finditer(line):
            day = to_date(match, month_first)
            if day and not any(s <= match.start() < e for s, e, _ in found):
                found.append((match.start(), match.end(), day))
    found.sort()
    out: list[Printed] = []
    for n, (start, end, day) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(line)
        time = nearby_time(line, start, end, stop)
        before = line[found[n - 1][1] if n else 0:start]
        out.append(Printed(day.isoformat(), time, bool(UPDATED.search(before))))
    return out


def to_date(match: re.Match[str], month_first: bool) -> dt.date | None:
    groups = match.groupdict()
    try:
        year = int(groups["year"])
        if groups.get("m"):
            return dt.date(year, int(groups["m"]), int(groups["d"]))
        if groups.get("month"):
            month = MONTHS.get(groups["month"].lower().rstrip("."))
            return dt.date(year, month, int(groups["day"])) if month else None
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12 or (groups["sep"] == "." and b <= 12) or (not month_first and b <= 12):
            return dt.date(year, b, a)
        return dt.date(year, a, b)
    except (ValueError, TypeError):
        return None


def nearby_time(line: str, start: int, end: int, stop: int) -> str | None:
    """A clock time right after the date (or right before it, "23:06, 13.11.2019")."""
    after = TIME_RE.search(line, end, min(stop, end + 24))
    match = after or next((m for m in TIME_RE.finditer(line, max(0, start - 12), start)), None)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"])
    ampm = (match["ampm"] or "").replace(".", "").replace(" ", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    second = f":{match['second']}" if match["second"] else ""
    return f"{hour:02d}:{minute:02d}{second}"
