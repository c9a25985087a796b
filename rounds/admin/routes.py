"""Admin screens: staff accounts, units, and the audit log. For admins only; anyone else
gets 404, the same as a page that does not exist."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rounds.admin import audit_search
from rounds.admin.forms import ROLE_NAMES, AddStaffForm, ChangeStaffForm, UnitForm
from rounds.extensions import db
from rounds.forms import ConfirmForm, confirmed_press
from rounds.models import Patient, StaffMembership, Unit, User
from rounds.permissions import can_administer
from rounds.services import accounts
from rounds.services.access import new_passphrase
from rounds.services.sessions import set_account_active

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    """Every admin page needs a signed-in admin: checked here once, for every route."""
    if not can_administer(current_user):
        abort(404)


@bp.context_processor
def role_names():
    """Roles in words, for every admin page."""
    return {"ROLE_NAMES": ROLE_NAMES}


@bp.get("/audit")
def audit_log():
    """The audit log, newest first, searched by action, person, child and dates."""
    return audit_search.render_search()


# --- staff accounts ------------------------------------------------------------------------


def all_units() -> list[Unit]:
    """Every unit, by name."""
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def get_staff_account(user_id: int) -> User:
    """A staff account; 404 for a family member's account or one that does not exist."""
    user = db.session.get(User, user_id)
    if user is None or user.staff_role is None:
        abort(404)
    return user


def chosen_units(form) -> list[Unit]:
    """The units ticked on a (validated) form."""
    ids = set(form.units.data or [])
    return [unit for unit in all_units() if unit.id in ids]


def render_staff_list(new_account: dict | None = None):
    """Every staff account with its role, units and whether it is in use."""
    staff = db.session.scalars(
        select(User)
        .where(User.staff_role.is_not(None))
        .options(selectinload(User.units))
        .order_by(User.active.desc(), func.lower(User.name))
    ).all()
    return render_template("admin/staff_list.html", staff=staff, new_account=new_account)


@bp.get("/staff")
def staff_list():
    """Staff accounts."""
    return render_staff_list()


def render_add_staff(form: AddStaffForm, status_code: int = 200):
    """The form for a new staff account, as typed (with errors beside the fields)."""
    return render_template("admin/staff_new.html", form=form), status_code


# One endpoint answers both GET and POST on a path: with two, a POST to an id too large for
# the database answered 405 instead of 404 (Werkzeug notes the other rule's methods before
# the converter refuses the number).


@bp.route("/staff/new", methods=["GET", "POST"])
def add_staff():
    """Make a staff account; a first password made here is shown once, on this page only."""
    form = AddStaffForm()
    form.set_unit_choices(all_units())
    if not form.is_submitted():
        return render_add_staff(form)
    if not form.validate_on_submit():
        return render_add_staff(form, 400)
    password = form.password.data or new_passphrase()
    try:
        user = accounts.add_staff(
            current_user,
            form.name.data,
            form.email.data,
            password,
            form.role.data,
            chosen_units(form),
            form.translates.data or [],
        )
    except accounts.AccountConflict as conflict:
        form[conflict.field].errors = [str(conflict)]
        return render_add_staff(form, 400)
    flash(f"{user.name} can now sign in as {ROLE_NAMES[user.staff_role].lower()}.", "success")
    if not form.password.data:
        # Never stored in clear, never logged, never put in the session.
        return render_staff_list({"name": user.name, "email": user.email, "password": password})
    return redirect(url_for("admin.staff_list"))


def render_staff_account(user: User, form: ChangeStaffForm, status_code: int = 200):
    """One staff account's page: the role and units form, and disable or enable."""
    return (
        render_template(
            "admin/staff_account.html", person=user, form=form, confirm_form=ConfirmForm()
        ),
        status_code,
    )


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
def staff_account(user_id: int):
    """One staff account: change role, units and the languages they translate into (their
    next page follows), disable, enable."""
    user = get_staff_account(user_id)
    now = {
        "role": user.staff_role,
        "units": sorted(user.unit_ids),
        "translates": user.translation_languages,
    }
    form = ChangeStaffForm(data=None if request.method == "POST" else now)
    form.set_unit_choices(all_units())
    if not form.is_submitted():
        return render_staff_account(user, form)
    valid = form.validate_on_submit()
    if user.id == current_user.id and form.role.data != user.staff_role:
        # The screens would be closed to the admin the moment this was saved.
        form.role.errors = ["You cannot change your own role. Ask another admin."]
        valid = False
    if not valid:
        return render_staff_account(user, form, 400)
    changed = accounts.change_staff(
        current_user, user, form.role.data, chosen_units(form), form.translates.data or []
    )
    if changed:
        flash(f"Saved {user.name}'s role, units and languages.", "success")
    else:
        flash(f"Nothing changed for {user.name}.", "info")
    return redirect(url_for("admin.staff_list"))


@bp.post("/staff/<int:user_id>/disable")
def disable_staff(user_id: int):
    """Disable an account: signed out everywhere at once, open pages cut off, no sign-in."""
    user = get_staff_account(user_id)
    pressed = confirmed_press("Disable account")
    if pressed and user.id == current_user.id:
        flash("You cannot disable your own account. Ask another admin.", "warning")
    elif pressed:
        set_account_active(current_user, user, False)
        flash(f"{user.name}'s account is disabled. They were signed out everywhere.", "success")
    return redirect(url_for("admin.staff_account", user_id=user.id))


@bp.post("/staff/<int:user_id>/enable")
def enable_staff(user_id: int):
    """Enable a disabled account again: they can sign in with their password."""
    user = get_staff_account(user_id)
    if confirmed_press("Enable account"):
        set_account_active(current_user, user, True)
        flash(f"{user.name}'s account is enabled. They can sign in again.", "success")
    return redirect(url_for("admin.staff_account", user_id=user.id))


# --- units ---------------------------------------------------------------------------------


def render_units(form: UnitForm, status_code: int = 200):
    """Every unit with its staff and children now, and the form to add one."""
    staff = (
        select(func.count())
        .select_from(StaffMembership)
        .join(User, User.id == StaffMembership.user_id)
        .where(StaffMembership.unit_id == Unit.id, User.active.is_(True))
        .scalar_subquery()
    )
    children = (
        select(func.count())
        .where(Patient.unit_id == Unit.id, Patient.discharged_at.is_(None))
        .scalar_subquery()
    )
    units = db.session.execute(select(Unit, staff, children).order_by(Unit.name)).all()
    return render_template("admin/units.html", units=units, form=form), status_code


@bp.route("/units", methods=["GET", "POST"])
def units():
    """Units, and a form to add one."""
    form = UnitForm()
    if not form.is_submitted():
        return render_units(form)
    if not form.validate_on_submit():
        return render_units(form, 400)
    try:
        unit = accounts.add_unit(
            current_user,
            form.name.data,
            form.phone.data,
            form.timezone.data,
            form.city.data,
            form.rounds_settings(),
        )
    except accounts.AccountConflict as conflict:
        form[conflict.field].errors = [str(conflict)]
        return render_units(form, 400)
    flash(f"Added {unit.name}. Now add staff to it.", "success")
    return redirect(url_for("admin.units"))


def get_unit(unit_id: int) -> Unit:
    """A unit; 404 if there is none."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int):
    """Change a unit's name, phone number, city, time zone or how its rounds run."""
    unit = get_unit(unit_id)
    form = UnitForm(obj=unit, unit=unit)  # a setting left out of a post stays as it is
    if not form.is_submitted():
        return render_template("admin/unit.html", unit=unit, form=form)
    if not form.validate_on_submit():
        return render_template("admin/unit.html", unit=unit, form=form), 400
    try:
        changed = accounts.change_unit(
            current_user,
            unit,
            form.name.data,
            form.phone.data,
            form.timezone.data,
            form.city.data or "",
            form.rounds_settings(),
        )
    except accounts.AccountConflict as conflict:
        form[conflict.field].errors = [str(conflict)]
        return render_template("admin/unit.html", unit=unit, form=form), 400
    if changed:
        flash(f"Saved {unit.name}.", "success")
    else:
        flash(f"Nothing changed for {unit.name}.", "info")
    return redirect(url_for("admin.units"))
