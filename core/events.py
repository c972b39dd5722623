"""Domain events: a feature says what happened; other packages (letters) act on it.

A feature calls `announce("ruling_notice", ruling, actor=actor)` inside its operation; the
subscribers run at once, in the same transaction, so the letter and the act it reports are
committed (or rolled back) together. Features never import the subscribers.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()
record_event = _signals.signal("record-event")


def announce(event: str, record: Any, *, actor, **details: Any) -> None:
    """Tell the subscribers that `event` happened to `record`."""
    record_event.send(event, record=record, actor=actor, **details)
