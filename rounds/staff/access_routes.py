"""A child's family access panel: who may see the child, give access, take it away."""

import segno
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from rounds.extensions import db
from rounds.forms import ConfirmForm
from rounds.models import AccessGrant, Invitation
from rounds.permissions import (
    WRITER_ROLES,
    Action,
    get_child_row,
    get_staff_patient,
    staff_may,
    staff_required,
)
from rounds.services.access import AccessError, give_family_access, revoke_family_access
from rounds.services.invitations import cancel_invitation, create_invitation, open_invitations
from rounds.staff import bp
from rounds.staff.forms import GrantAccessForm, InviteForm


def render_access_panel(child, form, new_account=None, status_code=200, invite_form=None):
    """The panel: everyone who has or had access, open invitations, and the forms."""
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
            invite_form=invite_form or InviteForm(formdata=None),
            invitations=open_invitations(child),
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
    grant = get_child_row(AccessGrant, grant_id, child)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("That did not go through. Press Remove access again.", "warning")
        return redirect(url_for("staff.access_panel", patient_id=child.id))
    revoke_family_access(current_user, grant)
    flash(f"{grant.user.name} no longer has access. Their open pages were cut off.", "success")
    return redirect(url_for("staff.access_panel", patient_id=child.id))


@bp.post("/patients/<int:patient_id>/family/invitations")
@staff_required(*WRITER_ROLES)
def invite(patient_id: int):
    """Make an invitation and show it once: QR code, link and short code."""
    child = get_staff_patient(patient_id, Action.GRANT)
    form = InviteForm()
    if not form.validate_on_submit():
        return render_access_panel(child, GrantAccessForm(formdata=None), None, 400, form)
    made = create_invitation(
        current_user,
        child,
        form.invitee_name.data,
        form.invitee_relationship.data,
        form.invitee_is_guardian.data,
        form.invitee_language.data,
        form.invitee_contact.data or "",
    )
    link = url_for("join.open_link", token=made.token, _external=True)
    qr_code = segno.make(link, error="m").svg_inline(scale=5, border=2, title="Invitation QR code")
    return render_template(
        "staff/invitation.html", patient=child, made=made, link=link, qr_code=qr_code
    )


@bp.post("/patients/<int:patient_id>/family/invitations/<int:invitation_id>/cancel")
@staff_required(*WRITER_ROLES)
def cancel_invite(patient_id: int, invitation_id: int):
    """Cancel an invitation: its QR code, link and code stop working at once."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    invitation = get_child_row(Invitation, invitation_id, child)
    if not ConfirmForm().validate_on_submit():
        flash("That did not go through. Press Cancel invitation again.", "warning")
        return redirect(url_for("staff.access_panel", patient_id=child.id))
    cancel_invitation(current_user, invitation)
    flash(f"The invitation for {invitation.invited_name} no longer works.", "success")
    return redirect(url_for("staff.access_panel", patient_id=child.id))
