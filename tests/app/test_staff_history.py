"""A child's staff page on a long stay: the history comes a page at a time, newest first, and
day 40 of an ECMO run costs the page what day 1 does."""

import re

import sqlalchemy as sa

from rounds.extensions import db
from rounds.models import Update, User
from rounds.services.updates import UpdateFields, correct_update, retract_update
from tests.support.client import signed_in

SUMMARY = re.compile(r"Day (\d+) on ECMO\.")
MORE = re.compile(r'href="(/staff/patients/\d+\?before=\d+)#history"')


def days_shown(html: str) -> list[int]:
    """The days whose update the page shows, in the order shown."""
    history = html[html.index('id="history"') :]
    return [int(day) for day in SUMMARY.findall(history)]


def long_stay(make, world, days: int) -> list[int]:
    """One update a day for ``days`` days; returns their ids, oldest first."""
    return [make.post(world.clinician, world.child_a1, f"Day {d} on ECMO.") for d in range(days)]


def test_the_history_comes_ten_threads_at_a_time_newest_first(app, world, make):
    long_stay(make, world, 24)  # the world's own update is the oldest of all
    nurse = signed_in(app, world.nurse.email)
    first = nurse.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    assert days_shown(first) == list(range(23, 13, -1))
    second_url = MORE.search(first).group(1)
    second = nurse.get(second_url).get_data(as_text=True)
    assert days_shown(second) == list(range(13, 3, -1))
    assert "Earlier updates" in second and "Back to the newest updates" in second
    third = nurse.get(MORE.search(second).group(1)).get_data(as_text=True)
    assert days_shown(third) == [3, 2, 1, 0]
    assert "Child A1 slept well." in third  # the world's first update closes the stay
    assert "Show earlier updates" not in third
    # A post made meanwhile does not shift the pages already open (a keyset, not an offset).
    make.post(world.clinician, world.child_a1, "Day 24 on ECMO.")
    assert days_shown(nurse.get(second_url).get_data(as_text=True)) == list(range(13, 3, -1))


def test_each_thread_keeps_its_versions_and_retractions_on_its_page(app, world, make):
    ids = long_stay(make, world, 12)
    with app.app_context():
        clinician = db.session.get(User, world.clinician.id)
        correct_update(
            clinician,
            db.session.get(Update, ids[1]),
            UpdateFields("improving", "Day 1 on ECMO. Corrected."),
            "Clearer words",
        )
        retract_update(clinician, db.session.get(Update, ids[0]), "Posted to the wrong child")
    nurse = signed_in(app, world.nurse.email)
    first = nurse.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    earlier = nurse.get(MORE.search(first).group(1)).get_data(as_text=True)
    assert "Day 1 on ECMO. Corrected." in earlier and "Clearer words" in earlier
    assert "Retracted" in earlier and "Posted to the wrong child" in earlier
    assert "Corrected." not in first and "Retracted" not in first


def test_the_page_costs_the_same_on_day_40_as_on_day_4(app, world, make):
    nurse = signed_in(app, world.nurse.email)
    url = f"/staff/patients/{world.child_a1}"

    def selects() -> int:
        sent = []

        def note(_conn, _cursor, statement, *_rest):
            sent.append(statement)

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            page = nurse.get(url)
        finally:
            with app.app_context():
                sa.event.remove(db.engine, "before_cursor_execute", note)
        return len(sent), len(page.get_data())

    long_stay(make, world, 11)
    statements_early, bytes_early = selects()
    long_stay(make, world, 40)
    statements_late, bytes_late = selects()
    assert statements_late == statements_early
    assert bytes_late < bytes_early * 1.1  # the same ten cards (the numbers grow a digit)


def test_a_cursor_of_another_child_is_not_found_and_garbage_is_ignored(app, world, make):
    long_stay(make, world, 12)
    nurse = signed_in(app, world.nurse.email)
    url = f"/staff/patients/{world.child_a1}"
    assert nurse.get(f"{url}?before={world.update_a2}").status_code == 404  # same unit
    assert nurse.get(f"{url}?before={world.update_b1}").status_code == 404  # another unit
    assert nurse.get(f"{url}?before=999999").status_code == 404
    for garbage in ("x", "-1", "1.5", "", "%00"):
        page = nurse.get(f"{url}?before={garbage}")
        assert page.status_code == 200, garbage
        assert days_shown(page.get_data(as_text=True))[0] == 11, garbage
