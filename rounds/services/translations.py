"""Translations of updates into the languages families read.

An interpreter (or a bilingual clinician or nurse) translates the words the team wrote; the
status, times and names are not translated (Rounds shows them in each reader's language).
A translation belongs to one version: a correction is a new version, and the translation of
the earlier one is then out of date until someone translates the correction. Rows are
append-only; the newest for a version and language is what the family reads.

Who may translate is decided in rounds.permissions (``may_translate_update``).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.utils import import_string

from rounds.extensions import db
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGES, Language, language_named
from rounds.models import (
    AccessGrant,
    Patient,
    Update,
    UpdateRetraction,
    UpdateTranslation,
    User,
)
from rounds.models.types import utcnow
from rounds.permissions import (
    family_still_reads,
    may_translate_update,
    translatable_languages,
)
from rounds.services.audit import audit
from rounds.services.events import add_family_event, commit_and_publish, next_event_seq
from rounds.services.updates import is_retracted, latest_version
from rounds.vocabulary import BODY_SYSTEMS

__all__ = [
    "QueueItem",
    "TranslationFields",
    "TranslationOutOfDate",
    "TranslationRefused",
    "add_translation",
    "earlier_translation",
    "family_languages",
    "machine_draft",
    "newest_translation",
    "translation_queue",
]

log = logging.getLogger(__name__)
LANGUAGE_ORDER = {language.code: index for index, language in enumerate(LANGUAGES)}
BODY_SYSTEM_CODES = tuple(code for code, _label in BODY_SYSTEMS)


class TranslationRefused(Exception):
    """This translation cannot be added: not allowed, or there is nothing to translate
    (a retracted update, a language that is the update's own). Views answer 404."""


class TranslationOutOfDate(TranslationRefused):
    """The version being translated was corrected meanwhile; ``current_id`` is the newest."""

    def __init__(self, current_id: int):
        super().__init__("the update was corrected: translate the newest version")
        self.current_id = current_id


@dataclass
class TranslationFields:
    """The words of an update that a translator translates."""

    summary: str
    body_notes: dict[str, str] = field(default_factory=dict)
    plan: str = ""
    watch_for: list[dict[str, str]] = field(default_factory=list)
    milestones: str = ""

    @classmethod
    def from_row(cls, row: Update | UpdateTranslation) -> "TranslationFields":
        """The translatable words of an update, or of an earlier translation."""
        return cls(
            summary=row.summary,
            body_notes=dict(row.body_notes or {}),
            plan=row.plan or "",
            watch_for=[dict(item) for item in row.watch_for or []],
            milestones=row.milestones or "",
        )

    @classmethod
    def from_dict(cls, data: dict) -> "TranslationFields":
        """Fields from a plain dict (a machine drafter's answer), keeping only text in the
        expected places: whatever else it holds is dropped."""
        notes = data.get("body_notes") if isinstance(data.get("body_notes"), dict) else {}
        rows = data.get("watch_for") if isinstance(data.get("watch_for"), list) else []
        return cls(
            summary=_text(data.get("summary")),
            body_notes={code: _text(notes.get(code)) for code in BODY_SYSTEM_CODES},
            plan=_text(data.get("plan")),
            watch_for=[
                {"if": _text(row.get("if")), "then": _text(row.get("then"))}
                for row in rows
                if isinstance(row, dict)
            ],
            milestones=_text(data.get("milestones")),
        )

    def as_dict(self) -> dict:
        """Plain data, for a machine drafter."""
        return {
            "summary": self.summary,
            "body_notes": dict(self.body_notes),
            "plan": self.plan,
            "watch_for": [dict(row) for row in self.watch_for],
            "milestones": self.milestones,
        }

    def as_columns(self) -> dict:
        """Column values for a new UpdateTranslation row (empty notes and rows left out)."""
        return {
            "summary": self.summary,
            "body_notes": {code: text for code, text in self.body_notes.items() if text},
            "plan": self.plan,
            "watch_for": [row for row in self.watch_for if row.get("if") or row.get("then")],
            "milestones": self.milestones,
        }


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass
class QueueItem:
    """One update a family needs in a language that nobody has translated it into yet."""

    update: Update  # the current version of its thread
    patient: Patient
    language: Language  # the language the family needs
    earlier: UpdateTranslation | None = None  # a translation of an earlier version, if any

    @property
    def out_of_date(self) -> bool:
        """A correction made the translation families had stale."""
        return self.earlier is not None

    @property
    def written_in(self) -> Language:
        """The language the team wrote the update in."""
        return language_named(self.update.language)


def _family_languages_of(patient_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per child: the languages of the family members who follow them (grants in force and
    grants waiting for a nurse's confirmation, active accounts), with how many read each."""
    counts: dict[int, dict[str, int]] = {patient_id: {} for patient_id in patient_ids}
    if not patient_ids:
        return counts
    rows = db.session.execute(
        select(AccessGrant.patient_id, User.language, func.count(func.distinct(User.id)))
        .join(User, User.id == AccessGrant.user_id)
        .join(Patient, Patient.id == AccessGrant.patient_id)
        .where(
            AccessGrant.patient_id.in_(patient_ids),
            AccessGrant.revoked_at.is_(None),
            User.active.is_(True),
            family_still_reads(),
        )
        .group_by(AccessGrant.patient_id, User.language)
    )
    for patient_id, code, number in rows:
        languages = counts[patient_id]
        code = language_named(code).code
        languages[code] = languages.get(code, 0) + number
    for patient_id, languages in counts.items():
        counts[patient_id] = dict(
            sorted(languages.items(), key=lambda item: (-item[1], LANGUAGE_ORDER[item[0]]))
        )
    return counts


def family_languages(patient: Patient) -> dict[str, int]:
    """The languages this child's family reads, most readers first: {"es": 2, "en": 1}.

    Counts the family members with a grant in force or waiting for confirmation.
    """
    return _family_languages_of([patient.id])[patient.id]


def translation_queue(user: User) -> list[QueueItem]:
    """What ``user`` may translate and a family is waiting for, oldest first.

    For each child of the user's units whose family still reads (admitted, or discharged
    days ago), each update thread not retracted: its current version, in each language its
    family reads other than the update's own that the user may translate, when that version
    has no translation into it yet. An item whose earlier version had one is out of date,
    and carries that translation (to start from).
    """
    languages = set(translatable_languages(user))
    if not languages:
        return []
    patients = {
        patient.id: patient
        for patient in db.session.scalars(
            select(Patient)
            .where(Patient.unit_id.in_(user.unit_ids), family_still_reads())
            .options(joinedload(Patient.unit))
        )
    }
    needs = {
        patient_id: [code for code in read if code in languages]
        for patient_id, read in _family_languages_of(list(patients)).items()
    }
    patient_ids = [patient_id for patient_id, codes in needs.items() if codes]
    if not patient_ids:
        return []
    threads: dict[int, list[Update]] = {}
    for update in db.session.scalars(
        select(Update).where(Update.patient_id.in_(patient_ids)).order_by(Update.version)
    ):
        threads.setdefault(update.thread_id, []).append(update)
    retracted = set(
        db.session.scalars(
            select(UpdateRetraction.update_id)
            .join(Update, Update.id == UpdateRetraction.update_id)
            .where(Update.patient_id.in_(patient_ids))
        )
    )
    newest: dict[tuple[int, str], UpdateTranslation] = {}
    for translation in db.session.scalars(
        select(UpdateTranslation)
        .join(Update, Update.id == UpdateTranslation.update_id)
        .where(Update.patient_id.in_(patient_ids), UpdateTranslation.language.in_(languages))
        .order_by(UpdateTranslation.created_at, UpdateTranslation.id)
    ):
        newest[(translation.update_id, translation.language)] = translation  # newest wins
    items = []
    for thread_id, versions in threads.items():
        if thread_id in retracted:
            continue
        current = versions[-1]
        for code in needs[current.patient_id]:
            if code == current.language or (current.id, code) in newest:
                continue
            earlier = next(
                (newest[(v.id, code)] for v in reversed(versions[:-1]) if (v.id, code) in newest),
                None,
            )
            items.append(
                QueueItem(current, patients[current.patient_id], LANGUAGE_BY_CODE[code], earlier)
            )
    items.sort(key=lambda i: (i.update.created_at, i.update.id, LANGUAGE_ORDER[i.language.code]))
    return items


def newest_translation(update: Update, language: str) -> UpdateTranslation | None:
    """The translation of this version into ``language`` that families read, if any."""
    return db.session.scalar(
        select(UpdateTranslation)
        .where(UpdateTranslation.update_id == update.id, UpdateTranslation.language == language)
        .order_by(UpdateTranslation.created_at.desc(), UpdateTranslation.id.desc())
        .limit(1)
    )


def earlier_translation(update: Update, language: str) -> UpdateTranslation | None:
    """The newest translation into ``language`` of an earlier version of this update's thread
    (out of date since the correction), if any."""
    return db.session.scalar(
        select(UpdateTranslation)
        .join(Update, Update.id == UpdateTranslation.update_id)
        .where(
            (Update.id == update.thread_id) | (Update.original_id == update.thread_id),
            Update.version < update.version,
            UpdateTranslation.language == language,
        )
        .order_by(
            Update.version.desc(), UpdateTranslation.created_at.desc(), UpdateTranslation.id.desc()
        )
        .limit(1)
    )


def add_translation(
    translator: User,
    update: Update,
    language: str,
    fields: TranslationFields,
    at: datetime | None = None,
) -> UpdateTranslation:
    """Add a translation of this version; the child's family is told after it is saved.

    Refused (TranslationRefused) unless the update is the current version of a thread not
    retracted, of a child whose family still reads, the language is one Rounds speaks and not
    the update's own, and the translator may translate into it for this child. ``at``
    backdates it (demo history only).
    """
    patient = update.patient
    if not may_translate_update(translator, update, patient, language):
        raise TranslationRefused("not allowed to translate this update into this language")
    if not fields.summary.strip():
        raise TranslationRefused("a translation needs its summary")
    # The child's counter row first: a correction or retraction made at the same moment
    # waits for this transaction, or this one sees it below.
    seq = next_event_seq(update.patient_id)
    if is_retracted(update):
        db.session.rollback()
        raise TranslationRefused("the update was retracted")
    current_id = latest_version(update).id
    if current_id != update.id:
        db.session.rollback()
        raise TranslationOutOfDate(current_id)
    at = at or utcnow()
    translation = UpdateTranslation(
        update_id=update.id,
        language=language,
        translator_id=translator.id,
        created_at=at,
        **fields.as_columns(),
    )
    db.session.add(translation)
    db.session.flush()
    # The event and the row share their moment: the family's feed tells whose language a
    # "translated" event was for by it (rounds.feed.translated_for).
    event = add_family_event(seq, patient, "translated", update.id, at)
    audit(
        "add_translation",
        translator,
        update.patient_id,
        target=f"update:{update.id}",
        detail=f"into {language}",
    )
    commit_and_publish(event)
    return translation


def machine_draft(update: Update, language: str) -> TranslationFields | None:
    """A machine translation to start from, when TRANSLATION_DRAFTER names one; else None.

    Only ever a draft in the translator's form: families read what a person sends. A drafter
    that fails gives no draft (logged by error type only: never the words).
    """
    path = current_app.config.get("TRANSLATION_DRAFTER")
    if not path:
        return None
    try:
        drafter = import_string(path)
        drafted = drafter(TranslationFields.from_row(update).as_dict(), update.language, language)
        return TranslationFields.from_dict(drafted if isinstance(drafted, dict) else {})
    except Exception as error:  # noqa: BLE001 - a drafter's failure only means no draft
        log.warning("translation drafter failed (%s)", type(error).__name__)
        return None
