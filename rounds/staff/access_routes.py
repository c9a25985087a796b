"""A child's family access panel: who may see the child, give access, take it away."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from rounds.extensions import db
from rounds.forms import ConfirmForm
from rounds.models import AccessGrant
from rounds.permissions import WRITER_ROLES, Action, get_staff_patient, staff_may, staff_required
from rounds.services.access import AccessError, give_family_access, revoke_family_access
from rounds.staff import bp
from rounds.staff.forms import GrantAccessForm


def render_access_panel(child, form, new_account=None, status_code=200):
    """The panel: everyone who has or had access, and the form to give it."""
    grants = db.session.scalars(
        select(AccessGrant)
        .where(AccessGrant.patient_id == child.id)
        .order_by(AccessGrant.revoked_at.is_not(None), AccessGrant.granted_at.desc())
    ).all()
    return (
        render_template(
            "staff/access.html",
            patient=child,
            grants=grants,
            form=form,
            revoke_form=ConfirmForm(),
            new_account=new_account,
            can_grant=staff_may(current_user, Action.GRANT, child),
        ),
        status_code,
    )


@bp.get("/patients/<int:patient_id>/family")
@staff_required(*WRITER_ROLES)
def access_panel(patient_id: int):
    """Who in the family may see this child."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    return render_access_panel(child, GrantAccessForm())


@bp.post("/patients/<int:patient_id>/family")
@staff_required(*WRITER_ROLES)
def grant_access(patient_id: int):
    """Give a family member access; make their account if they have none yet."""
    child = get_staff_patient(patient_id, Action.GRANT)
    form = GrantAccessForm()
    if not form.validate_on_submit():
        return render_access_panel(child, form, status_code=400)
    try:
        given = give_family_access(
            current_user,
            child,
            form.name.data,
            form.email.data,
            form.relationship.data,
            form.is_guardian.data,
        )
    except AccessError as error:
        form.email.errors = [str(error)]
        return render_access_panel(child, form, status_code=400)
    flash(f"{given.family_user.name} can now see {child.display_name}'s updates.", "success")
    if given.first_passphrase:
        # Shown once, on this page only; never stored in clear or logged.
        new_account = {"email": given.family_user.email, "passphrase": given.first_passphrase}
        return render_access_panel(child, GrantAccessForm(formdata=None), new_account)
    return redirect(url_for("staff.access_panel", patient_id=child.id))


@bp.post("/patients/<int:patient_id>/family/<int:grant_id>/revoke")
@staff_required(*WRITER_ROLES)
def revoke_access(patient_id: int, grant_id: int):
    """Take access away at once: their open pages stop receiving this child's updates."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    grant = db.session.get(AccessGrant, grant_id)
    if grant is None or grant.patient_id != child.id:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("That did not go through. Press Remove access again.", "warning")
        return redirect(url_for("staff.access_panel", patient_id=child.id))
    revoke_family_access(current_user, grant)
    flash(f"{grant.user.name} no longer has access. Their open pages were cut off.", "success")
    return redirect(url_for("staff.access_panel", patient_id=child.id))
