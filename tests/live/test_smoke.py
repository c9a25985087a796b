"""The README's run command, on a fresh clone, serves the sign-in page (twice, safely)."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.live import ROOT, free_port, wait_until

pytestmark = pytest.mark.live


def readme_run_command() -> str:
    """The run command as the README states it."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"## Run it.*?\n\s*\n    (\S[^\n]*)\n", readme, re.S)
    assert match, "README has no indented run command under '## Run it'"
    return match.group(1).strip()


def serve_once(clone: Path, port: int) -> str:
    """Run the command in the clone until the sign-in page answers; return what it printed."""
    log = clone / f"run-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROUNDS_", "DATABASE_URL"))}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    # The README's command, exactly as a person types it, hence a shell.
    process = subprocess.Popen(  # noqa: S602
        readme_run_command(),
        shell=True,
        cwd=clone,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def sign_in_page():
        if process.poll() is not None:
            pytest.fail(f"the run command exited:\n{log.read_text()[-3000:]}")
        try:
            response = requests.get(f"http://127.0.0.1:{port}/signin", timeout=2)
        except requests.ConnectionError:
            return None
        return response if response.status_code == 200 else None

    try:
        page = wait_until(sign_in_page, timeout=300, interval=1, message="the sign-in page")
        assert "Sign in to Rounds" in page.text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    return log.read_text()


def says_what_this_mode_is(output: str) -> None:
    """One plain line names the mode and points to production mode; Werkzeug's and
    Flask-SocketIO's "production deployment" warnings are gone."""
    plain = [line for line in output.splitlines() if "embedded default" in line]
    assert len(plain) == 1, output[-3000:]
    assert "one process, for a demo or a trial" in plain[0]
    assert 'README.md "Production mode"' in plain[0]
    assert "\n## Production mode\n" in (ROOT / "README.md").read_text()
    assert "This is a development server" not in output
    assert "production deployment" not in output


def test_readme_run_command_serves_the_demo_on_a_fresh_clone(tmp_path):
    clone = tmp_path / "rounds"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    first = serve_once(clone, free_port())
    assert "Demo data loaded." in first
    assert "dr.rivera@example.org" in first  # the demo sign-ins are printed
    says_what_this_mode_is(first)
    assert '"GET /signin HTTP/1.1" 200' in first  # the request log stays
    second = serve_once(clone, free_port())
    assert "Demo data is already loaded." in second


def test_first_migration_works_with_a_secret_key_given(tmp_path):
    """With SECRET_KEY set, nothing else makes instance/: the config must make it itself."""
    instance = tmp_path / "fresh-instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROUNDS_", "DATABASE_URL"))}
    env.update(SECRET_KEY="x" * 64, ROUNDS_INSTANCE_DIR=str(instance))
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (instance / "rounds.db").exists()
    assert not (instance / "secret_key").exists()  # the given key is used, none is made
