"""A child's family access panel: who may see the child, give access, take it away."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from rounds.extensions import db
from rounds.forms import ConfirmForm, confirmed_press
from rounds.models import AccessGrant, AccessRequest, Invitation, User
from rounds.permissions import (
    WRITER_ROLES,
    Action,
    get_child_row,
    get_staff_patient,
    staff_may,
    staff_required,
)
from rounds.services.access import (
    ACCESS_ACTIONS,
    AccessError,
    access_history,
    confirm_family_access,
    give_family_access,
    last_looked,
    lift_restriction,
    restrict_child,
    revoke_family_access,
    sign_out_everywhere,
)
from rounds.services.invitations import (
    cancel_invitation,
    create_invitation,
    decide_request,
    open_invitations,
    reinvite,
    waiting_requests,
)
from rounds.staff import bp
from rounds.staff.forms import GrantAccessForm, InviteForm, RestrictForm
from rounds.templating import invitation_card


def render_access_panel(
    child, form, new_account=None, status_code=200, invite_form=None, restrict_form=None
):
    """The panel: everyone who has, waits for or had access, requests, invitations, history."""
    grants = db.session.scalars(
        select(AccessGrant)
        .where(AccessGrant.patient_id == child.id)
        .order_by(AccessGrant.revoked_at.is_not(None), AccessGrant.granted_at.desc())
    ).all()
    history = access_history(child)
    names = people_named_in(history)
    return (
        render_template(
            "staff/access.html",
            patient=child,
            active_grants=[grant for grant in grants if grant.is_active],
            pending_grants=[grant for grant in grants if grant.is_pending],
            ended_grants=[grant for grant in grants if grant.revoked_at is not None],
            last_looked=last_looked(child),
            requests=waiting_requests(child),
            history=history,
            history_words=ACCESS_ACTIONS,
            names=names,
            form=form,
            invite_form=invite_form or InviteForm(formdata=None),
            restrict_form=restrict_form or RestrictForm(formdata=None),
            invitations=open_invitations(child),
            revoke_form=ConfirmForm(),
            new_account=new_account,
            can_grant=staff_may(current_user, Action.GRANT, child),
        ),
        status_code,
    )


def people_named_in(history) -> dict[str, str]:
    """``user:<id>`` targets of the history, with each person's name (staff see names)."""
    ids = {int(event.target[5:]) for event in history if event.target.startswith("user:")}
    if not ids:
        return {}
    return {
        f"user:{user.id}": user.name
        for user in db.session.scalars(select(User).where(User.id.in_(ids)))
    }


def show_invitation(child, made):
    """The invitation card, shown once: QR code, link and short code."""
    _link, card = invitation_card(child, made)
    return render_template("staff/invitation.html", patient=child, made=made, card=card)


def back_to_panel(child):
    return redirect(url_for("staff.access_panel", patient_id=child.id))


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
    if confirmed_press("Remove access"):
        revoke_family_access(current_user, grant)
        flash(f"{grant.user.name} no longer has access. Their open pages were cut off.", "success")
    return back_to_panel(child)


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
        needs_bedside_check=form.invitee_bedside_check.data,
    )
    return show_invitation(child, made)


@bp.post("/patients/<int:patient_id>/family/invitations/<int:invitation_id>/cancel")
@staff_required(*WRITER_ROLES)
def cancel_invite(patient_id: int, invitation_id: int):
    """Cancel an invitation: its QR code, link and code stop working at once."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    invitation = get_child_row(Invitation, invitation_id, child)
    if confirmed_press("Cancel invitation"):
        cancel_invitation(current_user, invitation)
        flash(f"The invitation for {invitation.invited_name} no longer works.", "success")
    return back_to_panel(child)


@bp.post("/patients/<int:patient_id>/family/<int:grant_id>/confirm")
@staff_required(*WRITER_ROLES)
def confirm_access(patient_id: int, grant_id: int):
    """A waiting grant takes effect: checked at the bedside, or a second staff member agrees."""
    child = get_staff_patient(patient_id, Action.GRANT)
    grant = get_child_row(AccessGrant, grant_id, child)
    if confirmed_press("Confirm"):
        try:
            confirm_family_access(current_user, grant)
        except AccessError as error:
            flash(str(error), "warning")
        else:
            flash(f"{grant.user.name} can now see {child.display_name}'s updates.", "success")
    return back_to_panel(child)


@bp.post("/patients/<int:patient_id>/family/<int:grant_id>/reinvite")
@staff_required(*WRITER_ROLES)
def reinvite_access(patient_id: int, grant_id: int):
    """Lost phone, forgotten passphrase: a new invitation that sets a new passphrase."""
    child = get_staff_patient(patient_id, Action.GRANT)
    grant = get_child_row(AccessGrant, grant_id, child)
    if grant.revoked_at is not None or not confirmed_press("New invitation"):
        return back_to_panel(child)
    return show_invitation(child, reinvite(current_user, grant))


@bp.post("/patients/<int:patient_id>/family/<int:grant_id>/sign-out")
@staff_required(*WRITER_ROLES)
def sign_out_family(patient_id: int, grant_id: int):
    """Sign a family member out on every phone and computer (their access stays)."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    grant = get_child_row(AccessGrant, grant_id, child)
    if confirmed_press("Sign out everywhere"):
        sign_out_everywhere(current_user, child, grant.user)
        flash(
            f"{grant.user.name} is signed out everywhere. Their access stays; "
            "make a new invitation if they need a new passphrase.",
            "success",
        )
    return back_to_panel(child)


@bp.post("/patients/<int:patient_id>/restriction")
@staff_required(*WRITER_ROLES)
def restrict(patient_id: int):
    """Safeguarding: new access to this child needs a second staff member's confirmation."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    form = RestrictForm()
    if not form.validate_on_submit():
        return render_access_panel(
            child, GrantAccessForm(formdata=None), None, 400, restrict_form=form
        )
    restrict_child(current_user, child, form.note.data)
    flash("Restricted: new access now needs a second member of staff to confirm.", "success")
    return back_to_panel(child)


@bp.post("/patients/<int:patient_id>/restriction/lift")
@staff_required(*WRITER_ROLES)
def lift_restriction_route(patient_id: int):
    """New access no longer needs a second staff member."""
    child = get_staff_patient(patient_id, Action.MANAGE_ACCESS)
    if confirmed_press("Lift restriction"):
        lift_restriction(current_user, child)
        flash("The restriction is lifted.", "success")
    return back_to_panel(child)


@bp.post(
    "/patients/<int:patient_id>/family/requests/<int:request_id>/<any(approve, decline):decision>"
)
@staff_required(*WRITER_ROLES)
def decide_access_request(patient_id: int, request_id: int, decision: str):
    """Approve or decline a guardian's request for another relative."""
    approve = decision == "approve"
    child = get_staff_patient(patient_id, Action.GRANT if approve else Action.MANAGE_ACCESS)
    asked = get_child_row(AccessRequest, request_id, child)
    pressed = confirmed_press("Approve" if approve else "Decline")
    if pressed and decide_request(current_user, asked, approve):
        if approve:
            message = (
                f"Approved: {asked.requested_by.name} can now pass an invitation "
                f"to {asked.invited_name}."
            )
        else:
            message = f"Declined: {asked.invited_name} will not be invited."
        flash(message, "success")
    return back_to_panel(child)
