"""The admin screens: units, staff accounts, disabling, the audit log search. Admins only.

All names, addresses and numbers are fictional.
"""

import html as html_text
import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from rounds.extensions import db, socketio
from rounds.models import AuditEvent, Patient, Unit, User
from tests.support.client import post_form, sign_in
from tests.support.factories import Factory

NEW_PASSWORD = "violet kettle harbour"  # fictional


@pytest.fixture
def admin(app, world):
    """The world's admin, signed in."""
    client = app.test_client()
    sign_in(client, world.admin.email)
    return client


def page(response) -> str:
    return response.get_data(as_text=True)


def error_beside(html: str, field: str) -> str:
    """The error shown beside ``field`` ('' if none)."""
    found = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', html, re.S)
    return (
        html_text.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1)))
        .replace("Error:", "")
        .strip()
        if found
        else ""
    )


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of each body row of the page's table."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    if not body:
        return []
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


def audit_after(app, mark: int) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark)).all()
        db.session.expunge_all()
        return events


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def unit_id_named(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def user_id_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def child_name(make, patient_id: int) -> str:
    return make.get(Patient, patient_id).display_name


def new_staff(**changes) -> dict:
    return {
        "name": "Rosa Example",
        "email": "rosa.example@example.org",
        "role": "nurse",
        "password": NEW_PASSWORD,
        **changes,
    }


# --- units and staff accounts --------------------------------------------------------------


def test_new_unit_and_nurse_who_sees_only_that_units_children(app, world, make, admin):
    mark = last_audit_id(app)
    unit = {"name": "Cardiac ICU (test)", "phone": "+1 555 0199", "timezone": "America/Chicago"}
    assert post_form(admin, "/admin/units", unit).status_code == 302
    unit_id = unit_id_named(app, "Cardiac ICU (test)")
    assert "Cardiac ICU (test)" in page(admin.get("/admin/units"))
    mateo = make.patient(unit_id, "Mateo Fictional", "7")

    added = post_form(
        admin, "/admin/staff/new", new_staff(email="Rosa.Example@Example.org", units=unit_id)
    )
    assert added.status_code == 302
    listed = page(admin.get("/admin/staff"))
    assert "Rosa Example" in listed and "rosa.example@example.org" in listed

    nurse = app.test_client()
    sign_in(nurse, "rosa.example@example.org", NEW_PASSWORD)
    census = page(nurse.get("/staff/"))
    assert "Cardiac ICU (test)" in census and "Mateo Fictional" in census
    assert f'href="/staff/units/{unit_id}/rounds">Rounds queue' in census
    assert child_name(make, world.child_a1) not in census
    assert nurse.get(f"/staff/patients/{world.child_a1}").status_code == 404
    assert nurse.get(f"/staff/patients/{mateo}").status_code == 200

    rosa = user_id_of(app, "rosa.example@example.org")
    made = [(e.action, e.actor_id, e.target) for e in audit_after(app, mark)]
    assert ("add_unit", world.admin.id, f"unit:{unit_id}") in made
    assert ("add_staff", world.admin.id, f"user:{rosa}") in made
    for event in audit_after(app, mark):
        assert "Rosa" not in event.detail and "example.org" not in event.detail


def test_changing_units_changes_what_the_nurse_sees(app, world, make, admin):
    nurse = app.test_client()
    sign_in(nurse, world.nurse.email)
    a1, b1 = child_name(make, world.child_a1), child_name(make, world.child_b1)
    before = page(nurse.get("/staff/"))
    assert a1 in before and b1 not in before

    mark = last_audit_id(app)
    moved = post_form(
        admin, f"/admin/staff/{world.nurse.id}", {"role": "nurse", "units": world.unit_b}
    )
    assert moved.status_code == 302
    after = page(nurse.get("/staff/"))  # the same session: no need to sign in again
    assert b1 in after and a1 not in after
    assert nurse.get(f"/staff/patients/{world.child_a1}").status_code == 404
    assert nurse.get(f"/staff/patients/{world.child_b1}").status_code == 200
    [change] = [e for e in audit_after(app, mark) if e.action == "change_staff"]
    assert change.target == f"user:{world.nurse.id}" and change.actor_id == world.admin.id
    assert change.detail == f"units added {world.unit_b}; units removed {world.unit_a}"

    to_admin = post_form(admin, f"/admin/staff/{world.nurse.id}", {"role": "interpreter"})
    assert to_admin.status_code == 400  # a census role needs a unit
    assert "at least one unit" in error_beside(page(to_admin), "units")


def test_unit_change_moves_an_open_census_to_the_new_units_rooms(app, world, make, admin):
    client = app.test_client()
    sign_in(client, world.nurse.email)
    sock = socketio.test_client(app, flask_test_client=client)
    assert sock.is_connected()
    make.post(world.clinician, world.child_a1, "Positive control")
    assert [m["args"][0]["patient"] for m in sock.get_received()] == [world.child_a1]

    moved = {"role": "nurse", "units": world.unit_b}
    assert post_form(admin, f"/admin/staff/{world.nurse.id}", moved).status_code == 302
    make.post(world.clinician, world.child_a1, "Unit A: no longer theirs")
    make.post(world.clinician_b, world.child_b1, "Unit B: now theirs")
    heard = [m["args"][0]["patient"] for m in sock.get_received() if m["name"] == "family_event"]
    assert heard == [world.child_b1]


def test_disabled_account_is_signed_out_at_once_and_cannot_sign_in(app, world, admin):
    nurse = app.test_client()
    sign_in(nurse, world.nurse.email)
    assert nurse.get("/staff/").status_code == 200
    mark = last_audit_id(app)

    assert post_form(admin, f"/admin/staff/{world.nurse.id}/disable", {}).status_code == 302
    gone = nurse.get("/staff/")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/signin")
    again = app.test_client()
    refused = post_form(
        again, "/signin", {"email": world.nurse.email, "password": Factory.PASSWORD}
    )
    assert refused.status_code != 302 and again.get("/staff/").status_code == 302
    assert "Disabled" in table_rows_for(admin, world.nurse.name)
    assert [(e.action, e.target) for e in audit_after(app, mark) if e.actor_id] == [
        ("disable_account", f"user:{world.nurse.id}")
    ]

    assert post_form(admin, f"/admin/staff/{world.nurse.id}/enable", {}).status_code == 302
    sign_in(again, world.nurse.email)
    assert again.get("/staff/").status_code == 200
    assert "enable_account" in [e.action for e in audit_after(app, mark)]


def table_rows_for(client, name: str) -> str:
    """The staff list's row for ``name``, as text."""
    rows = table_rows(page(client.get("/admin/staff")))
    return " | ".join(next(row for row in rows if row[0].startswith(name)))


def test_admin_cannot_disable_themselves_or_change_their_own_role(app, world, admin):
    mark = last_audit_id(app)
    refused = post_form(admin, f"/admin/staff/{world.admin.id}/disable", {})
    assert refused.status_code == 302
    assert "cannot disable your own account" in page(admin.get(refused.headers["Location"]))
    demoted = post_form(admin, f"/admin/staff/{world.admin.id}", {"role": "nurse"})
    assert demoted.status_code == 400
    assert error_beside(page(demoted), "role").startswith("You cannot change your own role")
    assert admin.get("/admin/staff").status_code == 200  # still signed in, still an admin
    assert audit_after(app, mark) == []


def test_duplicate_unit_name_is_refused_beside_the_field_with_the_text_kept(app, world, admin):
    taken = page(admin.get(f"/admin/units/{world.unit_a}"))
    name = re.search(r'id="name"[^>]*value="([^"]+)"', taken).group(1)
    typed = {"name": name.upper(), "phone": "+351 555 0142", "timezone": "Europe/Lisbon"}
    mark = last_audit_id(app)
    refused = post_form(admin, "/admin/units", typed)
    html = page(refused)
    assert refused.status_code == 400
    assert (
        error_beside(html, "name") == "A unit with this name already exists. Choose another name."
    )
    assert f'value="{name.upper()}"' in html
    assert str(escape(typed["phone"])) in html
    assert '<option selected value="Europe/Lisbon">' in html
    renamed = post_form(admin, f"/admin/units/{world.unit_b}", typed)
    assert renamed.status_code == 400 and "already exists" in error_beside(page(renamed), "name")
    assert audit_after(app, mark) == []


def test_bad_phone_and_time_zone_are_refused_beside_the_field(admin):
    refused = post_form(
        admin, "/admin/units", {"name": "Neuro ICU (test)", "phone": "call us", "timezone": "Mars"}
    )
    html = page(refused)
    assert refused.status_code == 400
    assert error_beside(html, "phone").startswith("Enter a phone number")
    assert error_beside(html, "timezone") == "Choose the unit's time zone from the list."
    assert "Neuro ICU (test)" in html


def test_duplicate_email_is_refused_beside_the_field_with_the_text_kept(app, world, admin):
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))
    typed = new_staff(email=world.nurse.email.upper(), units=world.unit_a, name="Lena Example")
    refused = post_form(admin, "/admin/staff/new", typed)
    html = page(refused)
    assert refused.status_code == 400
    assert error_beside(html, "email") == "An account with this email address already exists."
    assert "Lena Example" in html and world.nurse.email.upper() in html
    assert re.search(
        rf'value="{world.unit_a}"[^>]*checked|checked[^>]*value="{world.unit_a}"', html
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_first_password_made_by_rounds_is_shown_once_and_works(app, admin, world):
    made = post_form(admin, "/admin/staff/new", new_staff(password="", units=world.unit_b))
    assert made.status_code == 200
    password = re.search(r'class="passphrase">([^<]+)<', page(made)).group(1)
    assert password not in page(admin.get("/admin/staff"))  # shown once only
    nurse = app.test_client()
    sign_in(nurse, "rosa.example@example.org", password)


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short", "Use at least 10 characters, for example three words."),
        ("Password123", "This passphrase is too easy to guess. Try three words."),
    ],
)
def test_short_or_common_first_password_is_refused(admin, world, password, error):
    refused = post_form(admin, "/admin/staff/new", new_staff(password=password, units=world.unit_a))
    assert refused.status_code == 400
    assert error_beside(page(refused), "password") == error


def test_role_and_units_must_fit_together(admin, world):
    no_unit = post_form(admin, "/admin/staff/new", new_staff(role="clinician"))
    assert "at least one unit" in error_beside(page(no_unit), "units")
    admin_in_unit = post_form(
        admin, "/admin/staff/new", new_staff(role="admin", units=world.unit_a)
    )
    assert "Admins work in no unit" in error_beside(page(admin_in_unit), "units")
    made_up = post_form(admin, "/admin/staff/new", new_staff(role="surgeon", units="999999"))
    assert error_beside(page(made_up), "role") == "Choose a role from the list."
    assert error_beside(page(made_up), "units") == "Choose units from the list."


def test_family_accounts_and_missing_rows_are_not_found(admin, world):
    for url in (
        f"/admin/staff/{world.parent_a1.id}",
        "/admin/staff/999999",
        "/admin/units/999999",
    ):
        assert admin.get(url).status_code == 404, url
    assert post_form(admin, f"/admin/staff/{world.parent_a1.id}/disable", {}).status_code == 404


def admin_urls(app, world) -> list[tuple[str, str]]:
    """Every admin route as (method, path)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        path = rule.rule.replace("<int:user_id>", str(world.nurse.id))
        path = path.replace("<int:unit_id>", str(world.unit_a))
        found += [(method, path) for method in sorted(rule.methods & {"GET", "POST"})]
    return found


@pytest.mark.parametrize("role", ["clinician", "nurse", "interpreter", "parent_a1", "stranger"])
def test_everyone_but_admins_gets_not_found_on_every_admin_route(app, world, role):
    client = app.test_client()
    sign_in(client, getattr(world, role).email)
    mark = last_audit_id(app)
    urls = admin_urls(app, world)
    assert len(urls) >= 12
    for method, path in urls:
        if method == "GET":
            got = client.get(path).status_code
        else:
            got = post_form(client, path, {"name": "X", "role": "admin", "units": ""}).status_code
        assert got == 404, f"{role} {method} {path}: {got}"
    assert [e.action for e in audit_after(app, mark)] == []
    anonymous = app.test_client()
    for method, path in urls:
        got = anonymous.open(path, method=method)
        assert got.status_code == 302 and got.headers["Location"].startswith("/signin"), path


def test_admin_lands_on_the_audit_log_with_a_way_to_each_screen(admin):
    home = admin.get("/", follow_redirects=True)
    html = page(home)
    assert "<h1>Audit log</h1>" in html
    nav = re.search(r'<nav class="admin-nav".*?</nav>', html, re.S).group(0)
    for href in ("/admin/audit", "/admin/staff", "/admin/units"):
        assert f'href="{href}"' in nav


# --- the audit log search ------------------------------------------------------------------


def add_events(app, *events: dict) -> None:
    """Audit rows at chosen times (the log only ever grows: inserting is allowed)."""
    with app.app_context():
        db.session.add_all(AuditEvent(**event) for event in events)
        db.session.commit()


def search(client, **filters):
    response = client.get("/admin/audit", query_string=filters)
    return response, table_rows(page(response))


def test_audit_search_filters_by_action_person_child_and_dates(app, world, admin):
    w = world
    _, everything = search(admin)
    assert {row[2] for row in everything} >= {"post update", "grant access", "sign in"}

    _, posts = search(admin, action="post_update")
    assert posts and {row[2] for row in posts} == {"post update"}

    _, by_clinician_b = search(admin, person=w.clinician_b.email.upper())
    assert by_clinician_b and all(row[1].startswith(w.clinician_b.name) for row in by_clinician_b)
    assert all("Clinician" in row[1] for row in by_clinician_b)

    _, about_b1 = search(admin, child=str(w.child_b1))
    assert about_b1 and {row[3] for row in about_b1} == {str(w.child_b1)}

    # 03:00 UTC on 2 March is 22:00 on 1 March in New York (the world's units' zone).
    add_events(
        app,
        {"action": "view_updates", "actor_id": w.parent_a1.id, "patient_id": w.child_a1,
         "at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC)},
        {"action": "view_updates", "actor_id": w.parent_a1.id, "patient_id": w.child_a1,
         "at": datetime(2025, 3, 2, 3, 0, tzinfo=UTC)},
        {"action": "view_updates", "actor_id": w.parent_a1.id, "patient_id": w.child_a1,
         "at": datetime(2025, 3, 5, 9, 0, tzinfo=UTC)},
    )  # fmt: skip
    day = {"start": "2025-03-01", "end": "2025-03-01"}
    _, utc_day = search(admin, **day)
    assert [row[0] for row in utc_day] == ["2025-03-01 12:00:00"]
    response, local_day = search(admin, **day, zone="America/New_York")
    assert [row[0] for row in local_day] == ["2025-03-01 22:00:00", "2025-03-01 07:00:00"]
    assert "When (America/New York time)" in " ".join(
        re.sub(r"<[^>]+>", "", page(response)).split()
    )
    _, week = search(admin, start="2025-03-01", end="2025-03-07", person=w.parent_a1.email)
    assert len(week) == 3 and all(row[1].startswith(w.parent_a1.name) for row in week)
    _, nothing = search(admin, start="2025-03-01", end="2025-03-07", child=str(w.child_b1))
    assert nothing == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("child", "abc", "Enter the child's number in digits only, like 42."),
        ("child", "-1", "Enter the child's number in digits only, like 42."),
        ("start", "01/03/2025", "Enter a date like 2026-11-16 (year-month-day)."),
        ("end", "2025-02-30", "Enter a date like 2026-11-16 (year-month-day)."),
        ("start", "1899-12-31", "Choose a date between 2000-01-01 and 2099-12-31."),
        ("person", "nobody@example.org", "No account has this email address."),
        ("person", "not an address", "Enter an email address like name@example.org."),
        ("action", "delete_everything", "Choose an action from the list."),
        ("zone", "Mars/Olympus_Mons", "Choose a time zone from the list."),
    ],
)
def test_bad_audit_filter_is_named_beside_its_field_and_kept(admin, field, value, error):
    response = admin.get("/admin/audit", query_string={field: value})
    html = page(response)
    assert response.status_code == 400
    assert error_beside(html, field).startswith(error)
    if field in ("child", "start", "end", "person"):
        assert f'value="{escape(value)}"' in html
    assert "<tbody>" not in html  # no results for a search that could not be read


def test_end_before_start_is_refused(admin):
    response = admin.get("/admin/audit", query_string={"start": "2025-03-05", "end": "2025-03-01"})
    assert response.status_code == 400
    assert error_beside(page(response), "end") == "The end date is before the start date."


def test_audit_paging_keeps_the_filters(app, world, admin):
    at = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    add_events(app, *({"action": "paging_check", "target": f"n:{n}", "at": at} for n in range(60)))
    add_events(app, {"action": "other_check", "at": at})
    response, first = search(admin, action="paging_check")
    html = page(response)
    assert len(first) == 50 and first[0][4] == "n:59"
    older = re.search(r'href="([^"]+)">Older events', html).group(1).replace("&amp;", "&")
    assert "action=paging_check" in older
    second = table_rows(page(admin.get(older)))
    assert [row[4] for row in second] == [f"n:{n}" for n in range(9, -1, -1)]
    assert "Older events" not in page(admin.get(older))


# --- live: a disabled person's open socket ---------------------------------------------------


# --- screenshots -----------------------------------------------------------------------------


def test_an_admin_says_where_a_unit_is_and_families_read_it(app, world, make, admin):
    typed = {"name": "Heart ICU (test)", "phone": "+1 555 0199", "timezone": "America/New_York"}
    changed = post_form(admin, f"/admin/units/{world.unit_a}", {**typed, "city": "Miami"})
    assert changed.status_code == 302
    with app.app_context():
        assert db.session.get(Unit, world.unit_a).city == "Miami"
        detail = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "change_unit")
        )
    assert "city" in detail
    parent = app.test_client()
    sign_in(parent, world.parent_a1.email)
    child = page(parent.get(f"/family/children/{world.child_a1}"))
    assert 'data-unit-city="Miami"' in child and 'data-unit-zone="America/New_York"' in child
    too_long = post_form(admin, f"/admin/units/{world.unit_a}", {**typed, "city": "x" * 81})
    assert too_long.status_code == 400 and error_beside(page(too_long), "city")


# --- how a unit's rounds run -----------------------------------------------------------------

UNIT_TYPED = {"name": "Heart ICU (test)", "phone": "+1 555 0199", "timezone": "America/New_York"}
ROUNDS_TYPED = {
    "rounds_start": "8:05",
    "minutes_per_child": "12",
    "rounds_idle_hours": "4",
    "join_link_pattern": "https://meet.example.org/picu-{code}",
    "team_language": "es",
}


def rounds_settings_of(app, unit_id: int) -> tuple:
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        return (
            unit.rounds_start,
            unit.minutes_per_child,
            unit.rounds_idle_hours,
            unit.join_link_pattern,
            unit.team_language,
        )


def test_an_admin_sets_how_a_units_rounds_run_and_families_read_the_start(app, world, admin):
    mark = last_audit_id(app)
    saved = post_form(admin, f"/admin/units/{world.unit_a}", {**UNIT_TYPED, **ROUNDS_TYPED})
    assert saved.status_code == 302
    assert rounds_settings_of(app, world.unit_a) == (
        "08:05",
        12,
        4,
        "https://meet.example.org/picu-{code}",
        "es",
    )
    [change] = [e for e in audit_after(app, mark) if e.action == "change_unit"]
    assert change.actor_id == world.admin.id and change.target == f"unit:{world.unit_a}"
    for said in (
        "rounds start 07:30 -> 08:05",
        "minutes per child 10 -> 12",
        "idle hours 3 -> 4",
        "team language en -> es",
        "join link pattern",
    ):
        assert said in change.detail
    assert "meet.example.org" not in change.detail

    form = page(admin.get(f"/admin/units/{world.unit_a}"))
    assert re.search(r'id="rounds_start"[^>]*value="08:05"', form)
    assert re.search(r'id="minutes_per_child"[^>]*value="12"', form)
    assert re.search(
        r'id="join_link_pattern"[^>]*value="https://meet.example.org/picu-\{code\}"', form
    )
    assert '<option selected value="es">Spanish</option>' in form

    parent = app.test_client()
    sign_in(parent, world.parent_a1.email)
    child = page(parent.get(f"/family/children/{world.child_a1}"))
    assert re.search(r"Rounds usually start around <time[^>]*>8:05</time>", child)

    again = post_form(admin, f"/admin/units/{world.unit_a}", {**UNIT_TYPED, **ROUNDS_TYPED})
    assert again.status_code == 302
    changes = [e for e in audit_after(app, mark) if e.action == "change_unit"]
    assert len(changes) == 1  # the same settings again change nothing


def test_a_new_unit_starts_with_the_rounds_settings_typed_or_the_usual_ones(app, admin):
    typed = {**UNIT_TYPED, **ROUNDS_TYPED, "join_link_pattern": ""}
    assert post_form(admin, "/admin/units", typed).status_code == 302
    made = unit_id_named(app, "Heart ICU (test)")
    assert rounds_settings_of(app, made) == ("08:05", 12, 4, "", "es")
    usual = {**UNIT_TYPED, "name": "Neuro ICU (test)"}  # a post without the rounds fields
    assert post_form(admin, "/admin/units", usual).status_code == 302
    assert rounds_settings_of(app, unit_id_named(app, "Neuro ICU (test)")) == (
        "07:30",
        10,
        3,
        "",
        "en",
    )
    form = page(admin.get("/admin/units"))
    assert re.search(r'id="rounds_start"[^>]*value="07:30"', form)


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("rounds_start", "25:00", "Enter a time on the 24-hour clock, like 07:30 or 14:00."),
        ("rounds_start", "7.30", "Enter a time on the 24-hour clock, like 07:30 or 14:00."),
        ("rounds_start", "", "Enter a time on the 24-hour clock, like 07:30 or 14:00."),
        ("minutes_per_child", "0", "Enter the minutes per child as a whole number from 1 to 60."),
        ("minutes_per_child", "ten", "Enter the minutes per child as a whole number from 1 to 60."),
        ("rounds_idle_hours", "13", "Enter the hours as a whole number from 1 to 12."),
        ("rounds_idle_hours", "-2", "Enter the hours as a whole number from 1 to 12."),
        (
            "join_link_pattern",
            "http://meet.example.org/picu-{code}",
            "Enter a link that starts with https://, or leave it empty.",
        ),
        (
            "join_link_pattern",
            "https://meet.example.org/picu",
            "Put {code} where each child's code goes, like https://meet.example.org/picu-{code}.",
        ),
        (
            "join_link_pattern",
            'https://meet.example.org/picu-{code}"><b>',
            "A link has no spaces, quotes or < > signs.",
        ),
        ("team_language", "xx", "Choose the team's language from the list."),
    ],
)
def test_bad_rounds_setting_is_refused_beside_the_field_and_nothing_saved(
    app, world, admin, field, typed, error
):
    before = rounds_settings_of(app, world.unit_a)
    mark = last_audit_id(app)
    refused = post_form(
        admin, f"/admin/units/{world.unit_a}", {**UNIT_TYPED, **ROUNDS_TYPED, field: typed}
    )
    html = page(refused)
    assert refused.status_code == 400
    assert error_beside(html, field) == error
    assert html.count(f'id="{field}-error"') == 1  # said once
    if field != "team_language":  # a choice not in the list cannot be shown selected
        assert re.search(rf'id="{field}"[^>]*value="{re.escape(str(escape(typed)))}"', html)
    assert 'value="Heart ICU (test)"' in html  # the rest of the form is kept
    assert rounds_settings_of(app, world.unit_a) == before
    assert audit_after(app, mark) == []


def test_a_new_unit_with_a_bad_join_link_pattern_is_not_added(app, admin):
    typed = {**UNIT_TYPED, **ROUNDS_TYPED, "join_link_pattern": "meet.example.org/{code}"}
    refused = post_form(admin, "/admin/units", typed)
    assert refused.status_code == 400
    assert error_beside(page(refused), "join_link_pattern").startswith("Enter a link that starts")
    assert unit_id_named(app, "Heart ICU (test)") is None
