"""Every page loads a script's helpers before the script: words.js (RoundsWords) before
anything that speaks, time.js (RoundsTime) and live-socket.js (RoundsLive) before the live
pages, the vendored socket.io client before live-socket.js. The scripts rely on it and carry
no fallbacks, so it is checked here on the templates, without a browser: each page is
flattened through its layouts and includes, and every script tag is deferred (so the scripts
run in the order of their tags)."""

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, nodes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
SCRIPTS = ROOT / "static" / "js"
SOCKET_IO = "js/vendor/socket.io.min.js"
SCRIPT_TAG = re.compile(r"<script\b[^>]*\bsrc=\"(js/[^\"]+)\"[^>]*>")
PROVIDES = re.compile(r"window\.(Rounds[A-Z]\w*) = ")
NAMES = re.compile(r"\b(Rounds[A-Z]\w*)\b")
USES_IO = re.compile(r"\bio\(|typeof io\b")

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"], autoescape=True
)


def parsed(name: str) -> nodes.Template:
    return ENV.parse(ENV.loader.get_source(ENV, name)[0])


def flattened(name: str, overrides: dict | None = None) -> str:
    """The page's markup as the browser gets it, as far as tags go: layouts filled with the
    page's blocks, includes inlined, every branch of an {% if %} kept, asset('x') as x."""
    tree = parsed(name)
    overrides = overrides or {}
    extends = next(tree.find_all(nodes.Extends), None)
    if extends is not None:
        mine = {block.name: block for block in tree.find_all(nodes.Block)}
        return flattened(extends.template.value, {**mine, **overrides})
    return "".join(_walk(tree, overrides))


def _walk(node, overrides):
    if isinstance(node, nodes.Block):
        for child in overrides.get(node.name, node).body:
            yield from _walk(child, overrides)
    elif isinstance(node, nodes.Include):
        yield flattened(node.template.value)
    elif isinstance(node, nodes.TemplateData):
        yield node.data
    elif isinstance(node, nodes.Call) and getattr(node.node, "name", None) == "asset":
        yield node.args[0].value
    else:
        for child in node.iter_child_nodes():
            yield from _walk(child, overrides)


def pages() -> list[str]:
    """Every template that is a whole page (it extends a layout)."""
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if not path.name.startswith("_") and "{% extends" in path.read_text()
    )


def scripts_on(page: str) -> list[tuple[str, bool]]:
    """The page's scripts in the order of their tags, each with whether it is deferred."""
    return [
        (match.group(1), " defer" in match.group(0))
        for match in SCRIPT_TAG.finditer(flattened(page))
    ]


def providers() -> dict[str, str]:
    """Which script puts each shared helper on window: {"RoundsWords": "js/words.js", ...}."""
    made = {"io": SOCKET_IO}
    for path in SCRIPTS.glob("*.js"):
        for name in PROVIDES.findall(path.read_text()):
            made[name] = f"js/{path.name}"
    return made


def needs(script: str) -> set[str]:
    """The shared helpers a script of ours reads."""
    if "/vendor/" in script:
        return set()
    source = (ROOT / "static" / script).read_text()
    names = set(NAMES.findall(source)) - set(PROVIDES.findall(source))
    return names | ({"io"} if USES_IO.search(source) else set())


def test_the_flattening_sees_the_pages_scripts():
    # A canary: base.html's words.js, an include's script, and a page's own block.
    scripts = [script for script, _deferred in scripts_on("staff/patient.html")]
    assert scripts.index("js/readability.js") < scripts.index("js/words.js")
    assert scripts.index("js/words.js") < scripts.index("js/staff-live.js")
    assert {"RoundsWords", "RoundsTime", "RoundsLive"} <= set(providers())
    assert needs("js/family.js") >= {"RoundsWords", "RoundsTime", "RoundsLive"}
    assert needs("js/live-socket.js") == {"io"}


def test_every_script_is_deferred_so_they_run_in_the_order_of_their_tags():
    undeferred = {
        page: [script for script, deferred in scripts_on(page) if not deferred] for page in pages()
    }
    assert {page: scripts for page, scripts in undeferred.items() if scripts} == {}


def test_every_page_loads_what_a_script_needs_before_it():
    made_by = providers()
    late = []
    for page in pages():
        loaded: list[str] = []
        for script, _deferred in scripts_on(page):
            missing = sorted(name for name in needs(script) if made_by[name] not in loaded)
            if missing:
                late.append(f"{page}: {script} needs {', '.join(missing)} loaded before it")
            loaded.append(script)
    assert late == []
