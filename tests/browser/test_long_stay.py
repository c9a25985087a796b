"""Day 40 of an ECMO run in Chromium: a child with 100 updates. The father's phone loads the
latest and the nine before it, receives the 101st as a patch of the cards that changed (what
he opened stays open), pages back ten at a time, and after sleeping through 60 events catches
up in order with the bounded feed."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, open_phone, screenshot, sign_in_page
from tests.support.catalog import tr
from tests.support.live import HttpUser, restart_server

pytestmark = pytest.mark.browser


def stay_of(live_make, ward, days: int) -> None:
    """``days`` more updates for Noah, one a day of his stay."""
    for day in range(2, days + 2):
        live_make.post(
            ward.clinician,
            ward.noah,
            f"Day {day}: Noah had a steady night on ECMO.",
            plan=f"Day {day}: let his lungs rest.",
        )


def shown_days(page) -> list[int]:
    """The day of each card the page shows, top to bottom."""
    texts = page.locator("#feed article .update__summary").all_inner_texts()
    return [int(m.group(1)) for m in (re.search(r"Day (\d+)", t) for t in texts) if m]


def test_the_101st_update_arrives_as_a_patch_and_what_was_opened_stays_open(
    browser, live_server, ward, live_make
):
    stay_of(live_make, ward, 99)  # with the ward's first, 100 updates
    james = open_phone(browser, live_server.url, ward.james.email)
    assert james.locator("#feed article").count() == 10
    assert shown_days(james) == list(range(100, 90, -1))
    # He has opened yesterday's card (the second) and is reading it, the focus on it.
    yesterday = james.locator("#feed article").nth(1)
    yesterday_id = yesterday.get_attribute("id")
    yesterday.get_by_text("Read the full update").click()
    expect(yesterday.locator("details.update__more")).to_have_attribute("open", "")
    marker = james.locator("#feed article").nth(5).get_attribute("id")
    james.evaluate(f"document.getElementById('{marker}').__kept = true")

    desk = HttpUser(live_server.url, ward.clinician.email)
    with james.expect_response(lambda r: "/events.json" in r.url, timeout=DEADLINE) as fetched:
        desk.post_update(ward.noah, "Day 101: Noah's lungs look clearer today.")
    latest = james.locator("#feed .update--full")
    expect(latest).to_contain_text("Day 101", timeout=DEADLINE)
    expect(james.locator("#announcer")).to_have_text("A new update from the care team.")
    # The displaced latest is folded, in place below it; what he opened is still open.
    assert shown_days(james)[:3] == [101, 100, 99]
    expect(james.locator("#feed .update--full")).to_have_count(1)
    expect(james.locator(f"#{yesterday_id} details.update__more")).to_have_attribute("open", "")
    # Cards that did not change are the very same elements: nothing was rendered again.
    assert james.evaluate(f"document.getElementById('{marker}').__kept") is True
    assert james.evaluate("window.__sameDocument") is True
    # It came as patches, a few KB, not the whole feed.
    body = fetched.value.body()
    answer = json.loads(body)
    assert "html" not in answer and len(answer["cards"]) == 2
    assert len(body) < 5_000, len(body)
    screenshot(james, "family-long-stay-patched-360")

    # The card he is reading is corrected: it is replaced, still open, the focus still in it.
    james.locator(f"#{yesterday_id} details.update__more > summary").focus()
    corrected = desk.post_form(
        f"/staff/patients/{ward.noah}/updates/{yesterday_id.split('-')[1]}/correct",
        {
            "status": "serious",
            "summary": "Day 99: Noah had a steady night on ECMO, with one alarm.",
            "reason": "One alarm in the night",
            "language": "en",
        },
    )
    assert corrected.status_code == 302, corrected.text[:500]
    card = james.locator(f"#{yesterday_id}")
    expect(card).to_contain_text("with one alarm", timeout=DEADLINE)
    expect(card.locator(".update__correction")).to_contain_text("Corrected")
    expect(card.locator("details.update__more")).to_have_attribute("open", "")
    assert james.evaluate("document.activeElement.closest('article').id") == yesterday_id
    expect(james.locator("#announcer")).to_have_text("The care team corrected an update.")
    assert james.evaluate(f"document.getElementById('{marker}').__kept") is True

    # Earlier updates, ten at a time, below the ones shown.
    james.get_by_role("link", name="Show earlier updates").click()
    expect(james.locator("#feed article")).to_have_count(21, timeout=DEADLINE)
    assert shown_days(james) == list(range(101, 80, -1))
    assert james.evaluate("document.activeElement.id") == "update-" + str(
        james.locator("#feed article").nth(11).get_attribute("data-thread")
    )
    assert james.evaluate("window.__sameDocument") is True
    screenshot(james, "family-long-stay-earlier-360")


def test_a_phone_that_slept_through_60_events_catches_up_in_order(
    browser, live_server, ward, live_make, tmp_path
):
    stay_of(live_make, ward, 20)
    james = open_phone(browser, live_server.url, ward.james.email)
    first_seq = int(james.locator("#feed").get_attribute("data-last-seq"))
    live_server.stop()
    expect(james.locator("#connection")).not_to_have_attribute(
        "data-state", "live", timeout=DEADLINE
    )
    for day in range(22, 82):  # 60 events, more than the 50 a server keeps at hand
        live_make.post(ward.clinician, ward.noah, f"Day {day}: while his phone slept.")
    server = restart_server(live_server, tmp_path)
    try:
        expect(james.locator("#feed .update--full")).to_contain_text("Day 81", timeout=30_000)
        assert shown_days(james) == list(range(81, 71, -1))  # newest first, no gap
        expect(james.locator("#feed")).to_have_attribute("data-last-seq", str(first_seq + 60))
        expect(james.locator("#connection")).to_have_attribute("data-state", "live")
        assert james.evaluate("window.__sameDocument") is True
        # Ten more while he reads: those come as patches, placed above the rest.
        james.evaluate("Array.from(document.querySelectorAll('#feed article')).pop().__kept = 1")
        poster = HttpUser(server.url, ward.clinician.email)
        for day in range(82, 92):
            poster.post_update(ward.noah, f"Day {day}: back on the ward Wi-Fi.")
        expect(james.locator("#feed .update--full")).to_contain_text("Day 91", timeout=DEADLINE)
        assert shown_days(james) == list(range(91, 71, -1))
        assert james.evaluate("Array.from(document.querySelectorAll('#feed article')).pop().__kept")
        screenshot(james, "family-long-stay-caught-up-360")
    finally:
        server.stop()


def test_a_patched_card_works_as_a_loaded_one_on_an_arabic_phone(
    browser, live_server, ward, live_make
):
    live_make.speaks(ward.james, "ar")
    james = open_phone(browser, live_server.url, ward.james.email)
    expect(james.locator("html")).to_have_attribute("dir", "rtl")
    HttpUser(live_server.url, ward.clinician.email).post_update(
        ward.noah, "Noah's ventilator settings were lowered this morning."
    )
    latest = james.locator("#feed .update--full")
    expect(latest).to_contain_text("ventilator settings", timeout=DEADLINE)
    expect(james.locator("#announcer")).to_have_text(tr("ar", "A new update from the care team."))
    # Its time says how long ago, in Arabic, as a loaded card's does.
    expect(latest.locator(".update__meta .ago")).to_have_text(f" ({tr('ar', 'just now')})")
    # It is in English, as the team wrote it, with the translation said to be on its way.
    expect(latest.locator(".update__awaiting")).to_be_visible()
    # Its ICU word opens the explanation that came with the patch (the page had none for it).
    latest.locator('button[data-term="ventilator"]').click()
    dialog = james.locator("#term-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".term-dialog__text")).to_have_attribute("lang", "ar")
    expect(dialog.locator(".term-dialog__text")).not_to_be_empty()
    screenshot(james, "family-arabic-patched-glossary-360", full_page=False)
    dialog.get_by_role("button").click()
    expect(dialog).to_be_hidden()
    # The earlier update, folded now, opens as before.
    earlier = james.locator("#feed .update--compact").first
    earlier.locator("details.update__more > summary").click()
    expect(earlier.locator("details.update__more")).to_have_attribute("open", "")
    assert james.evaluate("window.__sameDocument") is True
    screenshot(james, "family-arabic-patched-360", full_page=False)


def test_a_late_notice_and_retractions_arrive_as_patches(browser, live_server, ward):
    context = browser.new_context(viewport={"width": 360, "height": 800}, is_mobile=True)
    james = context.new_page()
    james.clock.install()
    sign_in_page(james, live_server.url, ward.james.email)
    expect(james.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    james.evaluate("window.__sameDocument = true")
    first = james.locator("#feed article").first.get_attribute("data-thread")
    desk = HttpUser(live_server.url, ward.clinician.email)
    due = datetime.now(ZoneInfo("America/New_York")) + timedelta(minutes=10)
    posted = desk.post_form(
        f"/staff/patients/{ward.noah}/updates",
        {
            "status": "serious",
            "summary": "Noah is resting. The next update comes after the scan.",
            "next_update_at": due.strftime("%Y-%m-%dT%H:%M"),
            "action": "post",
        },
    )
    assert posted.status_code == 302, posted.text[:500]
    late = james.locator("#feed .late-notice")
    expect(late).to_be_attached(timeout=DEADLINE)
    expect(late).to_be_hidden()  # not due yet
    james.clock.fast_forward("45:00")  # 30 minutes past the time the team gave
    expect(late).to_be_visible(timeout=DEADLINE)
    # For the screenshot: the clock's jump outlived the socket's heartbeat, so it reconnects.
    expect(james.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    screenshot(james, "family-late-notice-patched-360", full_page=False)

    newest = james.locator("#feed .update--full").get_attribute("data-thread")
    for thread, left in ((newest, 1), (first, 0)):
        james.evaluate("document.getElementById('announcer').textContent = ''")
        answer = desk.post_form(
            f"/staff/patients/{ward.noah}/updates/{thread}/retract",
            {"reason": "Posted to the wrong child"},
        )
        assert answer.status_code == 302, answer.text[:500]
        expect(james.locator("#announcer")).to_have_text(
            "The care team removed an update.", timeout=DEADLINE
        )
        expect(james.locator("#feed article")).to_have_count(left)
        expect(late).to_have_count(0)  # the update it belonged to is gone
    expect(james.locator("#feed [data-feed-empty]")).to_be_visible()
    expect(james.locator("#feed [data-feed-latest]")).to_be_hidden()
    assert james.evaluate("window.__sameDocument") is True
    screenshot(james, "family-no-update-after-retractions-360", full_page=False)


def test_updates_posted_while_away_show_even_when_the_earlier_list_was_emptied(
    browser, live_server, ward, live_make, tmp_path
):
    # Ten shown and the link to earlier ones; then the nine below the latest are retracted
    # (retractions do not bring older ones in). Two posts missed at once must both show.
    stay_of(live_make, ward, 11)  # with the ward's first, 12 updates
    james = open_phone(browser, live_server.url, ward.james.email)
    desk = HttpUser(live_server.url, ward.clinician.email)
    for thread in james.locator("#feed .update--compact").evaluate_all(
        "cards => cards.map(card => card.dataset.thread)"
    ):
        answer = desk.post_form(
            f"/staff/patients/{ward.noah}/updates/{thread}/retract", {"reason": "Wrong child"}
        )
        assert answer.status_code == 302
    expect(james.locator("#feed article")).to_have_count(1, timeout=DEADLINE)
    expect(james.get_by_role("link", name="Show earlier updates")).to_be_visible()
    live_server.stop()
    expect(james.locator("#connection")).not_to_have_attribute(
        "data-state", "live", timeout=DEADLINE
    )
    for day in (13, 14):
        live_make.post(ward.clinician, ward.noah, f"Day {day}: posted while he was away.")
    server = restart_server(live_server, tmp_path)
    try:
        expect(james.locator("#feed .update--full")).to_contain_text("Day 14", timeout=30_000)
        assert shown_days(james) == [14, 13, 12]
        james.get_by_role("link", name="Show earlier updates").click()
        expect(james.locator("#feed article")).to_have_count(5, timeout=DEADLINE)
        assert shown_days(james) == [14, 13, 12, 2]  # and the ward's first, with no "Day"
        assert james.evaluate("window.__sameDocument") is True
    finally:
        server.stop()


def test_without_script_show_earlier_updates_is_a_plain_link(browser, live_server, ward, live_make):
    stay_of(live_make, ward, 14)  # with the ward's first, 15 updates
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    phone = context.new_page()
    sign_in_page(phone, live_server.url, ward.james.email)
    expect(phone.locator("#feed article")).to_have_count(10)
    phone.get_by_role("link", name="Show earlier updates").click()
    expect(phone).to_have_url(re.compile(r"\?before=\d+#earlier-title$"))
    expect(phone.locator("#feed article")).to_have_count(5)
    assert shown_days(phone) == [5, 4, 3, 2]  # and the ward's first, with no "Day"
    expect(phone.get_by_role("link", name="Show earlier updates")).to_have_count(0)
    screenshot(phone, "family-earlier-without-script-360", full_page=False)
    phone.get_by_role("link", name="Back to the latest update").click()
    assert shown_days(phone)[0] == 15
