"""Fail unless every collected test ran and passed (nothing skipped, deselected or lost)."""

import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest's report, not untrusted input


def main(path: str, collected: int) -> int:
    """Compare the JUnit report with the collected count; print one plain closing line."""
    root = ET.parse(path).getroot()  # noqa: S314
    suites = root.iter("testsuite")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    failed = totals["tests"] - passed
    print(f"check: collected {collected}, ran {totals['tests']}, passed {passed}")
    if passed != collected or failed:
        print(f"check: FAILED: {collected - passed} of {collected} collected tests did not pass")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
