"""A pytest plugin: under CI=true a skipped or xfailed test is a failure.

A missing service or browser must never hide behind a skip. Loaded by conftest.py.
"""

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn skips and xfails into failures when CI=true."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and (report.skipped or hasattr(report, "wasxfail")):
        report.outcome = "failed"
        report.longrepr = f"CI=true forbids skips and xfails: {report.longrepr}"
