"""Translations: the queue of updates families wait for in their language, and the page an
interpreter (or a bilingual clinician or nurse) translates one on."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from rounds.extensions import db
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGES, language_named
from rounds.models import Patient, Update
from rounds.permissions import (
    TRANSLATOR_ROLES,
    Action,
    get_translatable_update,
    staff_may,
    staff_required,
    translatable_languages,
)
from rounds.services.audit import record_view
from rounds.services.family_rounds import questions_waiting_for
from rounds.services.translations import (
    TranslationFields,
    TranslationOutOfDate,
    TranslationRefused,
    add_translation,
    earlier_translation,
    machine_draft,
    newest_translation,
    translation_queue,
)
from rounds.services.updates import is_retracted, latest_version
from rounds.staff import bp
from rounds.staff.translation_forms import TranslationForm


@bp.app_context_processor
def translation_links():
    """``can_translate()`` for the staff header: whether to offer the translation queue."""

    def can_translate() -> bool:
        return current_user.is_authenticated and bool(translatable_languages(current_user))

    return {"can_translate": can_translate}


@bp.get("/translations")
@staff_required(*TRANSLATOR_ROLES)
def translations():
    """The updates families wait to read in a language the user translates, oldest first."""
    languages = translatable_languages(current_user)
    if not languages:
        abort(404)
    return render_template(
        "staff/translations.html",
        items=translation_queue(current_user),
        languages=[LANGUAGE_BY_CODE[code] for code in languages],
        questions=questions_waiting_for(current_user, languages),
    )


def back_to() -> str:
    """Where the translate page came from: the child's page, or (by default) the queue."""
    return "patient" if request.args.get("back") == "patient" else ""


def render_translate(
    update: Update,
    patient: Patient,
    language: str,
    form: TranslationForm,
    status_code: int = 200,
    **notices,
):
    """The translate page: the original beside the form."""
    if "existing" not in notices:
        notices["existing"] = newest_translation(update, language)
    return (
        render_template(
            "staff/translate.html",
            update=update,
            patient=patient,
            target=LANGUAGE_BY_CODE[language],
            written=language_named(update.language),
            form=form,
            back=back_to(),
            can_manage=staff_may(current_user, Action.MANAGE_ACCESS, patient),
            **notices,
        ),
        status_code,
    )


# Only a language Rounds speaks routes at all (a made-up one is a plain 404).
LANGUAGE_CODES = ", ".join(
    code if code.isalpha() else f'"{code}"' for code in (lang.code for lang in LANGUAGES)
)


@bp.route(
    f"/updates/<int:update_id>/translate/<any({LANGUAGE_CODES}):lang>", methods=["GET", "POST"]
)
@staff_required(*TRANSLATOR_ROLES)
def translate(update_id: int, lang: str):
    """Translate one version of an update into ``lang``; the family reads it at once.

    An earlier version's translation (out of date since a correction) or a machine draft
    (when one is set up) fills the form to start from; a person always sends it.
    """
    update, patient = get_translatable_update(update_id, lang)
    current = latest_version(update)
    if current.id != update.id:
        if request.method == "GET":  # a link from before a correction: the newest version
            return redirect(
                url_for(".translate", update_id=current.id, lang=lang, back=back_to() or None)
            )
        return corrected_meanwhile(current, patient, lang)
    form = TranslationForm(original=update)
    if request.method == "GET":
        record_view(current_user, patient.id, client=request.remote_addr)
        return start_translation(update, patient, lang, form)
    if not form.validate_on_submit():
        return render_translate(update, patient, lang, form, 400)
    try:
        add_translation(current_user, update, lang, form.to_fields())
    except TranslationOutOfDate as stale:
        return corrected_meanwhile(db.session.get(Update, stale.current_id), patient, lang)
    except TranslationRefused:
        flash("This update was retracted a moment ago. Nothing was sent.", "warning")
        return redirect(url_for(".translations"))
    flash("Sent to the family.", "success")
    if back_to() == "patient":
        return redirect(url_for(".patient", patient_id=patient.id) + "#history")
    return redirect(url_for(".translations"))


def start_translation(update: Update, patient: Patient, lang: str, form: TranslationForm):
    """The form filled from what there is to start from: this version's translation (to
    improve it), an earlier version's (out of date), or a machine draft."""
    existing = newest_translation(update, lang)
    earlier = None if existing else earlier_translation(update, lang)
    draft = None
    if existing or earlier:
        form.fill_from(TranslationFields.from_row(existing or earlier))
    else:
        draft = machine_draft(update, lang)
        if draft is not None:
            form.fill_from(draft)
    return render_translate(
        update, patient, lang, form, existing=existing, earlier=earlier, draft=draft is not None
    )


def corrected_meanwhile(current: Update, patient: Patient, lang: str):
    """The update was corrected while this translation was typed: nothing is sent, the text
    stays in the form, now beside the corrected original (and sent to the newest version)."""
    if current is None or is_retracted(current) or current.language == lang:
        flash("This update changed a moment ago. Nothing was sent.", "warning")
        return redirect(url_for(".translations"))
    record_view(current_user, patient.id, client=request.remote_addr)
    form = TranslationForm(original=current)
    return render_translate(current, patient, lang, form, 409, corrected_meanwhile=True)
