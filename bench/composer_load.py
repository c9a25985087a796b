"""What the staff child page (the composer) costs the browser at load, in Chromium.

Run by hand:  .venv/bin/python bench/composer_load.py [--runs 7] [--throttle 4]

Starts `python app.py` on a scratch SQLite database with one child and one update, signs in
as a clinician, and loads the child's staff page --runs times in each of three ways:
  empty   the composer as it opens;
  copied  "Copy forward the latest" (text in the form at load, measured at once);
  typed   the empty page, then one word typed into the summary (the meter's first work).
For each it prints the median and the worst of: the longest main-thread task until load
(Long Tasks API, tasks over 50 ms; 0 when there was none), the time Chromium spent
evaluating static/js/readability.js (the trace's EvaluateScript events, as Lighthouse's
bootup-time counts it), and for "typed" the longest task after the typing and the time from
the typing to the meter showing a level, less the 600 ms the meter waits for a pause.
--throttle slows the CPU as Lighthouse's mobile preset does (4); 1 is the desktop preset.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from rounds import create_app  # noqa: E402
from rounds.extensions import db  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESK, sign_in_page  # noqa: E402
from tests.support.factories import Factory  # noqa: E402
from tests.support.live import start_server  # noqa: E402

# Installed before any of the page's scripts run, so every long task is seen.
WATCH_THE_PAGE = """
window.__longTasks = [];
window.__firstInputAt = null;
window.__levelAt = null;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
  });
}).observe({ type: "longtask", buffered: true });
document.addEventListener("input", function () {
  if (window.__firstInputAt === null) { window.__firstInputAt = performance.now(); }
}, true);
new MutationObserver(function (records) {
  records.forEach(function (record) {
    if (window.__firstInputAt !== null && window.__levelAt === null &&
        record.target.hasAttribute("data-readability-level") &&
        record.target.getAttribute("data-state") !== "none") {
      window.__levelAt = performance.now();
    }
  });
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-state"] });
"""
SUMMARY = (
    "Noah remains stable on current settings on veno-arterial ECMO and is hemodynamically "
    "stable while he stays NPO."
)


def readability_ms(trace: bytes) -> float:
    """Milliseconds the trace spent evaluating readability.js (and calls it made then)."""
    events = json.loads(trace)["traceEvents"]
    total = 0.0
    for event in events:
        data = event.get("args", {}).get("data", {})
        if event.get("name") == "EvaluateScript" and "readability.js" in data.get("url", ""):
            total += event.get("dur", 0) / 1000
    return total


def load_once(browser, context, url: str, throttle: float, typed: bool) -> dict:
    """Load ``url`` once in a fresh tab; what it cost."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    browser.start_tracing(page=page, categories=["devtools.timeline"])
    page.goto(url, wait_until="load")
    page.wait_for_selector("[data-readability]:not([hidden])")
    result = {}
    # One frame later, so a task that ended at load is reported.
    page.evaluate("new Promise(function (done) { requestAnimationFrame(done); })")
    tasks = page.evaluate("window.__longTasks")
    result["longest_task_ms"] = max((task["duration"] for task in tasks), default=0.0)
    if typed:
        page.get_by_label("Summary in plain words").fill(SUMMARY)
        page.locator("[data-readability-level]:not([data-state=none])").wait_for()
        page.evaluate("new Promise(function (done) { requestAnimationFrame(done); })")
        seen = page.evaluate("[window.__firstInputAt, window.__levelAt, window.__longTasks]")
        typed_at, level_at, tasks = seen
        # The meter waits for a pause in typing (600 ms) before it measures: not counted.
        result["first_level_ms"] = level_at - typed_at - 600
        result["typing_task_ms"] = max(
            (task["duration"] for task in tasks if task["start"] >= typed_at), default=0.0
        )
    result["readability_ms"] = readability_ms(browser.stop_tracing())
    page.close()
    return result


def main() -> None:
    """Set up a child with an update, then load the composer and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--throttle", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{tmp}/bench.db"
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": database})
        with app.app_context():
            upgrade()
        make = Factory(app)
        unit = make.unit("Pediatric ICU (bench)")
        clinician = make.person("clinician", (unit,), name="Sam Rivera")
        noah = make.patient(unit, "Noah Chen", "1")
        make.post(clinician, noah, SUMMARY, status="critical", plan="Rest. Check his blood.")
        with app.app_context():
            db.engine.dispose()
        server = start_server(database, Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context(viewport=DESK)
                context.add_init_script(WATCH_THE_PAGE)
                sign_in_page(context.new_page(), server.url, clinician.email)
                page_url = f"{server.url}/staff/patients/{noah}"
                ways = {
                    "empty": (page_url, False),
                    "copied": (page_url + "?copy=1", False),
                    "typed": (page_url, True),
                }
                load_once(browser, context, page_url, args.throttle, False)  # warm up
                print(f"CPU {args.throttle:g}x slower, {args.runs} loads each; ms, median / worst")
                keys = ("longest_task_ms", "readability_ms", "typing_task_ms", "first_level_ms")
                heads = ("load: longest task", "readability.js", "typing: longest", "first level")
                print(f"{'':8}" + "".join(f"{head:>20}" for head in heads))
                for name, (url, typed) in ways.items():
                    runs = [
                        load_once(browser, context, url, args.throttle, typed)
                        for _ in range(args.runs)
                    ]
                    cells = []
                    for key in keys:
                        values = [run[key] for run in runs if key in run]
                        cells.append(
                            f"{statistics.median(values):7.0f} / {max(values):5.0f}"
                            if values
                            else "-"
                        )
                    print(f"{name:8}" + "".join(f"{cell:>20}" for cell in cells))
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
