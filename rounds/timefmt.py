"""Times as people read them: "8:10 today (12 minutes ago)", in the reader's language and zone.

Day and month names come from our own catalogs, not the locale data: Babel's data for
Haitian Creole has none ("M11" for November).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from rounds.models.types import utcnow

WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
MONTHS = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


def zone(name: str | None) -> ZoneInfo:
    """A time zone by name, UTC if unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock(moment: datetime, tz: str | None) -> str:
    """ "8:10" or "14:10" in the zone (24-hour, Latin digits: read the same way worldwide)."""
    local = moment.astimezone(zone(tz))
    return f"{local.hour}:{local.minute:02d}"


def day_and_clock(moment: datetime | None, tz: str | None, now: datetime | None = None) -> str:
    """ "8:10 today", "17:45 yesterday", "9:00 tomorrow" or "8:10 on Monday 16 November"."""
    if moment is None:
        return ""
    tzinfo = zone(tz)
    local = moment.astimezone(tzinfo)
    today = (now or utcnow()).astimezone(tzinfo).date()
    time = clock(moment, tz)
    days = (local.date() - today).days
    if days == 0:
        return _("%(time)s today", time=time)
    if days == -1:
        return _("%(time)s yesterday", time=time)
    if days == 1:
        return _("%(time)s tomorrow", time=time)
    return _(
        "%(time)s on %(weekday)s %(day)s %(month)s",
        time=time,
        weekday=WEEKDAYS[local.weekday()],
        day=local.day,
        month=MONTHS[local.month - 1],
    )


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "12 minutes ago", "3 hours ago", "2 days ago"; "in 2 hours" ahead."""
    if moment is None:
        return ""
    delta = (now or utcnow()) - moment
    seconds = abs(int(delta.total_seconds()))
    if seconds < 60:
        return _("just now")
    if delta < timedelta(0):
        if seconds >= 86400:
            return ngettext("in %(num)s day", "in %(num)s days", seconds // 86400)
        if seconds >= 3600:
            return ngettext("in %(num)s hour", "in %(num)s hours", seconds // 3600)
        return ngettext("in %(num)s minute", "in %(num)s minutes", seconds // 60)
    if seconds >= 86400:
        return ngettext("%(num)s day ago", "%(num)s days ago", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)s hour ago", "%(num)s hours ago", seconds // 3600)
    return ngettext("%(num)s minute ago", "%(num)s minutes ago", seconds // 60)


def is_today(moment: datetime | None, tz: str | None, now: datetime | None = None) -> bool:
    """Whether ``moment`` falls on today's date in the zone."""
    if moment is None:
        return False
    tzinfo = zone(tz)
    return moment.astimezone(tzinfo).date() == (now or utcnow()).astimezone(tzinfo).date()
