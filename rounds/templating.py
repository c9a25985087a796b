"""Jinja filters and globals shared by every template."""

import hashlib
from functools import cache
from pathlib import Path

import segno
from flask import Flask, current_app, url_for
from flask_babel import force_locale, gettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from rounds import timefmt, tracker
from rounds.feed import LATE_GRACE
from rounds.i18n import js_catalog, language_named, render_in
from rounds.models.types import utcnow
from rounds.vocabulary import (
    BODY_SYSTEMS,
    ROLE_WORDS,
    STATUS_BY_CODE,
    STATUS_SCALE,
    relationship_words,
)


def field_attrs(field, hint: str | None = None, **extra) -> dict:
    """Attributes for a field: ``extra`` (None dropped) plus ARIA ties to hint and error."""
    attrs = {key: value for key, value in extra.items() if value is not None}
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


@cache
def _fingerprint(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset(filename: str) -> str:
    """A static file's URL with a content fingerprint, so browsers may cache it for long."""
    path = Path(current_app.static_folder) / filename
    version = _fingerprint(path, path.stat().st_mtime) if path.is_file() else "0"
    return url_for("static", filename=filename, v=version)


def link_and_qr_code(made, scale: int = 5) -> tuple[str, str]:
    """The invitation's link, and its QR code as inline SVG (drawn here, nothing external)."""
    link = url_for("join.open_link", token=made.token, _external=True)
    qr_code = segno.make(link, error="m").svg_inline(
        scale=scale, border=2, title=gettext("Invitation QR code")
    )
    return link, qr_code


def invitation_card(patient, made, scale: int = 5) -> tuple[str, Markup]:
    """An invitation's link, and its card (QR code, link, short code) in the language of the
    relative it is for, whatever the page around it speaks: a nurse's English page, or a
    guardian's in theirs."""
    language = language_named(made.invitation.language)
    with force_locale(language.locale):
        link, qr_code = link_and_qr_code(made, scale=scale)
    card = render_in(
        language.code,
        "_invitation_card.html",
        patient=patient,
        made=made,
        link=link,
        qr_code=qr_code,
    )
    return link, card


def register_templating(app: Flask) -> None:
    """Time filters and the fixed vocabularies, available in every template."""
    app.jinja_env.filters["day_and_clock"] = timefmt.day_and_clock
    app.jinja_env.filters["ago"] = timefmt.ago
    app.jinja_env.filters["relationship"] = relationship_words
    app.jinja_env.filters["iso"] = lambda moment: moment.isoformat() if moment else ""
    app.jinja_env.filters["clock"] = timefmt.clock
    # Language codes as staff read them: "Spanish, Haitian Creole".
    app.jinja_env.filters["language_names"] = lambda codes: ", ".join(
        language_named(code).english_name for code in codes
    )
    app.jinja_env.globals.update(
        STATUS_SCALE=STATUS_SCALE,
        STATUS_BY_CODE=STATUS_BY_CODE,
        BODY_SYSTEMS=BODY_SYSTEMS,
        ROLE_WORDS=ROLE_WORDS,
        utcnow=utcnow,
        is_today=timefmt.is_today,
        field_attrs=field_attrs,
        csrf_token=generate_csrf,
        asset=asset,
        js_catalog=js_catalog,
        language_named=language_named,
        late_grace=LATE_GRACE,
        rounds_estimate=tracker.estimate,
        rounds_usual_start_at=tracker.usual_start_at,
    )
