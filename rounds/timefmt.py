"""Times as people read them: "8:10 today (12 minutes ago)", in the reader's zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rounds.models.types import utcnow


def zone(name: str | None) -> ZoneInfo:
    """A time zone by name, UTC if unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock(moment: datetime, tz: str | None) -> str:
    """ "8:10" or "14:10" in the zone (24-hour: read the same way worldwide)."""
    return moment.astimezone(zone(tz)).strftime("%H:%M").lstrip("0").rjust(4, "0")


def day_and_clock(moment: datetime | None, tz: str | None, now: datetime | None = None) -> str:
    """ "8:10 today", "17:45 yesterday", "9:00 tomorrow" or "8:10 on Mon 16 Nov"."""
    if moment is None:
        return ""
    tzinfo = zone(tz)
    local = moment.astimezone(tzinfo)
    today = (now or utcnow()).astimezone(tzinfo).date()
    days = (local.date() - today).days
    named = {0: "today", -1: "yesterday", 1: "tomorrow"}
    if days in named:
        return f"{clock(moment, tz)} {named[days]}"
    return f"{clock(moment, tz)} on {local.strftime('%a')} {local.day} {local.strftime('%b')}"


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "12 minutes ago", "3 hours ago", "2 days ago"; "in 2 hours" ahead."""
    if moment is None:
        return ""
    delta = (now or utcnow()) - moment
    future = delta < timedelta(0)
    seconds = abs(int(delta.total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            text = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"  # pragma: no cover - loop always returns for seconds >= 60


def is_today(moment: datetime | None, tz: str | None, now: datetime | None = None) -> bool:
    """Whether ``moment`` falls on today's date in the zone."""
    if moment is None:
        return False
    tzinfo = zone(tz)
    return moment.astimezone(tzinfo).date() == (now or utcnow()).astimezone(tzinfo).date()
