"""The census pages of bench/census_cost.py: Chromium pages on /staff/, what they ask of the
server, and whether they show what was posted."""

import time

SOCKET_IO = "/socket.io/"
QUIET_SECONDS = 1.0


class PageTraffic:
    """What one census page asks of the server, from Playwright's events (which arrive while
    the bench's main thread is inside a Playwright call: it pumps with wait_for_timeout)."""

    def __init__(self, page):
        self.page = page
        self.in_flight = 0
        self.last_event = time.monotonic()
        self.counting = False
        self.requests = []  # the page's own requests while counting
        self.transport = 0  # socket.io's HTTP requests (long-polling) while counting
        self.pushes = 0  # socket.io event frames received while counting
        self.websockets = 0
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)
        page.on("websocket", self._websocket)

    def _started(self, request) -> None:
        self.last_event = time.monotonic()
        if SOCKET_IO in request.url:
            self.transport += self.counting
            return
        self.in_flight += 1
        if self.counting:
            self.requests.append(request)

    def _ended(self, request) -> None:
        if SOCKET_IO not in request.url:
            self.last_event = time.monotonic()
            self.in_flight -= 1

    def _websocket(self, websocket) -> None:
        self.websockets += 1
        websocket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        if self.counting and str(payload).startswith("42"):  # a socket.io event, not a ping
            self.pushes += 1

    def quiet(self) -> bool:
        """No request under way, and none started or ended for a while."""
        return self.in_flight <= 0 and time.monotonic() - self.last_event >= QUIET_SECONDS


def open_census_pages(browser, base_url: str, emails: list[str]) -> list[PageTraffic]:
    """One browser context per nurse, signed in through the sign-in page, on the census."""
    from tests.support.browser import DESK, sign_in_page

    traffic = []
    for email in emails:
        page = browser.new_context(viewport=DESK).new_page()
        traffic.append(PageTraffic(page))
        sign_in_page(page, base_url, email)
        page.wait_for_url(f"{base_url}/staff/")
        page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    return traffic


def pump_until(traffic: list[PageTraffic], done, timeout: float, what: str) -> None:
    """Let Playwright deliver the pages' events until ``done()``; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        if traffic:
            traffic[0].page.wait_for_timeout(50)
        else:  # --pages 0: the posts' own cost
            time.sleep(0.05)


ROWS_SHOW = """(expected) => Object.entries(expected).every(([child, status]) => {
  const link = document.querySelector(`[data-live-census] a[href$="/staff/patients/${child}"]`);
  return link !== null && link.closest("tr").querySelector(".tag--" + status) !== null;
})"""


def wait_until_shown(traffic: list[PageTraffic], expected: dict[int, str]) -> float:
    """Wait until every page shows each child's last posted status, in the same document,
    then until the pages are quiet; returns the seconds until they all showed it."""
    started = time.monotonic()
    for pages in traffic:
        pages.page.wait_for_function(ROWS_SHOW, arg=expected, timeout=60_000)
        assert pages.page.evaluate("window.__sameDocument") is True, "a census page reloaded"
    shown = time.monotonic() - started
    pump_until(traffic, lambda: all(t.quiet() for t in traffic), 60, "the pages to be quiet")
    return shown
