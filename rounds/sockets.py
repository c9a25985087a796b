"""Socket.IO handlers. The server picks every room; a client never names one."""

import logging
import time

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from limits import parse_many
from sqlalchemy.exc import SQLAlchemyError

from rounds import permissions, tracker
from rounds.extensions import socketio, without_transaction
from rounds.family.catch_up import events_since, page_words
from rounds.forms import LARGEST_ID
from rounds.models import Patient, User
from rounds.realtime import patient_room, registry, tell, unit_room, user_room

log = logging.getLogger(__name__)


@socketio.on("connect")
def connect(auth=None):
    """Admit a signed-in person and join the rooms their grants or units allow.

    Anonymous connections are refused, and so are people with nothing to follow. While the
    database is away nobody can be checked, so nobody is admitted; the page tries again.
    A family page says in ``auth`` which child it shows and the last event it has; what it
    missed comes back at once on this socket (see ``catch_up``).
    """
    try:
        return admit(auth)
    except SQLAlchemyError as error:
        registry.remove(request.sid)  # if it got as far as registering
        log.warning("socket refused: database busy or unreachable (%s)", type(error).__name__)
        raise ConnectionRefusedError("unavailable") from error


def admit(auth=None) -> bool:
    """The body of ``connect``: check, join rooms, register."""
    # Reads only, and each read must see what is committed now: no transaction needed.
    without_transaction()
    # The person, once: every current_user goes through two proxies (a storm's hottest path).
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return False
    if too_many_connections(user.id):
        log.warning("socket refused: too many connections for one account")
        raise ConnectionRefusedError("too many connections")
    patient_ids = permissions.family_patient_ids(user)
    unit_ids = permissions.followed_unit_ids(user)
    if not patient_ids and not unit_ids:
        return False
    join_room(user_room(user.id))
    # Registered before the grants are read again below, so a revoke from now on finds it.
    registry.add(request.sid, user.id)
    for patient_id in patient_ids:
        join_room(patient_room(patient_id))
    for unit_id in unit_ids:
        join_room(unit_room(unit_id))
    # A revoke that committed while this connect was joining could not see this socket yet:
    # read the grants again now that the socket is in its rooms, and leave what is gone.
    still_granted = permissions.family_patients(user)
    for patient_id in set(patient_ids) - still_granted.keys():
        leave_room(patient_room(patient_id))
    catch_up(auth, user, still_granted)
    return True


def catch_up(auth, user: User, granted: dict[int, Patient]) -> None:
    """Send a reconnecting page what it missed, as ``events.json`` would answer it: after a
    restart every phone comes back at once, and one answer on the socket it has just opened
    costs the server far less than a second request, which would check the session and the
    grant all over again (bench/load.py, reconnect storm). Read the same way, audited the
    same way; a child the person may not read gets ``access_ended``, as the fetch gets 404.
    """
    wanted = page_position(auth)
    if wanted is None:  # not a family page (a staff screen, say)
        return
    patient_id, after = wanted
    patient = permissions.readable_child(user, patient_id, followed=granted)
    if patient is None:
        tell(request.sid, "access_ended", {"patient": patient_id})
        return
    version, language = page_words(auth.get("v"), auth.get("lang"))
    tell(request.sid, "catch_up", events_since(patient, after, version, language))
    # Where rounds stand, read from the database (a phone that slept missed the pushes), and
    # this person's own part of it (a join link) to this socket only.
    queue = tracker.queue_of(patient.unit)
    state = tracker.family_state(queue, patient.id)
    tell(request.sid, "rounds", state)
    if permissions.may_take_part(user, patient):
        tell(request.sid, "rounds_personal", tracker.personal_state(user, patient, queue, state))


def page_position(auth) -> tuple[int, int] | None:
    """The (child, last event) a family page sent when connecting; None for anything else.
    (It also sends its version and language: ``rounds.family.catch_up.page_words``.)"""
    if not isinstance(auth, dict):
        return None
    wanted = auth.get("patient"), auth.get("after")
    # Whole numbers within a database integer; not bools, floats or strings.
    if all(type(value) is int and 0 <= value <= LARGEST_ID for value in wanted):
        return wanted
    return None


class ConnectCounts:
    """Connections per account in fixed windows, in this process's memory.

    A connect is the hottest path of a reconnect storm. A Redis round trip per connect
    (Flask-Limiter's storage) cost more than the rest of the check, and the limits library's
    in-memory storage expires its keys on a timer that, with a few thousand accounts, took
    6 % of a worker's time in a storm (both measured: bench/request_cost.py, py-spy during
    bench/load.py). The proxy's sticky sessions keep a phone on one process, so a count per
    process still stops a client that reconnects in a loop.
    """

    def __init__(self, limits):
        self.limits = [(item.amount, item.get_expiry()) for item in limits]
        self.windows: list[tuple[int, dict[int, int]]] = [(-1, {}) for _ in self.limits]

    def allow(self, user_id: int, now: float) -> bool:
        """Count one connect; False once any window of this account is full."""
        allowed = True
        for index, (amount, seconds) in enumerate(self.limits):
            window, counts = self.windows[index]
            if window != int(now // seconds):  # a new window: forget the last one
                window, counts = int(now // seconds), {}
                self.windows[index] = (window, counts)
            counts[user_id] = counts.get(user_id, 0) + 1
            allowed = allowed and counts[user_id] <= amount
        return allowed


def too_many_connections(user_id: int) -> bool:
    """Connections (the only thing a client sends) are limited per account, not per address:
    a hospital's Wi-Fi puts many families behind one address, and they all reconnect at once
    after a network blip. A page reconnecting after a network change stays far below."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    counts = current_app.extensions.get("rounds_socket_connects")
    if counts is None:
        limits = parse_many(current_app.config["SOCKET_CONNECT_LIMIT"])
        counts = current_app.extensions.setdefault("rounds_socket_connects", ConnectCounts(limits))
    return not counts.allow(user_id, time.time())


@socketio.on("disconnect")
def disconnect(reason=None):
    """Forget the connection, here and in the cross-process registry."""
    registry.remove(request.sid)
