"""An open census follows what colleagues post by fetching the rows that changed, not the
whole census; the other rows are left as they are."""

import time

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, DESK, sign_in_page
from tests.support.live import HttpUser

pytestmark = pytest.mark.browser


# Counts how often the whole census's content is swapped (rows removed from the census at once).
COUNT_WHOLE_CENSUS_SWAPS = """
window.__censusSwaps = 0;
new MutationObserver(function (records) {
  records.forEach(function (record) {
    if (record.target.matches && record.target.matches("[data-live-census]")
        && record.removedNodes.length) { window.__censusSwaps += 1; }
  });
}).observe(document, { childList: true, subtree: true });
"""


def wait_for(page, check, message: str, seconds: float = DEADLINE / 1000):
    """Wait for ``check()`` while the page's events keep being delivered (Playwright's sync
    API only dispatches them while it waits)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {message}")
        page.wait_for_timeout(50)


def test_an_open_census_fetches_only_the_row_that_changed(browser, live_server, ward, live_make):
    nurse = live_make.person("nurse", (ward.unit_id,), name="Ada Obi")
    context = browser.new_context(viewport=DESK)
    context.add_init_script(COUNT_WHOLE_CENSUS_SWAPS)
    desk = context.new_page()
    fetched: list[str] = []
    desk.on("request", lambda r: fetched.append(r.url) if r.resource_type == "fetch" else None)
    sign_in_page(desk, live_server.url, ward.clinician.email)
    # Connected: the socket's connect brings the whole census once, to catch up.
    wait_for(desk, lambda: desk.evaluate("window.__censusSwaps") == 1, "the connect's catch-up")
    assert fetched == [f"{live_server.url}/staff/"]
    desk.evaluate(f"document.querySelector('[data-census-child=\"{ward.noah}\"]').__kept = 1")
    mark = len(fetched)

    HttpUser(live_server.url, nurse.email).post_update(
        ward.leo, "Leo is breathing more on his own.", status="improving"
    )
    leo_row = desk.locator(f'[data-census-child="{ward.leo}"]')
    expect(leo_row).to_contain_text("Improving", timeout=DEADLINE)
    expect(leo_row).not_to_contain_text("No update today")
    after = fetched[mark:]
    assert after == [f"{live_server.url}/staff/census/rows?children={ward.leo}"]
    kept = f"document.querySelector('[data-census-child=\"{ward.noah}\"]').__kept"
    assert desk.evaluate(kept) == 1  # Noah's row is the same element: untouched
    assert desk.evaluate("window.__censusSwaps") == 1  # and the census was not swapped again
