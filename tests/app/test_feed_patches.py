"""What a family's page is sent when something changes: only the cards that changed, whole,
keyed by their thread; the whole feed only to a page that was away long or is of another
version or language; and a first load as long for a child of 100 updates as for one of 10.
On both databases."""

import re
from datetime import timedelta

import pytest

from rounds import glossary
from rounds.extensions import db
from rounds.family import catch_up
from rounds.family.catch_up import SharedAnswers, Shown
from rounds.glossary import MARKED_CACHE_BYTES, mark_terms, marks_cached_bytes
from rounds.models import AuditEvent, Update, User
from rounds.models.types import utcnow
from rounds.services.translations import TranslationFields, add_translation
from tests.support.client import events_as_page, feed_html, page_said, sign_in


def cards_of(body: dict) -> dict[int, str]:
    """The patched cards of an answer, by thread."""
    return {card["thread"]: card["html"] for card in body["cards"]}


def is_full(card: str) -> bool:
    return "update--full" in card.split(">", 1)[0]


def translate(app, person, update_id: int, code: str, summary: str) -> None:
    with app.app_context():
        add_translation(
            db.session.get(User, person.id),
            db.session.get(Update, update_id),
            code,
            TranslationFields(summary=summary),
        )


def views_of(app, patient_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(AuditEvent.id)).where(
                AuditEvent.action == "view_updates", AuditEvent.patient_id == patient_id
            )
        )


@pytest.fixture
def parent(client, world):
    sign_in(client, world.parent_a1.email)
    return client


def test_a_new_post_sends_two_cards_the_new_latest_in_full_and_the_one_it_displaced_folded(
    app, parent, world, make
):
    older = make.post(world.clinician, world.child_a2, "Not this child.")  # another child
    newest = make.post(world.clinician, world.child_a1, "A quiet morning with visitors.")
    body = events_as_page(parent, world.child_a1, after=1).get_json()
    assert "html" not in body
    cards = cards_of(body)
    assert set(cards) == {newest, world.update_a1} and older not in cards
    assert is_full(cards[newest]) and "A quiet morning with visitors." in cards[newest]
    assert not is_full(cards[world.update_a1])  # now an earlier update: folded
    assert "Read the full update" in cards[world.update_a1]
    assert body["removed"] == []
    assert "Not this child." not in str(body) and "Child A2" not in str(body)
    # Each card says where it goes: the newer sorts after the older.
    keys = {t: re.search(r'data-key="([^"]+)"', c).group(1) for t, c in cards.items()}
    assert keys[newest] > keys[world.update_a1]


def test_a_correction_sends_its_card_with_the_earlier_text_a_tap_away(app, parent, world, make):
    make.post(world.clinician, world.child_a1, "The newer one.")
    make.correct(world.clinician, world.update_a1, "Child A1 slept well, with one alarm.")
    body = events_as_page(parent, world.child_a1, after=2).get_json()
    cards = cards_of(body)
    # The corrected card is an earlier one: it stays folded, with its earlier text kept.
    corrected = cards[world.update_a1]
    assert not is_full(corrected)
    assert "Child A1 slept well, with one alarm." in corrected
    assert "See what it said before" in corrected and "Child A1 slept well." in corrected
    assert [e["kind"] for e in body["events"]] == ["corrected"]


def test_correcting_the_latest_puts_the_readers_translation_back_on_its_way(
    app, client, world, make
):
    make.speaks(world.parent_a1, "es")
    translate(app, world.interpreter, world.update_a1, "es", "La niña durmió bien.")
    sign_in(client, world.parent_a1.email)
    before = events_as_page(client, world.child_a1, after=1).get_json()
    assert "La niña durmió bien." in cards_of(before)[world.update_a1]
    make.correct(world.clinician, world.update_a1, "Child A1 slept well after midnight.")
    body = events_as_page(client, world.child_a1, after=2).get_json()
    card = cards_of(body)[world.update_a1]
    assert "La niña durmió bien." not in card
    assert "Child A1 slept well after midnight." in card
    assert 'class="update__awaiting"' in card  # "on its way", in Spanish


def test_retracting_the_latest_removes_it_and_sends_the_next_in_full(app, parent, world, make):
    newest = make.post(world.clinician, world.child_a1, "Posted to the wrong child.")
    make.retract(world.clinician, newest)
    body = events_as_page(parent, world.child_a1, after=2).get_json()
    assert body["removed"] == [newest]
    cards = cards_of(body)
    assert newest not in cards and is_full(cards[world.update_a1])
    # A page that never saw it gets the same removal: applying it changes nothing there.
    missed_both = events_as_page(parent, world.child_a1, after=1).get_json()
    assert missed_both["removed"] == [newest] and newest not in cards_of(missed_both)


def test_retracting_the_only_update_leaves_no_card(app, parent, world, make):
    make.retract(world.clinician, world.update_a1)
    body = events_as_page(parent, world.child_a1, after=1).get_json()
    assert body["removed"] == [world.update_a1] and body["cards"] == []
    assert body["notice"].strip() == ""
    # The page keeps the words for that case, hidden while there are cards.
    page = parent.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert "There is no update yet" in page


def test_a_translation_sends_the_card_only_to_readers_of_that_language(app, client, world, make):
    make.speaks(world.parent_a1, "es")
    translate(app, world.interpreter, world.update_a1, "es", "La niña durmió bien.")
    sign_in(client, world.parent_a1.email)
    spanish = events_as_page(client, world.child_a1, after=1).get_json()
    assert "La niña durmió bien." in cards_of(spanish)[world.update_a1]
    assert spanish["events"][0]["message"]
    english = app.test_client()
    sign_in(english, world.parent_both.email)
    body = events_as_page(english, world.child_a1, after=1).get_json()
    assert body["events"] == [{"seq": 2, "kind": "translated", "message": ""}]
    assert "La niña durmió bien." not in feed_html(body)


def test_a_late_next_update_comes_with_the_patch(app, parent, world, make):
    due = utcnow() - timedelta(hours=2)
    make.post(world.clinician, world.child_a1, "Next one due.", next_update_at=due)
    body = events_as_page(parent, world.child_a1, after=1).get_json()
    assert "The next update is late" in body["notice"]
    assert " hidden" not in body["notice"].split(">", 1)[0]  # shown at once
    make.post(world.clinician, world.child_a1, "On time now.")
    later = events_as_page(parent, world.child_a1, after=2).get_json()
    assert "The next update is late" not in later["notice"]


def test_the_glossary_words_of_a_patched_card_come_with_it(app, parent, world, make):
    make.post(world.clinician, world.child_a1, "She is on ECMO since last night.")
    body = events_as_page(parent, world.child_a1, after=1).get_json()
    assert 'data-term="ecmo"' in feed_html(body)
    assert 'data-term-explain="ecmo"' in body["terms"]
    # And again from this process's kept answer, for the next family member.
    again = app.test_client()
    sign_in(again, world.parent_both.email)
    kept = events_as_page(again, world.child_a1, after=1).json
    assert 'data-term-explain="ecmo"' in kept["terms"]


@pytest.mark.parametrize("differs", ["version", "language", "missing"])
def test_a_page_of_another_version_or_language_gets_the_whole_feed(
    app, client, world, make, differs
):
    make.post(world.clinician, world.child_a1, "Second.")
    sign_in(client, world.parent_a1.email)
    said = page_said(client, world.child_a1)
    if differs == "version":
        said["v"] = "0ld" + said["v"][3:]
    elif differs == "language":
        said["lang"] = "es"
    else:
        said = {}
    body = client.get(
        f"/family/children/{world.child_a1}/events.json", query_string={"after": 1, **said}
    ).get_json()
    assert "cards" not in body
    assert "data-feed-cards" in body["html"] and "Second." in body["html"]


def test_a_phone_away_longer_than_the_kept_events_gets_the_bounded_first_load(
    app, parent, world, make
):
    for n in range(catch_up.RECENT_EVENTS + 10):
        make.post(world.clinician, world.child_a1, f"Day {n}.")
    newest = catch_up.RECENT_EVENTS + 11
    body = events_as_page(parent, world.child_a1, after=1).get_json()
    assert [e["seq"] for e in body["events"]] == list(range(2, newest + 1))  # gapless
    assert body["html"].count('<article class="update') == 10
    assert "Show earlier updates" in body["html"]
    # Ten events away: patches.
    near = events_as_page(parent, world.child_a1, after=newest - 10).get_json()
    assert "html" not in near and len(near["cards"]) == 11


def test_the_first_load_is_the_latest_and_nine_before_then_ten_at_a_time(app, parent, world, make):
    ids = [world.update_a1] + [
        make.post(world.clinician, world.child_a1, f"Update number {n}.") for n in range(1, 25)
    ]
    make.retract(world.clinician, ids[5])
    page = parent.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    shown = [int(t) for t in re.findall(r'<article class="update[^"]*" id="update-(\d+)"', page)]
    visible = [i for i in reversed(ids) if i != ids[5]]
    assert shown == visible[:10]
    more = re.search(r'data-feed-more [^>]*href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert f"before={visible[9]}" in more
    views = views_of(app, world.child_a1)
    earlier = parent.get(more).get_data(as_text=True)
    assert views_of(app, world.child_a1) == views + 1  # a read like any other
    shown = [int(t) for t in re.findall(r'<article class="update[^"]*" id="update-(\d+)"', earlier)]
    assert shown == visible[10:20]
    assert "Back to the latest update" in earlier
    last = re.search(r'data-feed-more [^>]*href="([^"]+)"', earlier).group(1).replace("&amp;", "&")
    final = parent.get(last).get_data(as_text=True)
    shown = [int(t) for t in re.findall(r'<article class="update[^"]*" id="update-(\d+)"', final)]
    assert shown == visible[20:] and "data-feed-more" not in final


def test_a_cursor_is_a_place_even_if_its_update_was_retracted_but_never_another_childs(
    app, parent, world, make
):
    # The last card a page shows can be retracted while it is open: its "Show earlier
    # updates" must still bring what came before it, and show nothing of the retracted one.
    gone = make.post(world.clinician, world.child_a1, "Retracted soon.")
    make.post(world.clinician, world.child_a1, "Newest.")
    make.retract(world.clinician, gone)
    url = f"/family/children/{world.child_a1}"
    earlier = parent.get(f"{url}?before={gone}")
    assert earlier.status_code == 200
    text = earlier.get_data(as_text=True)
    assert "Child A1 slept well." in text
    assert "Retracted soon." not in text and "Newest." not in text
    assert parent.get(f"{url}?before={world.update_a2}").status_code == 404
    assert parent.get(f"{url}?before=999999").status_code == 404
    assert parent.get(f"{url}?before=soon").status_code == 200  # no number: the first page


def test_a_child_with_100_updates_loads_no_more_than_one_with_10(app, parent, world, make):
    for n in range(99):
        make.post(world.clinician, world.child_a1, f"Day {n} of a long stay.")
    long_stay = parent.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert long_stay.count('<article class="update') == 10
    sign_in(parent, world.parent_a2.email)
    for n in range(9):
        make.post(world.clinician, world.child_a2, f"Day {n} of a long stay.")
    short_stay = parent.get(f"/family/children/{world.child_a2}").get_data(as_text=True)
    assert short_stay.count('<article class="update') == 10
    assert len(long_stay) < len(short_stay) + 2000  # the link to earlier ones, and ids


def test_kept_answers_stay_within_their_bytes_and_drop_the_expired():
    clock = [0.0]
    store = SharedAnswers(max_bytes=10_000, seconds=30, clock=lambda: clock[0])

    def answer(n):
        return Shown(seq=n, since=n - 1, events=(), html="x" * 3000)

    for n in range(10):
        store.put(("whole", 1, n, "en"), answer(n))
        assert store.bytes <= 10_000
    assert store.get(("whole", 1, 9, "en")) is not None
    assert store.get(("whole", 1, 0, "en")) is None  # the oldest made room
    store.put(("whole", 1, 99, "en"), Shown(seq=1, since=0, events=(), html="x" * 20_000))
    assert store.get(("whole", 1, 99, "en")) is None  # larger than the whole store: not kept
    clock[0] = 31.0
    store.put(("whole", 2, 1, "en"), answer(1))
    assert store.bytes == answer(1).size  # the expired went


def test_glossary_marks_are_kept_by_their_bytes_not_their_number(app):
    # 3,000 texts of 2 KB (about 12 MB as kept): a cache of 4,096 entries would keep them
    # all; one of 4 MB drops the least recently used.
    texts = [f"Note {n}: ECMO flow steady. " + "x" * 2000 for n in range(3000)]
    with app.test_request_context():
        for text in texts:
            mark_terms(text, "en")
        assert MARKED_CACHE_BYTES / 2 < marks_cached_bytes() <= MARKED_CACHE_BYTES
        assert glossary._marked_cache.get((texts[0], "en")) is None  # the oldest went
        assert glossary._marked_cache.get((texts[-1], "en")) is not None
