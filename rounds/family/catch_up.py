"""What a family's page is missing: the events after the last one it has, and what changed.

Asked by the events URL after a push (``rounds.family.routes``) and by a page's socket when it
(re)connects (``rounds.sockets``): the same answer, read and audited the same way.

The answer carries what changed since the page's last event, as patches: each one the whole
card of one update thread (so applying one twice changes nothing), the threads to remove, and
the late notice. Its cost follows what changed, not how long the child has stayed. A page that
missed more than the recent events kept, that was made by other templates or scripts (its
version ``v`` differs: a deploy), or that reads another language than the one asking, gets
the whole first-load feed instead (``html``), a page long like any first load.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cachetools import TTLCache
from flask import current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rounds import feed
from rounds.glossary import marked_terms
from rounds.i18n import current_language
from rounds.models import FamilyEvent, Patient
from rounds.models.types import utcnow
from rounds.services.audit import record_view
from rounds.timefmt import zone

# What a screen reader announces when the feed changes (lazy: in each reader's language).
EVENT_WORDS = {
    "posted": _l("A new update from the care team."),
    "corrected": _l("The care team corrected an update."),
    "retracted": _l("The care team removed an update."),
    "translated": _l("An update is now in your language."),
}

# A phone that missed no more than these gets patches; one away for longer, the whole feed.
RECENT_EVENTS = 50

# What makes a family page: a page made from other ones (before a deploy) cannot be patched
# by these, so it gets the whole feed.
PAGE_FILES = (
    "templates/_update.html",
    "templates/_status.html",
    "templates/_glossary.html",
    "templates/family/_feed.html",
    "templates/family/_card.html",
    "templates/family/_late_notice.html",
    "templates/family/_terms.html",
    "static/js/family.js",
    "static/js/earlier.js",
    "static/js/time.js",
    "static/js/glossary.js",
    "static/js/live-socket.js",
    "static/js/family-rounds.js",
    "static/css/rounds.css",
)


def page_version() -> str:
    """A fingerprint of the templates, scripts and styles of a family's feed, as deployed."""
    version = current_app.extensions.get("rounds_page_version")
    if version is None:
        root = Path(current_app.root_path).parent
        digest = hashlib.sha256()
        for name in PAGE_FILES:
            digest.update(name.encode() + b"\0" + (root / name).read_bytes())
        version = current_app.extensions.setdefault("rounds_page_version", digest.hexdigest()[:12])
    return version


def page_words(version, language) -> tuple[str | None, str | None]:
    """The version and language a page said it has, if they look like ones (a page that
    says anything else gets the whole feed, as a page of another version would)."""
    fits = [v if isinstance(v, str) and 0 < len(v) <= 32 else None for v in (version, language)]
    return fits[0], fits[1]


def events_since(
    patient: Patient, after: int, version: str | None = None, language: str | None = None
) -> dict:
    """What a page of ``version`` in ``language`` that has events up to ``after`` of a child
    the current user may read is missing, in their language; audited as a view when there is
    something to read."""
    body = {"patient": patient.id, "last_seq": after, "events": []}
    reader = current_language().code
    whole = version != page_version() or language != reader
    # Just read from the database by the caller's check (a request starts with an empty
    # session).
    seq = patient.last_event_seq
    if seq <= after:
        return body
    if seq - after > RECENT_EVENTS:
        whole = True
    if whole:
        shown = shared(("whole", patient.id, seq, reader), lambda: _whole_feed(patient, reader))
        # With the version it is made of: a page of another version reloads (its script
        # could not patch this markup).
        body.update(html=shown.html, v=page_version())
        missed = shown.events_after(after)
        if missed is None:  # a phone that was away for a long time
            events = feed.events_after(patient, after, upto=shown.seq)
            missed = _told(events, feed.translated_for(events, reader))
    else:
        shown = shared(
            ("patch", patient.id, after, seq, reader), lambda: _patches(patient, after, reader)
        )
        body.update(
            cards=shown.cards, removed=shown.removed, notice=shown.notice, terms=shown.terms
        )
        missed = shown.events_after(after)
    body["events"] = missed
    body["last_seq"] = shown.seq
    # Last: its commit expires every loaded object, and reading one again costs a query.
    record_view(current_user, patient.id, client=request.remote_addr)
    return body


def event_message(seq: int, kind: str, for_reader: frozenset[int] | set[int]) -> str:
    """What the page announces for an event; nothing for a translation into a language
    other than the reader's (their feed did not change)."""
    if kind == "translated" and seq not in for_reader:
        return ""
    return str(EVENT_WORDS[kind])


def _told(events: list[FamilyEvent], for_reader: set[int]) -> list[dict]:
    return [
        {"seq": e.seq, "kind": e.kind, "message": event_message(e.seq, e.kind, for_reader)}
        for e in events
    ]


@dataclass(frozen=True)
class Shown:
    """An answer's shared part, made once per process for every reader of one language at
    the same point: the events (with their words) after ``since`` up to ``seq``, and either
    the whole feed's ``html`` or the patches (``cards``, ``removed``, ``notice``, ``terms``)."""

    seq: int
    since: int
    events: tuple[dict, ...]
    html: str = ""
    cards: tuple[dict, ...] = ()
    removed: tuple[int, ...] = ()
    notice: str = ""
    terms: str = ""

    def events_after(self, after: int) -> list[dict] | None:
        """The events after ``after``, or None if they reach back further than these."""
        if after < self.since:
            return None
        return [event for event in self.events if event["seq"] > after]

    @property
    def size(self) -> int:
        """About what it holds in memory, in bytes (mostly its HTML)."""
        cards = sum(len(card["html"]) + 64 for card in self.cards)
        return (
            512
            + len(self.html)
            + len(self.notice)
            + len(self.terms)
            + cards
            + 96 * len(self.events)
        )


def _whole_feed(patient: Patient, reader: str) -> Shown:
    """The first-load feed as it is now, and the recent events that led to it."""
    seq, threads, more = feed.family_snapshot(patient, reader)
    g.glossary_marked = {}  # the words of this feed only
    html = render_template(
        "family/_feed.html",
        patient=patient,
        threads=threads,
        more=more,
        late=feed.is_late(threads[0].current if threads else None),
        card_day=unit_day(patient),
    )
    since = max(0, seq - RECENT_EVENTS)
    events = feed.events_after(patient, since, upto=seq)
    told = _told(events, feed.translated_for(events, reader))
    return Shown(seq, since, tuple(told), html=html)


def _patches(patient: Patient, after: int, reader: str, attempts: int = 5) -> Shown:
    """What changed in the feed since event ``after``, as whole cards and removals.

    The cards sent: every thread an event touched (posted, corrected, retracted, or
    translated into the reader's language), and the top of the feed down to the first thread
    posted before ``after``, so the latest is always sent in full and the one it displaced in
    compact form. Read like ``feed.family_snapshot``: the number, the cards, the number again.
    """
    seq = feed.current_seq(patient)
    for _ in range(attempts):
        events = feed.events_after(patient, after, upto=seq)
        for_reader = feed.translated_for(events, reader)
        posted = [e.update_id for e in events if e.kind == "posted"]  # a thread's first version
        thread_of = feed.thread_ids_of(e.update_id for e in events if e.kind != "posted")
        retracted = {thread_of[e.update_id] for e in events if e.kind == "retracted"}
        touched = set(posted) | {
            thread_of[e.update_id]
            for e in events
            if e.kind == "corrected" or (e.kind == "translated" and e.seq in for_reader)
        }
        top, _more = feed.first_version_ids(patient, None, len(posted) + 1, False)
        deeper = sorted(touched - retracted - set(top))
        threads = feed.threads_by_id(top + deeper, reader)
        again = feed.current_seq(patient)
        if again == seq:
            break
        seq = again
    else:  # still moving: claim only the events read (the cards may show more: harmless)
        seq = events[-1].seq if events else after
    shown = [t for t in threads if t.retraction is None]
    removed = retracted | {t.original.id for t in threads if t.retraction is not None}
    latest = shown[0] if shown and top and shown[0].original.id == top[0] else None
    g.glossary_marked = {}  # the words of these cards only
    day = unit_day(patient)
    cards = tuple(
        {
            "thread": thread.original.id,
            "html": render_template(
                "family/_card.html",
                thread=thread,
                compact=thread is not latest,
                card_day=day,
                tz=patient.unit.timezone,
            ).strip(),
        }
        for thread in shown
    )
    notice = render_template(
        "family/_late_notice.html",
        patient=patient,
        latest=latest.current if latest else None,
        late=feed.is_late(latest.current if latest else None),
    ).strip()
    terms = render_template("family/_terms.html", term_ids=marked_terms()).strip()
    told = _told(events, for_reader)
    return Shown(
        seq,
        after,
        tuple(told),
        cards=cards,
        removed=tuple(sorted(removed)),
        notice=notice,
        terms=terms,
    )


def unit_day(patient: Patient) -> str:
    """The date now in the child's unit: the day a card's "today" means."""
    return utcnow().astimezone(zone(patient.unit.timezone)).date().isoformat()


# One push sends every family member of a child to events.json at once. What they get is the
# same for all who read one language at one point (each reads the translations into their
# own), so each process makes it once: keyed by the child, the event numbers and the language,
# which nothing ever changes (a correction, a translation is a new event), and kept briefly
# because "today" and "late" depend on the clock. The requests of one push arrive together:
# the first makes it, the others wait for it rather than each make it too. Bounded in bytes,
# not entries: a long stay's feed is a hundred times a short one's.
ANSWER_CACHE_SECONDS = 30
ANSWER_CACHE_BYTES = 4_000_000
RENDER_WAIT_SECONDS = 10


class SharedAnswers:
    """This process's recent answers, one store per app (tests build many apps in one
    process)."""

    def __init__(
        self,
        max_bytes: int = ANSWER_CACHE_BYTES,
        seconds: float = ANSWER_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.answers: TTLCache = TTLCache(max_bytes, seconds, clock, getsizeof=lambda s: s.size)
        self.making: dict[tuple, threading.Event] = {}
        self.lock = threading.Lock()  # TTLCache is not safe for threads by itself

    def get(self, key: tuple) -> Shown | None:
        """An answer made less than ANSWER_CACHE_SECONDS ago."""
        with self.lock:
            return self.answers.get(key)

    def put(self, key: tuple, shown: Shown) -> None:
        """Keep an answer; the least recently used go, and the expired, when room is needed.
        One larger than the whole store is not kept."""
        with self.lock:
            self.answers.expire()
            if shown.size <= self.answers.maxsize:
                self.answers[key] = shown

    @property
    def bytes(self) -> int:
        """What the kept answers hold, about."""
        with self.lock:
            return self.answers.currsize


def answers() -> SharedAnswers:
    """The current app's store of answers."""
    store = current_app.extensions.get("rounds_family_answers")
    if store is None:  # the app's first answer
        store = current_app.extensions.setdefault("rounds_family_answers", SharedAnswers())
    return store


def shared(key: tuple, make: Callable[[], Shown]) -> Shown:
    """The answer for ``key``, made by ``make`` unless this process has it or is making it."""
    store = answers()
    shown = store.get(key)
    if shown is not None:
        return shown
    made = threading.Event()
    other = store.making.setdefault(key, made)
    if other is not made:  # another request of this process is making it
        other.wait(RENDER_WAIT_SECONDS)
        shown = store.get(key)
        if shown is not None:
            return shown
        return make()  # or that one failed: make our own
    try:
        shown = make()
        store.put(key, shown)
        return shown
    finally:
        del store.making[key]
        made.set()
