"""The people and children of bench/load.py, made with the app's own services.

Layout: ``units`` units of ``children_per_unit`` children, one clinician per unit. The first
``unit_families`` family members follow the first unit's children (the unit-sized load); the
rest follow the other units' children, so all families together are the hospital-sized load.
"""

import http.client
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask  # noqa: E402
from load_servers import SWARM_USER_AGENT  # noqa: E402

from rounds import create_app  # noqa: E402
from rounds.auth.sessions import start_session  # noqa: E402
from rounds.extensions import db  # noqa: E402
from rounds.models import FamilyEvent, Patient, Update, User  # noqa: E402
from tests.support.factories import Factory  # noqa: E402

SUMMARY_WHILE_AWAY = "Posted while the app was restarting."


@dataclass(frozen=True)
class Family:
    """One family socket: who, which child."""

    user_id: int
    patient: int
    cookie: str


@dataclass(frozen=True)
class World:
    """Everything the scenarios need to know about the data."""

    children: list[int]  # every child, unit by unit
    unit_of: dict[int, int]  # child -> index of its unit
    clinicians: list  # Factory Person per unit, in unit order
    unit_families: list[Family]
    all_families: list[Family]
    version: str = ""  # the page version a family page of this code sends
    unit_ids: tuple[int, ...] = ()  # every unit, in order


def bench_app(settings: dict):
    """The app as the servers given ``settings`` (``load_servers.server_settings``) build it
    (same key and database), for data and cookies only.

    It never serves: no message queue (nothing listens while data is made), threading mode
    (this process is not patched by gevent), and cheap password hashing so 2,000 accounts
    take seconds. Hashes carry their own cost, so the servers verify them as made.
    """
    return create_app(
        "production",
        {
            "SECRET_KEY": settings["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": settings["DATABASE_URL"],
            "REDIS_URL": settings["REDIS_URL"],
            "SOCKETIO_ALLOWED_ORIGINS": settings["SOCKETIO_ALLOWED_ORIGINS"].split(","),
            "SOCKETIO_MESSAGE_QUEUE": None,
            "SOCKETIO_ASYNC_MODE": "threading",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        },
    )


def embedded_data_app(database_url: str, secret_key: str):
    """The app as the embedded default ``load_servers.embedded_server`` builds it (same key,
    the same SQLite file), for data and cookies only, with cheap password hashing."""
    return create_app(
        "development",
        {
            "SECRET_KEY": secret_key,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        },
    )


def mint_cookie(app, user_id: int) -> str:
    """A signed session cookie for a signed-in user, as a real sign-in from the swarm's browser
    leaves it (with its server-side session record)."""
    browser = {"User-Agent": SWARM_USER_AGENT}
    with app.test_request_context(headers=browser, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        # Here, not at the top: census_cost.py imports this module to measure older checkouts
        # too, which had no rounds.services.sessions (it never mints a cookie).
        from rounds.services.sessions import open_record

        user = db.session.get(User, user_id)
        token = open_record(user)
        db.session.commit()
        start_session(user, token)
        return app.session_interface.get_signing_serializer(app).dumps(dict(flask.session))


def page_version_of(app) -> str:
    """What a family page of this checkout sends as its version (``data-version``)."""
    from rounds.family.catch_up import page_version

    with app.app_context():
        return page_version()


def make_world(app, units: int, children_per_unit: int, unit_families: int, families: int):
    """Units, children, clinicians and families with grants and minted cookies."""
    make = Factory(app)
    unit_ids = [make.unit(f"Bench unit {u + 1}") for u in range(units)]
    clinicians = [make.person("clinician", (unit_id,)) for unit_id in unit_ids]
    per_unit = [[make.patient(unit_id) for _ in range(children_per_unit)] for unit_id in unit_ids]
    children = [child for unit in per_unit for child in unit]
    unit_of = {child: u for u, unit in enumerate(per_unit) for child in unit}
    first, rest = per_unit[0], children[children_per_unit:]
    made = []
    for i in range(families):
        child = first[i % len(first)] if i < unit_families or not rest else rest[i % len(rest)]
        person = make.person()
        make.grant(person, child)
        made.append(Family(person.id, child, mint_cookie(app, person.id)))
    return World(
        children,
        unit_of,
        clinicians,
        made[:unit_families],
        made,
        page_version_of(app),
        tuple(unit_ids),
    )


def check_cookie(base_url: str, family: Family) -> str:
    """GET /family/ with a minted cookie: it must not be sent to sign in, and a second request
    with the cookie the first one set must not get another (a cookie minted for another
    browser would be marked "not fresh", and sent again, with every answer)."""
    answers = []
    cookie = family.cookie
    for _ in range(2):
        parts = urlsplit(base_url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        browser = {"Cookie": f"rounds_session={cookie}", "User-Agent": SWARM_USER_AGENT}
        conn.request("GET", "/family/", headers=browser)
        response = conn.getresponse()
        location = response.getheader("Location", "")
        sent = response.getheader("Set-Cookie") or ""
        conn.close()
        if response.status not in (200, 302) or "/signin" in location:
            raise RuntimeError(f"minted cookie refused: {response.status} {location}")
        answers.append(f"{response.status} {location}, cookie {'sent' if sent else 'kept'}")
        if sent:  # "seen" moved on (it does once a minute): the browser keeps the new one
            cookie = sent.split("rounds_session=", 1)[1].split(";", 1)[0]
    return "; then ".join(answers)


def app_seqs(app, children: list[int]) -> dict[int, int]:
    """The newest event seq of each child, from the database."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Patient.id, Patient.last_event_seq).where(Patient.id.in_(children))
        ).all()
        return {patient_id: seq or 0 for patient_id, seq in rows}


def app_post_seqs(app, tag: str) -> dict[int, int]:
    """Post index -> the event seq it saved, for the updates whose summary is "<tag> <index>".

    A post that answered an error may still have saved (or not): the database says which.
    """
    with app.app_context():
        rows = db.session.execute(
            db.select(Update.summary, FamilyEvent.seq)
            .join(FamilyEvent, FamilyEvent.update_id == Update.id)
            .where(Update.summary.like(f"{tag} %"), FamilyEvent.kind == "posted")
        ).all()
        db.session.remove()
        return {int(summary.rsplit(" ", 1)[1]): seq for summary, seq in rows}


def app_queue_order(app, unit_id: int) -> list[int]:
    """The children of the unit's open rounds queue, in queue order (its first is current)."""
    from rounds.models import RoundsPlace, RoundsSession

    with app.app_context():
        rows = db.session.scalars(
            db.select(RoundsPlace.patient_id)
            .join(RoundsSession, RoundsSession.id == RoundsPlace.session_id)
            .where(RoundsSession.unit_id == unit_id, RoundsSession.ended_at.is_(None))
            .order_by(RoundsPlace.position, RoundsPlace.id)
        ).all()
        db.session.remove()
        return list(rows)


def app_done_versions(app, unit_id: int) -> dict[int, int]:
    """Child -> the queue version its "done" made, in the unit's open rounds (a change that
    was refused made none)."""
    from rounds.models import RoundsChange, RoundsSession

    with app.app_context():
        rows = db.session.execute(
            db.select(RoundsChange.patient_id, RoundsChange.version)
            .join(RoundsSession, RoundsSession.id == RoundsChange.session_id)
            .where(
                RoundsSession.unit_id == unit_id,
                RoundsSession.ended_at.is_(None),
                RoundsChange.kind == "done",
            )
        ).all()
        db.session.remove()
        return {patient_id: version for patient_id, version in rows}


def app_post_while_away(app, world: World) -> None:
    """One update for every child, written with the service while no server runs."""
    make = Factory(app)
    for child in world.children:
        make.post(world.clinicians[world.unit_of[child]], child, SUMMARY_WHILE_AWAY)


def node_seqs(redis_client, children: list[int]) -> dict[int, int]:
    """The newest event seq of each child, from the baseline's Redis keys."""
    values = redis_client.mget([f"bench:seq:{child}" for child in children])
    return {child: int(value or 0) for child, value in zip(children, values, strict=True)}


def node_post_while_away(redis_client, world: World) -> None:
    """One event for every child, written as the baseline server writes them."""
    import json

    for child in world.children:
        seq = redis_client.incr(f"bench:seq:{child}")
        event = {"seq": seq, "kind": "posted", "message": "A new update from the care team."}
        redis_client.rpush(f"bench:events:{child}", json.dumps(event))
