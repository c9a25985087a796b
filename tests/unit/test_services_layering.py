"""Services do not reach up: a module under rounds/services/ takes what it needs as arguments,
so a job-queue worker can call it outside a request. It never imports a blueprint's module,
and never touches the request, the session, ``g``, ``url_for`` or the signed-in user."""

import ast
from pathlib import Path

ROUNDS = Path(__file__).resolve().parents[2] / "rounds"
SERVICES = ROUNDS / "services"
# What only exists while a request (or a socket event) is being answered.
REQUEST_BOUND = {
    "flask": {"request", "session", "g", "url_for", "has_request_context"},
    "flask_login": {"current_user", "login_user", "logout_user"},
}


def blueprint_packages() -> set[str]:
    """rounds' sub-packages that hold a blueprint (found, so a new one is covered too)."""
    found = set()
    for path in ROUNDS.rglob("*.py"):
        relative = path.relative_to(ROUNDS).parts
        if len(relative) > 1 and "Blueprint(" in path.read_text():
            found.add(f"rounds.{relative[0]}")
    return found


def reaching_up(path: Path, blueprints: set[str]) -> list[str]:
    """What in this module reaches up into blueprints or the request."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        modules = []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
            for alias in node.names:
                if alias.name in REQUEST_BOUND.get(node.module, set()):
                    found.append(f"uses {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr in REQUEST_BOUND.get(node.value.id, set())
        ):
            found.append(f"uses {node.value.id}.{node.attr}")
        for module in modules:
            if any(module == bp or module.startswith(bp + ".") for bp in blueprints):
                found.append(f"imports {module}")
    return found


def test_the_blueprints_are_found():
    assert {"rounds.auth", "rounds.staff", "rounds.family", "rounds.join", "rounds.admin"} <= (
        blueprint_packages()
    )


def test_no_service_imports_a_blueprint_or_touches_the_request():
    blueprints = blueprint_packages()
    problems = {
        path.name: reaching_up(path, blueprints)
        for path in sorted(SERVICES.glob("*.py"))
        if reaching_up(path, blueprints)
    }
    assert problems == {}


def test_the_check_catches_what_it_looks_for(tmp_path):
    """Control: each way of reaching up is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import flask\n"
        "from flask import current_app, request, url_for\n"
        "from flask_login import current_user\n"
        "from rounds.auth.sessions import start_session\n"
        "import rounds.staff.routes\n"
        "def f():\n"
        "    return flask.session, flask.g, current_app\n"
    )
    assert sorted(reaching_up(sample, {"rounds.auth", "rounds.staff"})) == [
        "imports rounds.auth.sessions",
        "imports rounds.staff.routes",
        "uses flask.g",
        "uses flask.request",
        "uses flask.session",
        "uses flask.url_for",
        "uses flask_login.current_user",
    ]
