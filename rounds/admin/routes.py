"""Admin screens: the audit log (staff accounts and units arrive with the access issue)."""

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select

from rounds.extensions import db
from rounds.forms import whole_number
from rounds.models import AuditEvent
from rounds.permissions import staff_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 100


@bp.before_request
@login_required
def require_sign_in():
    """Every admin page needs a signed-in person."""


@bp.get("/audit")
@staff_required("admin")
def audit_log():
    """The newest audit events, a page at a time."""
    before = whole_number(request.args.get("before"))
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query).all()
    return render_template("admin/audit.html", events=events, page_size=PAGE_SIZE)
