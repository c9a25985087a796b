"""Lighthouse on the staff child page of a long stay (desktop) and the family page (mobile).

Run by hand:  npm ci --prefix bench/lighthouse   (once: Lighthouse 12.8.2, pinned)
              .venv/bin/python bench/lighthouse.py [--runs 3] [--updates 100] [--keep]

A scratch SQLite database with the fictional demo, Noah Chen given ``--updates`` versions
(bench/lighthouse_data.py), served by ``python app.py`` (the embedded default). A clinician
and Noah's father sign in over HTTP with the User-Agent Lighthouse will send: Flask-Login keeps
a hash of it in the session, and a session read by another browser is rewritten on every
answer. Prints each run and the median, and for the median run the scripts and tasks that
kept the main thread busy. Needs node and Chromium (CHROME_PATH, default /usr/bin/chromium).
"""

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lighthouse_data import make_database  # noqa: E402
from load_servers import Server, embedded_server  # noqa: E402

from rounds.demo_data import DEMO_PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CONSTANTS = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "core" / "config" / "constants.js"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage"
)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ROWS = [  # (label, key in figures(), format)
    ("load average, 1 min", "load", "{:.2f}"),
    ("benchmark index", "benchmark", "{:.0f}"),
    ("performance (x100)", "performance", "{:.0f}"),
    ("total blocking time (ms)", "tbt", "{:.0f}"),
    ("largest contentful paint (ms)", "lcp", "{:.0f}"),
    ("first contentful paint (ms)", "fcp", "{:.0f}"),
    ("DOM elements (dom-size)", "dom", "{:.0f}"),
]


@dataclass
class Page:
    """A page to measure, who reads it, with which Lighthouse preset; its runs so far."""

    name: str
    path: str
    email: str
    preset: str  # "desktop" or "mobile" (Lighthouse's default)
    agents: dict[str, str]  # Lighthouse's User-Agent by preset
    runs: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)

    @property
    def user_agent(self) -> str:
        """What Lighthouse sends with this preset: the session is minted for it."""
        return self.agents[self.preset]


def tools() -> tuple[str, str]:
    """Node and Chromium, or exit with what to install."""
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not shutil.which("node"):
        sys.exit("node is missing: install Node 20 (apt-get install nodejs npm).")
    if not (shutil.which(chrome) or Path(chrome).is_file()):
        sys.exit(f"Chromium is missing at {chrome}: apt-get install chromium, or set CHROME_PATH.")
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: npm ci --prefix bench/lighthouse")
    return chrome, subprocess.run(["node", "--version"], capture_output=True, text=True).stdout


def user_agents() -> dict[str, str]:
    """The User-Agents the installed Lighthouse emulates: {"mobile": ..., "desktop": ...}."""
    script = f"import {{userAgents}} from {json.dumps(CONSTANTS.as_uri())};"
    script += "console.log(JSON.stringify(userAgents));"
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def sign_in(base: str, email: str, user_agent: str) -> str:
    """Sign in over HTTP as ``user_agent``; the Cookie header that session needs."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", user_agent)]
    page = opener.open(f"{base}/signin", timeout=30).read().decode()
    form = {"email": email, "password": DEMO_PASSWORD, "csrf_token": CSRF.search(page).group(1)}
    landed = opener.open(f"{base}/signin", urllib.parse.urlencode(form).encode(), timeout=30)
    if "/signin" in landed.url:
        raise RuntimeError(f"sign-in failed for {email}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def check_cookie(base: str, path: str, cookie: str, user_agent: str) -> str:
    """GET the page as Lighthouse will (which also warms the server); it must answer 200
    and send no new cookie (one would mean the session was made for another browser)."""
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie, "User-Agent": user_agent})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200 or response.getheader("Set-Cookie"):
        raise RuntimeError(
            f"GET {path} with the minted cookie: {response.status}, "
            f"Set-Cookie {response.getheader('Set-Cookie')!r}"
        )
    return f"GET {path}: 200, no new cookie"


def run_lighthouse(url: str, cookie: str, preset: str, out: Path, chrome: str) -> dict:
    """One Lighthouse run; its report."""
    command = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-flags={CHROME_FLAGS}",
        "--extra-headers=" + json.dumps({"Cookie": cookie}),
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        *(["--preset=desktop"] if preset == "desktop" else []),
    ]
    done = subprocess.run(
        command,
        cwd=LIGHTHOUSE_DIR,
        env={**os.environ, "CHROME_PATH": chrome},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError") or report["finalDisplayedUrl"] != url:
        raise RuntimeError(
            f"lighthouse did not measure {url}: {report.get('runtimeError')}, "
            f"ended on {report['finalDisplayedUrl']}"
        )
    return report


def figures(report: dict, load: float) -> dict:
    """The numbers of one run."""
    audits = report["audits"]
    score = report["categories"]["performance"]["score"]
    return {
        "load": load,
        "benchmark": report["environment"]["benchmarkIndex"],
        "performance": float("nan") if score is None else score * 100,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "dom": audits["dom-size"]["numericValue"],
    }


def median_run(runs: list[dict]) -> int:
    """Index of the run whose score is the median (the lower middle, ties by blocking time)."""
    order = sorted(range(len(runs)), key=lambda i: (runs[i]["performance"], -runs[i]["tbt"]))
    return order[(len(order) - 1) // 2]


def short(url: str, base: str) -> str:
    """A script's URL without the server's address and cache-busting query."""
    return url.replace(base, "").split("?")[0] or url


def print_page(page: Page, base: str) -> None:
    """Each run and the median; what kept the median run's main thread busy."""
    runs = page.runs
    print(f"\n{page.name} page {page.path} as {page.email} ({page.preset})")
    heads = [f"run {i + 1}" for i in range(len(runs))] + ["median"]
    print(f"  {'':<32}" + "".join(f"{h:>10}" for h in heads))
    for label, key, fmt in ROWS:
        values = [run[key] for run in runs] + [statistics.median(run[key] for run in runs)]
        print(f"  {label:<32}" + "".join(f"{fmt.format(v):>10}" for v in values))
    middle = median_run(runs)
    audits = page.reports[middle]["audits"]
    print(f"  median run: run {middle + 1}")
    dom = {
        item["statistic"]: item["value"]["value"]
        for item in audits["dom-size"]["details"]["items"]
        if isinstance(item.get("value"), dict)
    }
    print("  dom-size: " + ", ".join(f"{k} {v}" for k, v in dom.items()))
    print(
        f"  {'scripts by main-thread time (bootup-time)':<52}{'total':>8}{'script':>8}{'parse':>8}"
    )
    for item in audits["bootup-time"]["details"].get("items", [])[:6]:
        print(
            f"    {short(item['url'], base):<50}{item['total']:>8.0f}"
            f"{item['scripting']:>8.0f}{item['scriptParseCompile']:>8.0f}"
        )
    kinds = audits["mainthread-work-breakdown"]["details"]["items"]
    print(
        "  main thread by kind (ms): "
        + ", ".join(f"{k['group']} {k['duration']:.0f}" for k in kinds)
    )
    tasks = audits.get("long-tasks", {}).get("details", {}).get("items", [])
    print("  longest main-thread tasks (long-tasks, ms):")
    for task in sorted(tasks, key=lambda t: -t["duration"])[:4]:
        where = short(task["url"], base)
        print(f"    {where:<50}{task['duration']:>8.0f}  at {task['startTime']:.0f}")


def start_server(database_url: str, workdir: Path) -> Server:
    """``python app.py`` on the scratch database, answering /health."""
    server = embedded_server(database_url, workdir / "server.log")
    server.start(wait=False)
    server.wait_healthy(timeout=60)
    return server


def measure(pages: list[Page], runs: int, base: str, workdir: Path, chrome: str) -> None:
    """Each round runs Lighthouse once on each page, on a session minted just before."""
    for run in range(runs):
        for page in pages:
            # A new session each run: the minted cookie's "seen" stays fresh.
            cookie = sign_in(base, page.email, page.user_agent)
            checked = check_cookie(base, page.path, cookie, page.user_agent)
            load = os.getloadavg()
            print(
                f"run {run + 1}/{runs} {page.name} ({page.preset}): load average "
                + " ".join(f"{x:.2f}" for x in load)
                + f"; {checked}",
                flush=True,
            )
            out = workdir / f"{page.name}-{run + 1}.json"
            report = run_lighthouse(base + page.path, cookie, page.preset, out, chrome)
            page.runs.append(figures(report, load[0]))
            page.reports.append(report)


def main() -> None:
    """Make the data, serve it, run Lighthouse on both pages, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page (the median is shown)")
    parser.add_argument("--updates", type=int, default=100, help="Noah's versions in all")
    parser.add_argument("--keep", action="store_true", help="keep the reports and server log")
    args = parser.parse_args()
    chrome, node = tools()
    agents = user_agents()
    workdir = Path(tempfile.mkdtemp(prefix="rounds-lighthouse-"))
    database_url = f"sqlite:///{workdir / 'rounds.db'}"
    stay = make_database(database_url, args.updates)
    print(
        f"Noah Chen: {stay.posts} posts, {stay.versions} versions with corrections, "
        f"{stay.translations} translations"
    )
    child = stay.patient_id
    pages = [
        Page("staff", f"/staff/patients/{child}", stay.clinician_email, "desktop", agents),
        Page("family", f"/family/children/{child}", stay.parent_email, "mobile", agents),
    ]
    server = start_server(database_url, workdir)
    base = server.url
    try:
        measure(pages, args.runs, base, workdir, chrome)
    except BaseException:
        print(f"kept for a look: {workdir} (reports, server.log)", file=sys.stderr)
        raise
    finally:
        server.stop()
    version = pages[0].reports[0]["lighthouseVersion"]
    print(f"\nLighthouse {version}, node {node.strip()}, {chrome}, {os.cpu_count()} cores")
    for page in pages:
        print_page(page, base)
    if args.keep:
        print(f"\nreports and server log: {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
