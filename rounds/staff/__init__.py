"""Staff screens: the census, a child's page, and the family access panel."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
@login_required
def require_sign_in():
    """Every staff page needs a signed-in person."""
