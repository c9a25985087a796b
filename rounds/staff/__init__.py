"""Staff screens: the census, a child's page, and the family access panel."""

from flask import Blueprint, request
from flask_login import login_required

from rounds.extensions import db, without_transaction

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def post_without_transaction():
    """On PostgreSQL a post's writes are one statement (``post_update``): no transaction is
    needed around the request, and the family's push comes two round trips sooner. Before
    the sign-in check, whose user query is the first."""
    if request.endpoint == "staff.post" and db.engine.dialect.name == "postgresql":
        without_transaction()


@bp.before_request
@login_required
def require_sign_in():
    """Every staff page needs a signed-in person."""
