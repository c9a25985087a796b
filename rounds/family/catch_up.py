"""What a family's page is missing: the events after the last one it has, and the child's
feed as it is now, made once per push and language in each process.

Asked by the events URL after a push (``rounds.family.routes``) and by a page's socket when it
(re)connects (``rounds.sockets``): the same answer, read and audited the same way.
"""

import threading
import time
from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rounds import feed
from rounds.i18n import current_language
from rounds.models import Patient
from rounds.services.audit import record_view

# What a screen reader announces when the feed changes (lazy: in each reader's language).
EVENT_WORDS = {
    "posted": _l("A new update from the care team."),
    "corrected": _l("The care team corrected an update."),
    "retracted": _l("The care team removed an update."),
    "translated": _l("An update is now in your language."),
}


def events_since(patient: Patient, after: int) -> dict:
    """What a page that has events up to ``after`` of a child the current user may read is
    missing, in their language; audited as a view when there is something to read."""
    body = {"patient": patient.id, "last_seq": after, "events": []}
    # Just read from the database by the caller's check (a request starts with an empty
    # session).
    if patient.last_event_seq <= after:
        return body
    shown = family_feed(patient)
    if after >= shown.recent_from:
        new_events = [e for e in shown.recent if e[0] > after]
        for_reader = shown.translated_for_reader
    else:  # a phone that was away for a long time
        missed = feed.events_after(patient, after, upto=shown.seq)
        new_events = [(e.seq, e.kind) for e in missed]
        for_reader = feed.translated_for(missed, shown.language)
    if new_events:
        body["events"] = [
            {"seq": seq, "kind": kind, "message": event_message(seq, kind, for_reader)}
            for seq, kind in new_events
        ]
        body["last_seq"] = shown.seq
        body["html"] = shown.html
    # Last: its commit expires every loaded object, and reading one again costs a query.
    record_view(current_user, patient.id, client=request.remote_addr)
    return body


def event_message(seq: int, kind: str, for_reader: frozenset[int] | set[int]) -> str:
    """What the page announces for an event; nothing for a translation into a language
    other than the reader's (their feed did not change)."""
    if kind == "translated" and seq not in for_reader:
        return ""
    return str(EVENT_WORDS[kind])


# One push sends every family member of a child to events.json at once. What they get is
# the same for all who read one language at a given event number (each reads the translations
# into their own), so each process makes it once per language: keyed by (child, event number,
# language), which nothing ever changes (a correction, a translation is a new event), and kept
# briefly because "today" and "late" depend on the clock. The requests of one push arrive
# together: the first makes it, the others wait for it rather than each make it too.
FEED_CACHE_SECONDS = 30
FEED_CACHE_SIZE = 1000
RENDER_WAIT_SECONDS = 10
# The events kept with the feed: a phone that missed no more than these needs no query.
RECENT_EVENTS = 50


@dataclass(frozen=True)
class ShownFeed:
    """A child's family feed at one event number, as HTML, with the events that led to it."""

    seq: int
    html: str
    recent: list[tuple[int, str]]  # (seq, kind) of the newest events, in order
    recent_from: int  # ``recent`` holds every event after this one
    language: str  # the language it was made for (each reader reads their own)
    translated_for_reader: frozenset[int]  # the recent "translated" events in that language
    made_at: float


class FeedCache:
    """This process's recent feeds, one per app (tests build many apps in one process)."""

    def __init__(self):
        self.feeds: dict[tuple[int, int, str], ShownFeed] = {}
        self.making: dict[tuple[int, int, str], threading.Event] = {}

    def get(self, key: tuple[int, int, str]) -> ShownFeed | None:
        """A feed made less than FEED_CACHE_SECONDS ago."""
        shown = self.feeds.get(key)
        if shown and time.monotonic() - shown.made_at < FEED_CACHE_SECONDS:
            return shown
        return None

    def put(self, key: tuple[int, int, str], shown: ShownFeed) -> None:
        """Keep a feed, dropping the oldest beyond FEED_CACHE_SIZE."""
        while len(self.feeds) >= FEED_CACHE_SIZE:
            self.feeds.pop(next(iter(self.feeds)), None)
        self.feeds[key] = shown


def family_feed(patient: Patient) -> ShownFeed:
    """The child's family feed as it is now (at ``patient.last_event_seq``, or newer)."""
    cache = current_app.extensions.get("rounds_family_feeds")
    if cache is None:  # the app's first feed
        cache = current_app.extensions.setdefault("rounds_family_feeds", FeedCache())
    # The event number was read by get_patient in this request. Readers of one language
    # share a feed; another language's readers read other translations.
    key = (patient.id, patient.last_event_seq, current_language().code)
    shown = cache.get(key)
    if shown is not None:
        return shown
    made = threading.Event()
    other = cache.making.setdefault(key, made)
    if other is not made:  # another request of this process is making it
        other.wait(RENDER_WAIT_SECONDS)
        return cache.get(key) or _make_feed(patient, cache)  # or that one failed: make our own
    try:
        return _make_feed(patient, cache)
    finally:
        del cache.making[key]
        made.set()


def _make_feed(patient: Patient, cache: FeedCache) -> ShownFeed:
    language = current_language().code
    seq, threads = feed.family_snapshot(patient, language)
    html = render_template(
        "family/_feed.html",
        patient=patient,
        threads=threads,
        late=feed.is_late(threads[0].current if threads else None),
    )
    recent_from = max(0, seq - RECENT_EVENTS)
    events = feed.events_after(patient, recent_from, upto=seq)
    recent = [(e.seq, e.kind) for e in events]
    for_reader = feed.translated_for(events, language)
    shown = ShownFeed(
        seq, html, recent, recent_from, language, frozenset(for_reader), time.monotonic()
    )
    cache.put((patient.id, seq, language), shown)
    return shown
