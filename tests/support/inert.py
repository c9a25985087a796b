"""Watching pages for typed text that became markup or ran, in Chromium (tests/browser/test_xss.py).

A Rounds test server with or without the Content-Security-Policy header, and ``Watch``: the
pages a run opens, every dialog and script error in them, and ``inert``, which says a page
shows typed text as words, holds only elements our templates make, and ran nothing.
"""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rounds.security import CONTENT_SECURITY_POLICY
from tests.support.factories import Factory
from tests.support.live import ROOT, LiveServer, free_port, wait_until, wait_until_answering

# --- The server, with or without the header ---------------------------------------------------

SERVE = """
import json, os
from rounds import create_app
from rounds.extensions import socketio
app = create_app("test", json.loads(os.environ["ROUNDS_TEST_OVERRIDES"]))
socketio.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), allow_unsafe_werkzeug=True,
             debug=False, log_output=False)
"""


def start_test_server(database_url: str, workdir: Path, csp: bool) -> LiveServer:
    """Rounds (test settings, one process) on a free port; the CSP header only if ``csp``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    overrides = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SOCKETIO_ALLOWED_ORIGINS": [url],
        "CONTENT_SECURITY_POLICY": csp,
    }
    log_path = workdir / f"xss-server-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env={
            **os.environ,
            "PORT": str(port),
            "ROUNDS_TEST_OVERRIDES": json.dumps(overrides),
            "PYTHONUNBUFFERED": "1",
        },
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(url, database_url, process, log_path)
    try:
        wait_until_answering(server)
    except BaseException:
        server.stop()
        raise
    return server


# --- Watching the browser ---------------------------------------------------------------------

# Runs first in every document: records CSP violations (with the header on, any violation
# means markup from a payload reached the page and only the policy stopped it).
TRAP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""

# The elements our templates and WTForms' widgets make; anything else on a page came from text.
TEMPLATE_TAGS = sorted(
    {
        *re.findall(
            r"<([a-z][a-z0-9]*)",
            " ".join(path.read_text() for path in (ROOT / "templates").rglob("*.html")),
        ),
        *("input", "textarea", "select", "option", "label"),
    }
)
# Every element must be one of those; no handler attribute, inline style, srcdoc or script URL
# anywhere; links, forms and scripts point where ours do.
SCAN = """
(tags) => {
  const DATA_IDS = ["rounds-words", "jargon-data"];
  const allowed = new Set(tags);
  const bad = [];
  const show = (why, el) => bad.push(why + ": " + el.outerHTML.slice(0, 160));
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    const inQr = el.closest(".invitation-card__qr");
    if (inQr && ["svg", "path", "title"].includes(tag)) { /* the QR code, made by segno */ }
    else if (!allowed.has(tag)) show("element", el);
    else if (tag === "title" && el.parentElement !== document.head) show("element", el);
    const src = el.getAttribute("src") || "";
    // Data for our scripts (never run: a JSON type), only under the ids we write.
    const data = el.getAttribute("type") === "application/json" && DATA_IDS.includes(el.id);
    if (tag === "script" && !src.startsWith("/static/") && !data) show("script", el);
    const inHead = el.parentElement === document.head;
    if ((tag === "link" || tag === "meta") && !inHead) show("head element", el);
    if (tag === "meta" && el.hasAttribute("http-equiv")) show("meta", el);
    if (tag === "a" && el.hasAttribute("href")) {
      const to = new URL(el.getAttribute("href"), location.href);
      if (to.origin !== location.origin && to.protocol !== "tel:") show("link", el);
    }
    const action = el.getAttribute("action");
    if (tag === "form" && action !== null && !action.startsWith("/")) show("form", el);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\x00-\\x1f]/g, "").toLowerCase();
      // (Chromium itself leaves an empty style="" on some inputs it has looked at.)
      const risky = ["srcdoc", "formaction"].includes(name) || (name === "style" && value);
      if (name.startsWith("on") || risky) show("attribute " + name, el);
      const words = ["value", "title", "aria-label"].includes(name);
      if (/^(javascript|vbscript|data:text)/.test(value) && !words) show("url in " + name, el);
    }
  }
  return {
    bad,
    xss: window.__xss === undefined ? null : String(window.__xss),
    violations: window.__cspViolations || [],
    text: document.body.textContent,
  };
}
"""


@dataclass
class Watch:
    """Dialogs and script errors seen in any page of the run, and the pages opened."""

    csp: bool
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: list = field(default_factory=list)

    def page(self, browser, viewport: dict):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        context.add_init_script(TRAP)
        page = context.new_page()

        def dialog(d):
            self.dialogs.append(f"{page.url}: {d.type} {d.message!r}")
            d.dismiss()

        page.on("dialog", dialog)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        self.pages.append(page)
        return page

    def goto(self, page, url: str, status: int | None = None):
        """Open ``url``; its answer carries the policy exactly when this run sends it."""
        response = page.goto(url)
        assert response is not None, url
        assert response.status == status if status else response.ok, f"{url}: {response.status}"
        self.check_header(response.headers)
        return response

    def check_header(self, headers) -> None:
        policy = {k.lower(): v for k, v in headers.items()}.get("content-security-policy")
        assert policy == (CONTENT_SECURITY_POLICY if self.csp else None)

    def inert(self, page, where: str, texts=(), values: dict | None = None) -> None:
        """Nothing ran, nothing was added, and each of ``texts`` is there as plain text."""
        page.wait_for_load_state("load")
        page.evaluate("() => new Promise((done) => setTimeout(done, 50))")  # async handlers
        found = page.evaluate(SCAN, TEMPLATE_TAGS)
        assert found["bad"] == [], f"{where}: elements made from typed text: {found['bad']}"
        assert found["xss"] is None, f"{where}: a payload ran (window.__xss={found['xss']})"
        assert found["violations"] == [], f"{where}: blocked only by the CSP: {found['violations']}"
        assert self.dialogs == [], f"{where}: a payload opened a dialog: {self.dialogs}"
        assert self.errors == [], f"{where}: script errors: {self.errors}"
        missing = [text for text in texts if text not in found["text"]]
        assert missing == [], f"{where}: not shown as text: {missing}"
        for selector, expected in (values or {}).items():
            assert page.locator(selector).input_value() == expected, f"{where}: {selector}"


def browser_sign_in(watch: Watch, page, base: str, email: str, next_path: str = "") -> None:
    watch.goto(page, base + "/signin" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert "/signin" not in page.url, f"sign-in failed for {email}"


def assert_the_checks_see_real_markup(watch: Watch, page, payload: str) -> None:
    """The control: ``payload`` put into ``page`` as markup is seen as an element, and runs
    exactly when the policy is off (with it on, the policy reports what it blocked)."""
    page.evaluate("(html) => document.body.insertAdjacentHTML('beforeend', html)", payload)

    def ran_or_blocked():
        found = page.evaluate(SCAN, TEMPLATE_TAGS)
        return found if found["violations"] or found["xss"] else None

    found = wait_until(ran_or_blocked, timeout=10, message="the control to run or be blocked")
    assert any("onerror" in bad for bad in found["bad"])
    if watch.csp:
        assert found["xss"] is None and watch.dialogs == []
        assert any("script-src" in violation for violation in found["violations"])
    else:
        assert found["xss"] is not None and found["violations"] == []
        wait_until(lambda: watch.dialogs, timeout=5, message="the control's alert")
