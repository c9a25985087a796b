"""Live notifications: rooms, publishing after commit, and cutting people off.

Rooms are chosen by the server only: ``user:<id>`` for each person, ``patient:<id>`` for
each child a family member holds a grant for, ``unit:<id>`` for staff of a unit. A push
carries only (patient, seq); the page then fetches over HTTP what this person may see, so
every read is permission-checked.
"""

from rounds.extensions import socketio

NAMESPACE = "/"


def patient_room(patient_id: int) -> str:
    """The room of a child's family members."""
    return f"patient:{patient_id}"


def user_room(user_id: int) -> str:
    """The room of every open connection of one person."""
    return f"user:{user_id}"


def unit_room(unit_id: int) -> str:
    """The room of the staff of one unit."""
    return f"unit:{unit_id}"


def publish_family_event(patient_id: int, seq: int, unit_id: int | None = None) -> None:
    """Tell the child's family (and the unit's staff) that event ``seq`` exists.

    Call only after the transaction that wrote the event has committed.
    """
    payload = {"patient": patient_id, "seq": seq}
    socketio.emit("family_event", payload, to=patient_room(patient_id), namespace=NAMESPACE)
    if unit_id is not None:
        socketio.emit("family_event", payload, to=unit_room(unit_id), namespace=NAMESPACE)


def sockets_of(user_id: int) -> list[str]:
    """The socket ids of a person's open connections in this process.

    Single-process for now; production mode keeps this mapping across processes.
    """
    manager = socketio.server.manager
    return [sid for sid, _eio_sid in manager.get_participants(NAMESPACE, user_room(user_id))]


def end_patient_access(user_id: int, patient_id: int) -> None:
    """Stop a child's updates reaching a person at once, on every open connection.

    Their connections stay up for any other child they still follow.
    """
    room = patient_room(patient_id)
    for sid in sockets_of(user_id):
        socketio.server.leave_room(sid, room, namespace=NAMESPACE)
    socketio.emit(
        "access_ended", {"patient": patient_id}, to=user_room(user_id), namespace=NAMESPACE
    )
