"""The side-by-side table of bench/load.py: the app, the Node baseline, ratios, targets."""

import os
import re
import subprocess
from functools import partial
from pathlib import Path

LOG_TROUBLE = re.compile(r"Traceback|\bERROR\b|Error:|exception|CRITICAL|WORKER TIMEOUT", re.I)


def percentile(values, p):
    """The p-th percentile (nearest rank); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def fmt(value, digits=1) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def ratio(app, node) -> str:
    """app / node; none when either is missing or node's is not above zero (node's resident
    memory can fall between two readings: its collector ran)."""
    if app is None or node is None or node <= 0:
        return "-"
    return f"{app / node:.2f}x"


class Table:
    """Rows of: measure, app, node, ratio, target, verdict (``first``: the app's column, "app"
    for production mode, "embedded" for the embedded default)."""

    def __init__(self, first: str = "app"):
        self.rows = []
        self.first = first

    def add(self, name, app, node, target="", met=None, digits=1, show_ratio=True):
        verdict = "" if met is None else ("PASS" if met else "MISS")
        self.rows.append(
            (
                name,
                fmt(app, digits),
                fmt(node, digits),
                ratio(app, node) if show_ratio else "",
                target,
                verdict,
            )
        )

    def section(self, title):
        self.rows.append((title,))

    def print(self):
        head = ("measure", self.first, "node", f"{self.first[:4]}/node", "target", "")
        widths = (44, 9, 9, 9, 22, 4)
        line = "  ".join(
            f"{h:<{w}}" if i == 0 else f"{h:>{w}}"
            for i, (h, w) in enumerate(zip(head, widths, strict=True))
        )
        print(line)
        print("-" * len(line))
        for row in self.rows:
            if len(row) == 1:
                print(row[0])
                continue
            print(
                "  ".join(
                    f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )


def latency_rows(table, app, node, label, p99_target=None, p99_factor=None, screen_cap=None):
    """p50/p95/p99 of notification and screen, then the counts."""
    for key, name in (("notify", "post-to-notification"), ("screen", "post-to-screen")):
        for p in (50, 95, 99):
            a, n = as_ms(percentile(app[key], p)), as_ms(percentile(node[key], p))
            target, met = "", None
            if p == 99 and key == "notify" and p99_factor:
                target = f"<= {p99_factor:g}x node"
                met = a is not None and bool(n) and a <= p99_factor * n
            if p == 99 and key == "screen" and screen_cap:
                target, met = f"<= {screen_cap} ms", a is not None and a <= screen_cap
            table.add(f"  {name} p{p} (ms)", a, n, target, met)
    table.add(
        "  post HTTP request p50 (ms)",
        as_ms(percentile(app["post_ms"], 50)),
        as_ms(percentile(node["post_ms"], 50)),
    )
    table.add(
        "  post HTTP request p99 (ms)",
        as_ms(percentile(app["post_ms"], 99)),
        as_ms(percentile(node["post_ms"], 99)),
    )
    strict = label == "big"
    for key, name in (
        ("missed", "missed notifications"),
        ("duplicated", "duplicated"),
        ("missed_screen", "never on screen"),
        ("foreign", "other child's events"),
        ("posts_failed", "posts failed"),
        ("fetch_errors", "events fetch errors"),
    ):
        zero = key in ("missed", "duplicated") and strict
        table.add(
            f"  {name}",
            app[key],
            node[key],
            "0" if zero else "",
            (app[key] == 0) if zero else None,
            show_ratio=False,
        )
    table.add(
        "  posts saved (their deliveries are expected)",
        app["posts_saved"],
        node["posts_saved"],
        show_ratio=False,
    )
    table.add("  deliveries expected", app["expected"], node["expected"], show_ratio=False)
    table.add(
        "  server CPU per post, fan-out and fetches (ms)",
        app["cpu"]["servers_ms"] / app["posts"],
        node["cpu"]["servers_ms"] / node["posts"],
    )
    table.add(
        "  machine CPU used by the bench (%)",
        app["cpu"]["bench_pct"],
        node["cpu"]["bench_pct"],
        show_ratio=False,
        digits=0,
    )
    table.add(
        "  machine CPU used by other work (%)",
        app["cpu"]["others_pct"],
        node["cpu"]["others_pct"],
        "~0",
        show_ratio=False,
        digits=0,
    )


def unit_rows(table, app, node, args) -> None:
    """The unit load's section of the table (and, with --rounds, the queue changes')."""
    process = "1 process"
    if getattr(args, "embedded", False):
        process += " (embedded default: python app.py, SQLite)"
    table.section(
        f"Unit load: {app['unit_connect']['total']} sockets over {args.children_per_unit} "
        f"children, {process}, {args.rate:g} posts/s, {args.posts} posts"
    )
    latency_rows(table, app["unit"], node["unit"], "unit", p99_factor=2, screen_cap=150)
    if app["unit"].get("rounds") and node["unit"].get("rounds"):
        rounds_rows(table, app["unit"], node["unit"], args)


def as_ms(value):
    """A time in ms as a float (JSON gives 181 for 181.0, which fmt would print as a count)."""
    return None if value is None else float(value)


def rounds_rows(table, app, node, args) -> None:
    """--rounds: the queue changes made during the unit load, beside its updates."""
    a, n = app["rounds"], node["rounds"]
    table.section(
        f"Rounds queue, in that unit load: {a['changes']} changes (POST done), one every "
        f"{args.rounds_every:g} s, each pushed to the unit's {args.children_per_unit} children"
    )
    for p, name in ((50, "p50"), (95, "p95"), (99, "p99"), (100, "max")):
        a_p, n_p = percentile(a["notify"], p), percentile(n["notify"], p)
        table.add(f"  change-to-family {name} (ms)", as_ms(a_p), as_ms(n_p))
    # Per change (not per family): until the first of the unit's families heard it, and until
    # all of them had (changes that missed a family are left out: see "missed rounds events").
    for key, name in (("first", "its first family"), ("all", "all its families")):
        for p, label in ((50, "p50"), (100, "max")):
            a_p, n_p = percentile(a[key], p), percentile(n[key], p)
            table.add(f"  change reaching {name} {label} (ms)", as_ms(a_p), as_ms(n_p))
    for key, name in (("notify", "post-to-notification"), ("screen", "post-to-screen")):
        a_max, n_max = percentile(app[key], 100), percentile(node[key], 100)
        table.add(f"  update {name} max (ms)", as_ms(a_max), as_ms(n_max))
    for p in (50, 99):
        a_p, n_p = percentile(a["change_ms"], p), percentile(n["change_ms"], p)
        table.add(f"  change HTTP request p{p} (ms)", as_ms(a_p), as_ms(n_p))
    for key, name in (
        ("missed", "missed rounds events"),
        ("duplicated", "duplicated"),
        ("foreign", "other child's states"),
        ("changes_failed", "changes failed"),
        ("changes_saved", "changes saved (each one expected)"),
        ("expected", "deliveries expected"),
    ):
        table.add(f"  {name}", a[key], n[key], show_ratio=False)


def print_unit_report(results, args, workdir: Path, elapsed: float) -> None:
    """The unit load's rows alone (--unit-only, --embedded)."""
    first = "embedded" if "embedded" in results else "app"
    app, node = results[first], results["node"]
    table = Table(first)
    unit_rows(table, app, node, args)
    table.print()
    print()
    if args.rounds:
        print(
            "with --rounds the server CPU per post also holds the queue changes' "
            f"({app['unit']['rounds']['changes']} of them) and their pushes"
        )
    for kind, res in results.items():
        errors = res["unit_connect"].get("errors", []) + res["unit"].get("errors", [])
        if errors:
            print(f"{kind} swarm errors (first {min(len(errors), 8)}): {errors[:8]}")
    print(f"minted family cookie, GET /family/: {app['cookie_check']}")
    print(f"app code: {code_version(args.app_dir)}")
    print(f"logs: {workdir}   machine: {os.cpu_count()} cores   run took {elapsed:.0f} s")


def print_report(results, offer, args, workdir: Path, elapsed: float) -> None:
    """Print the whole table, then the facts a reader needs to trust it."""
    app, node = results["app"], results["node"]
    table = Table()
    unit_rows(table, app, node, args)
    big_fams = app["big_connect"]["total"]
    table.section(
        f"Hospital load: {big_fams} sockets over {args.units * args.children_per_unit}"
        f" children, 2 processes, {args.rate:g} posts/s, {args.posts} posts"
    )
    table.add(
        "  sockets connected",
        app["big_connect"]["connected"],
        node["big_connect"]["connected"],
        str(big_fams),
        app["big_connect"]["connected"] == big_fams,
        show_ratio=False,
    )
    table.add(
        "  time to connect them all (s)",
        app["big_connect"]["seconds"],
        node["big_connect"]["seconds"],
    )
    latency_rows(table, app["big"], node["big"], "big", p99_factor=3)
    a_rss, n_rss = app["rss"], node["rss"]
    table.add(
        "  memory per family, connected (KB)",
        a_rss["per_family_connected_kb"],
        n_rss["per_family_connected_kb"],
        "<= 100 KB",
        a_rss["per_family_connected_kb"] <= 100,
    )
    table.add(
        "  memory per family, after posts (KB)",
        a_rss["per_family_traffic_kb"],
        n_rss["per_family_traffic_kb"],
        "<= 100 KB",
        a_rss["per_family_traffic_kb"] <= 100,
    )
    table.section(
        f"Reconnect storm: both processes restarted, {big_fams} sockets, "
        f"outage {app['outage_seconds']:.1f} s / {node['outage_seconds']:.1f} s"
    )
    a_st, n_st = app["storm"], node["storm"]
    table.add(
        "  all back and caught up, from start (s)",
        a_st["seconds_to_all"],
        n_st["seconds_to_all"],
        "<= 10 s",
        a_st["seconds_to_all"] is not None and a_st["seconds_to_all"] <= 10,
        digits=2,
    )
    table.add(
        "  half back and caught up, from start (s)",
        a_st["seconds_p50"],
        n_st["seconds_p50"],
        digits=2,
    )
    table.add(
        "  processes healthy again, from start (s)",
        app["boot_seconds"],
        node["boot_seconds"],
        digits=2,
    )
    table.add("  sockets caught up", a_st["caught_up"], n_st["caught_up"], show_ratio=False)
    table.print()
    print()
    for kind, res in results.items():
        print(
            f"{kind} storm: sockets all down {res['down_seconds']:.1f} s after the stop signal; "
            f"{args.units * args.children_per_unit} updates written while away in "
            f"{res['away_posts_seconds']:.1f} s; start command {res['outage_seconds']:.1f} s "
            "after the stop signal"
        )
    print(
        f"compression offered by the swarm: {offer['extensions']!r}; negotiated: "
        f"app {app['big_connect']['extensions']}, node {node['big_connect']['extensions']}"
    )
    for kind, res in results.items():
        rss = res["rss"]
        print(
            f"{kind} RSS KB per socket-holding process (gunicorn workers / node): before "
            f"{rss['before_kb']}, connected {rss['connected_kb']}, after posts "
            f"{rss['traffic_kb']}"
        )
        errors = [
            e
            for phase in ("unit_connect", "unit", "big_connect", "big", "storm")
            for e in res[phase].get("errors", [])
        ]
        if errors:
            print(f"{kind} swarm errors (first {min(len(errors), 8)}): {errors[:8]}")
    if "cookie_check" in app:
        print(f"minted family cookie, GET /family/: {app['cookie_check']}")
    for log in sorted(workdir.glob("*.log")):
        trouble = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if LOG_TROUBLE.search(line)
        ]
        if trouble:
            print(f"{log.name}: {len(trouble)} error lines, e.g. {trouble[0][:160]!r}")
    print(f"app code: {code_version(args.app_dir)}")
    print(f"logs: {workdir}   machine: {os.cpu_count()} cores   run took {elapsed:.0f} s")


def code_version(root: Path | None = None) -> str:
    """The commit measured (of ``root``, by default this repository), and whether the work
    tree had changes on top of it."""
    root = root or Path(__file__).resolve().parent.parent
    run = partial(subprocess.run, cwd=root, capture_output=True, text=True, check=False)
    head = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip() or "unknown"
    served = ["rounds", "config.py", "deploy", "templates", "static", "migrations"]
    changed = run(["git", "status", "--porcelain", "--", *served]).stdout
    note = " with uncommitted changes in what it serves (rounds/, templates/...)" if changed else ""
    return head + note


def print_long_report(app: dict, args, workdir: Path, elapsed: float) -> None:
    """--long: the first and the last LONG_STEP posts of a long stay's unit phase side by side,
    the worker's memory after each step, and the events answers' bytes."""
    steps = app["long"]
    first, last = steps[0], steps[-1]
    per_step = len(steps) and args.posts // len(steps)
    sockets, children = app["unit_connect"]["total"], args.children_per_unit
    print(
        f"Long stay: {sockets} sockets over {children} children, 1 process, {args.rate:g} "
        f"posts/s, {args.posts} posts ({args.posts // children} updates a child), "
        f"first and last {per_step}"
    )
    print(f"{'':38} {'first':>9} {'last':>9} {'last/first':>10} {'target':>8}  met")

    def row(name, a, b, limit=None):
        a, b = a or 0.0, b or 0.0
        ratio = b / a if a else None
        met = "" if limit is None or ratio is None else ("yes" if ratio <= limit else "NO")
        target = f"<= {limit:g}x" if limit else ""
        shown = f"{ratio:.2f}x" if ratio is not None else "-"
        print(f"{name:38} {a:9.1f} {b:9.1f} {shown:>10} {target:>8}  {met}")

    for key, name in (("notify", "post-to-notification"), ("screen", "post-to-screen")):
        for p, limit in ((50, 1.2), (95, 1.2), (99, 1.5)):
            row(f"  {name} p{p} (ms)", percentile(first[key], p), percentile(last[key], p), limit)
    row(
        "  server CPU per post cycle (ms)",
        first["cpu"]["servers_ms"] / first["posts"],
        last["cpu"]["servers_ms"] / last["posts"],
        1.2,
    )
    for p in (50, 95):
        row(
            f"  events answer p{p} (bytes)",
            percentile(first["answer_bytes"], p) or 0,
            percentile(last["answer_bytes"], p) or 0,
        )
    row(
        "  events answers, total (KB)",
        sum(first["answer_bytes"]) / 1024,
        sum(last["answer_bytes"]) / 1024,
    )
    for key in ("missed", "duplicated", "missed_screen", "foreign", "posts_failed"):
        print(f"  {key:36} {sum(step[key] for step in steps):9d} (all steps)")
    rss = [step["rss_kb"] / 1024 for step in steps]
    print("worker resident memory after each step (MB): " + ", ".join(f"{mb:.1f}" for mb in rss))
    growth = rss[-1] - rss[0] if rss else 0.0
    print(
        f"memory growth from post {per_step} on: {growth:+.1f} MB (target <= 5 MB: "
        f"{'yes' if growth <= 5 else 'NO'})"
    )
    errors = [e for step in steps for e in step.get("errors", [])]
    if errors:
        print(f"swarm errors (first {min(len(errors), 8)}): {errors[:8]}")
    print(f"app code: {code_version(args.app_dir)}")
    print(f"logs: {workdir}   machine: {os.cpu_count()} cores   run took {elapsed:.0f} s")
