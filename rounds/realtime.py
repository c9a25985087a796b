"""Live notifications: rooms, who owns which socket, publishing after commit, cutting off.

Rooms are chosen by the server only: ``user:<id>`` for each person, ``patient:<id>`` for
each child a family member holds a grant for, ``unit:<id>`` for staff of a unit. A push
carries only (patient, seq); the page then fetches over HTTP what this person may see, so
every read is permission-checked.

With several processes (production), Flask-SocketIO's Redis message queue carries every
emit and every room change to the process that holds the socket. What the queue cannot do
is list another process's sockets, so ``registry`` keeps "person -> socket ids" in Redis.
Redis may lose everything on a restart: when a process is back on the queue it registers
its sockets again and re-checks their grants (``resync_local_sockets``).
"""

import logging
import time
import types

import redis
import socketio as python_socketio
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from rounds.extensions import db, socketio
from rounds.models import AccessGrant, Patient, User
from rounds.permissions import followed_unit_ids, grant_in_force

NAMESPACE = "/"
log = logging.getLogger(__name__)

# A dead process cannot remove its sockets; a person's set expires a week after their
# last connect, and an operation on a socket id nobody holds does nothing.
REGISTRY_TTL_SECONDS = 7 * 24 * 3600


def patient_room(patient_id: int) -> str:
    """The room of a child's family members."""
    return f"patient:{patient_id}"


def user_room(user_id: int) -> str:
    """The room of every open connection of one person."""
    return f"user:{user_id}"


def unit_room(unit_id: int) -> str:
    """The room of the staff of one unit."""
    return f"unit:{unit_id}"


class SocketRegistry:
    """Which socket ids belong to which person: in this process, and in Redis for all.

    Without Redis (the embedded default) there is one process and the local map is the
    whole truth. A Redis error never breaks a connection: the socket still works in its
    own process, and the next queue reconnect registers it again.
    """

    def __init__(self):
        self.local: dict[str, int] = {}
        self.redis: redis.Redis | None = None
        self.prefix = "rounds"

    def init_app(self, app: Flask) -> None:
        """Use Redis when the app runs with a message queue."""
        url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
        self.prefix = app.config["SOCKETIO_CHANNEL"]
        # A blocking pool: a thousand sockets reconnecting at once wait for a connection
        # instead of failing at redis-py's default cap of 100.
        self.redis = (
            redis.Redis(
                connection_pool=redis.BlockingConnectionPool.from_url(
                    url, max_connections=50, timeout=5, socket_timeout=2, socket_connect_timeout=2
                )
            )
            if url
            else None
        )

    def key(self, user_id: int) -> str:
        """The Redis set of one person's socket ids."""
        return f"{self.prefix}:sockets:user:{user_id}"

    def add(self, sid: str, user_id: int) -> None:
        """Record a new connection of ``user_id``."""
        self.local[sid] = user_id
        self._remote_add((sid, user_id))

    def remove(self, sid: str) -> None:
        """Forget a closed connection."""
        user_id = self.local.pop(sid, None)
        if user_id is None or self.redis is None:
            return
        try:
            self.redis.srem(self.key(user_id), sid)
        except redis.RedisError as error:
            log.warning("socket registry: could not remove a socket (%s)", type(error).__name__)

    def sockets_of(self, user_id: int) -> set[str]:
        """Every open connection of a person, in every process that Redis knows of."""
        mine = {sid for sid, owner in self.local.items() if owner == user_id}
        if self.redis is None:
            return mine
        try:
            return mine | {sid.decode() for sid in self.redis.smembers(self.key(user_id))}
        except redis.RedisError as error:
            log.warning("socket registry: Redis unavailable (%s)", type(error).__name__)
            return mine

    def register_local_again(self) -> None:
        """Write this process's sockets into Redis again (after Redis lost them)."""
        self._remote_add(*self.local.items())

    def _remote_add(self, *sockets: tuple[str, int]) -> None:
        """Add (socket id, person) pairs in one round trip."""
        if self.redis is None or not sockets:
            return
        try:
            pipe = self.redis.pipeline(transaction=False)
            for sid, user_id in sockets:
                pipe.sadd(self.key(user_id), sid)
                pipe.expire(self.key(user_id), REGISTRY_TTL_SECONDS)
            pipe.execute()
        except redis.RedisError as error:
            log.warning("socket registry: could not add a socket (%s)", type(error).__name__)


registry = SocketRegistry()


# Published by a process whose own publish failed, once Redis takes messages again: every
# process then catches its sockets up, as if it had lost the queue itself.
RESYNC_MESSAGE = b'{"method": "rounds_resync"}'


class QueueManager(python_socketio.RedisManager):
    """Flask-SocketIO's Redis manager, plus catching up after anything was lost on the queue.

    While a process is off the queue, emits and room changes from the others are lost to it;
    while its publishes fail, the others lose what it sent. In both cases ``on_reconnect``
    runs where it is needed, and the app catches its sockets up from the database.
    A lost subscription comes back two ways: redis-py's own retry inside ``listen()``, which
    re-subscribes through the pub/sub ``on_connect`` callback, and, when that gives up, the
    manager's loop below (the library's, with the catch-up added).
    """

    def __init__(self, url: str, on_reconnect, **kwargs):
        super().__init__(url, **kwargs)
        self.on_reconnect = on_reconnect
        self.publish_failed = False

    def _redis_connect(self):
        super()._redis_connect()
        # redis-py calls the pub/sub's on_connect on every reconnect (not the first), and
        # keeps it as a weak bound method: bind a module-level function to the pub/sub.
        self.pubsub.rounds_manager = self
        self.pubsub.on_connect = types.MethodType(_pubsub_reconnected, self.pubsub)

    def _publish(self, data):
        sent = super()._publish(data)  # the library logs and gives up after two tries
        if sent is None:
            self.publish_failed = True
        elif self.publish_failed:
            self._announce_resync()
        return sent

    def _announce_resync(self) -> None:
        """Ask every process (this one too) to catch its sockets up."""
        try:
            self.redis.publish(self.channel, RESYNC_MESSAGE)
            self.publish_failed = False
        except Exception as exc:  # noqa: BLE001 - the next publish or reconnect tries again
            self._get_logger().warning(f"could not announce a resync ({type(exc).__name__})")

    def _listen(self):
        for message in super()._listen():
            if message == RESYNC_MESSAGE:
                self.server.start_background_task(self.on_reconnect)
            else:
                yield message

    def _redis_listen_with_retries(self):
        retry_sleep = 1
        lost = False
        while True:
            try:
                self._redis_connect()
                # Our own reference: a failing publish may replace self.pubsub meanwhile.
                pubsub = self.pubsub
                pubsub.subscribe(self.channel)
                retry_sleep = 1
                if lost:
                    self._queue_back()
                yield from pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - the library's own loop catches all
                self._get_logger().error(
                    f"message queue unreachable ({type(exc).__name__}); retrying in {retry_sleep} s"
                )
                lost = True
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 10)

    def _queue_back(self) -> None:
        self._get_logger().warning("message queue connection restored; catching up")
        self.server.start_background_task(self.on_reconnect)
        if self.publish_failed:
            self._announce_resync()


def _pubsub_reconnected(pubsub, connection) -> None:
    """redis-py reconnected the pub/sub by itself: re-subscribe, then catch up."""
    type(pubsub).on_connect(pubsub, connection)
    pubsub.rounds_manager._queue_back()


# How often a catch-up that met a database error tries again, and how many sockets it
# handles before letting other greenlets run.
RESYNC_ATTEMPTS = 12
RESYNC_RETRY_SECONDS = 5
RESYNC_BATCH = 100


def resync_local_sockets(app: Flask) -> None:
    """After something was lost on the queue: register this process's sockets again and
    catch them up from the database, retrying while the database is away too."""
    registry.register_local_again()
    for attempt in range(1, RESYNC_ATTEMPTS + 1):
        try:
            with app.app_context():
                try:
                    _catch_up_local_sockets()
                    return
                finally:
                    db.session.remove()
        except SQLAlchemyError as error:
            log.warning(
                "catch-up after a queue loss failed (%s), attempt %d", type(error).__name__, attempt
            )
            socketio.sleep(RESYNC_RETRY_SECONDS)


def _catch_up_local_sockets() -> None:
    """The database's view, told to each socket of this process.

    A family member whose grant ended while pushes were lost leaves that child's room and is
    told; a person no longer active, or staff who left a unit, is cut off the same way.
    Everyone is told the newest event number of each child they follow, so their page
    fetches whatever a lost push would have announced (a page that has it ignores it).
    Staff hear of every child in their units, so census rows refresh.
    """
    rooms_of: dict[str, list[str]] = {}
    for room, members in list(socketio.server.manager.rooms.get(NAMESPACE, {}).items()):
        if room is None:
            continue
        for sid in list(members):
            if sid in registry.local:
                rooms_of.setdefault(sid, []).append(room)
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_(set(registry.local.values())))
        )
    }
    grants: dict[int, set[int]] = {}
    for user_id, patient_id in db.session.execute(
        select(AccessGrant.user_id, AccessGrant.patient_id)
        .join(Patient, Patient.id == AccessGrant.patient_id)
        .where(AccessGrant.user_id.in_(users), *grant_in_force())
    ):
        grants.setdefault(user_id, set()).add(patient_id)
    newest = {
        patient_id: (unit_id, seq)
        for patient_id, unit_id, seq in db.session.execute(
            select(Patient.id, Patient.unit_id, Patient.last_event_seq).where(
                Patient.discharged_at.is_(None)
                | Patient.id.in_({pid for m in grants.values() for pid in m})
            )
        )
    }
    for count, (sid, user_id) in enumerate(list(registry.local.items()), start=1):
        if count % RESYNC_BATCH == 0:
            socketio.sleep(0)
        user = users.get(user_id)
        if user is None or not user.active:
            socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
            continue
        rooms = rooms_of.get(sid, [])
        units = followed_unit_ids(user)
        told = set()
        for room in rooms:
            kind, _, ident = room.partition(":")
            if kind == "patient" and int(ident) in grants.get(user_id, set()):
                told.add(int(ident))
            elif kind == "patient":
                socketio.server.leave_room(sid, room, NAMESPACE)
                tell(sid, "access_ended", {"patient": int(ident)})
            elif kind == "unit" and int(ident) in units:
                told.update(pid for pid, (unit_id, _) in newest.items() if unit_id == int(ident))
            elif kind == "unit":
                socketio.server.leave_room(sid, room, NAMESPACE)
        for patient_id in sorted(told & newest.keys()):
            tell(sid, "family_event", {"patient": patient_id, "seq": newest[patient_id][1]})


def tell(sid: str, event: str, payload: dict) -> None:
    """Emit to one socket of this process, directly (it is here: no need for the queue)."""
    socketio.server.emit(event, payload, to=sid, namespace=NAMESPACE, ignore_queue=True)


def publish_family_event(patient_id: int, seq: int, unit_id: int | None = None) -> None:
    """Tell the child's family (and the unit's staff) that event ``seq`` exists.

    Call only after the transaction that wrote the event has committed.
    """
    payload = {"patient": patient_id, "seq": seq}
    socketio.emit("family_event", payload, to=patient_room(patient_id), namespace=NAMESPACE)
    if unit_id is not None:
        socketio.emit("family_event", payload, to=unit_room(unit_id), namespace=NAMESPACE)


def end_patient_access(user_id: int, patient_id: int) -> None:
    """Stop a child's updates reaching a person at once, on every connection, in every process.

    Their connections stay up for any other child they still follow.
    """
    room = patient_room(patient_id)
    for sid in registry.sockets_of(user_id):
        # A socket in another process leaves through the message queue.
        socketio.server.leave_room(sid, room, namespace=NAMESPACE)
    socketio.emit(
        "access_ended", {"patient": patient_id}, to=user_room(user_id), namespace=NAMESPACE
    )


def disconnect_user(user_id: int) -> None:
    """Close every live connection of a person, in every process (their sessions ended)."""
    for sid in registry.sockets_of(user_id):
        # A socket in another process is closed through the message queue.
        socketio.server.disconnect(sid, namespace=NAMESPACE)


def move_unit_rooms(user_id: int, leave: set[int], join: set[int]) -> None:
    """A staff member's units changed: their open connections, in every process, leave the
    rooms of units they no longer see and join those of their new units."""
    for sid in registry.sockets_of(user_id):
        # Through the message queue for a socket held by another process.
        for unit_id in leave:
            socketio.server.leave_room(sid, unit_room(unit_id), NAMESPACE)
        for unit_id in join:
            try:
                socketio.server.enter_room(sid, unit_room(unit_id), NAMESPACE)
            except (KeyError, ValueError):
                # Closed since the registry listed it (one process: no queue to pass it on).
                break


def publish_rounds(unit_id: int, states: list[dict], personal: list[tuple[int, dict]]) -> None:
    """After a queue change commits: each child's own state to that child's room only, each
    personal part (a join link) to its person's room only, and a nudge to the unit's staff.
    Families never join a unit room, so nothing about the whole queue reaches them."""
    for state in states:
        socketio.emit("rounds", state, to=patient_room(state["patient"]), namespace=NAMESPACE)
    for user_id, mine in personal:
        socketio.emit("rounds_personal", mine, to=user_room(user_id), namespace=NAMESPACE)
    socketio.emit("rounds_changed", {"unit": unit_id}, to=unit_room(unit_id), namespace=NAMESPACE)


def publish_family_rounds(
    unit_id: int, user_id: int, patient_id: int, personal: dict | None = None
) -> None:
    """After a family member answered (``personal``: their answer now) or a question of theirs
    changed: their own open pages (every phone of theirs) refresh their part, and the unit's
    staff screens refresh."""
    if personal is not None:
        socketio.emit("rounds_personal", personal, to=user_room(user_id), namespace=NAMESPACE)
    else:
        socketio.emit(
            "questions_changed", {"patient": patient_id}, to=user_room(user_id), namespace=NAMESPACE
        )
    socketio.emit("rounds_changed", {"unit": unit_id}, to=unit_room(unit_id), namespace=NAMESPACE)
