"""The audit log search: filters read from the address, results a page at a time."""

from datetime import timedelta

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from rounds.admin.forms import AuditSearchForm, day_start
from rounds.extensions import db
from rounds.forms import whole_number
from rounds.models import AuditEvent, Unit
from rounds.services.accounts import find_user_by_email
from rounds.timefmt import zone

PAGE_SIZE = 50
FILTERS = ("action", "person", "child", "start", "end", "zone")
NO_SUCH_PERSON = "No account has this email address. Check it, or leave this empty."


def actions_in_log() -> list[str]:
    """Every action the log holds, for the "What happened" list."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by("action")))


def zone_choices() -> list[tuple[str, str]]:
    """UTC, then each time zone a unit is in, named with its units."""
    units_in: dict[str, list[str]] = {}
    for name, tz in db.session.execute(select(Unit.name, Unit.timezone).order_by(Unit.name)):
        units_in.setdefault(tz, []).append(name)
    units_in.pop("UTC", None)
    return [("UTC", "UTC")] + [
        (tz, f"{tz.replace('_', ' ')} · {', '.join(names)}")
        for tz, names in sorted(units_in.items())
    ]


def search_form() -> AuditSearchForm:
    """The filters as typed, checked; an unknown person is an error beside that field."""
    form = AuditSearchForm(request.args)
    form.set_choices(actions_in_log(), zone_choices())
    form.actor = None
    if form.validate() and form.person.data:
        form.actor = find_user_by_email(form.person.data)
        if form.actor is None:
            form.person.errors = [NO_SUCH_PERSON]
    return form


def matching_events(form: AuditSearchForm, before: int | None) -> list[AuditEvent]:
    """Up to one more than a page of events matching the filters, newest first."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.actor is not None:
        query = query.where(AuditEvent.actor_id == form.actor.id)
    if form.child_id() is not None:
        query = query.where(AuditEvent.patient_id == form.child_id())
    tz = zone(form.zone.data)
    if form.start.data:
        query = query.where(AuditEvent.at >= day_start(form.start.data, tz))
    if form.end.data:
        query = query.where(AuditEvent.at < day_start(form.end.data + timedelta(days=1), tz))
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(db.session.scalars(query).unique())


def render_search():
    """The search form and a page of results; bad filters are named beside their fields."""
    form = search_form()
    if form.errors:
        return render_template("admin/audit.html", form=form, events=None, kept={}), 400
    before = whole_number(request.args.get("before"))
    events = matching_events(form, before)
    kept = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "admin/audit.html",
        form=form,
        events=events[:PAGE_SIZE],
        older=events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None,
        paged=before is not None,
        kept=kept,
        tz=zone(form.zone.data),
        filtered=bool(kept.keys() - {"zone"}),
    )
