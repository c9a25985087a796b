"""Under CI=true, a skip or an xfail fails the run; elsewhere they stay what they are."""

SAMPLE = """
import pytest

def test_skipped():
    pytest.skip("no service here")

@pytest.mark.xfail(reason="known")
def test_xfailed():
    assert False

def test_passes():
    assert True
"""


def test_skips_and_xfails_fail_under_ci(pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(SAMPLE)
    result = pytester.runpytest("-p", "tests.support.ci_rules")
    result.assert_outcomes(passed=1, failed=2)


def test_skips_and_xfails_are_reported_as_such_outside_ci(pytester, monkeypatch):
    monkeypatch.setenv("CI", "false")
    pytester.makepyfile(SAMPLE)
    result = pytester.runpytest("-p", "tests.support.ci_rules")
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
