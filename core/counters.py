"""Named counters for human-readable numbers (licences, applications, sessions).

Each call takes the counter's row lock with UPDATE ... RETURNING, so concurrent callers queue and
never get the same value; the first call of a counter inserts it under a savepoint.
"""

from __future__ import annotations

from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Counter(Base):
    __tablename__ = "counters"
    __audit__ = False

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Counter {self.name}={self.last_value}>"


def next_value(name: str) -> int:
    """The counter's next value (1, 2, 3, ...), unique even under concurrent transactions."""
    from core.extensions import db

    bump = (
        update(Counter)
        .where(Counter.name == name)
        .values(last_value=Counter.last_value + 1)
        .returning(Counter.last_value)
        .execution_options(synchronize_session=False)
    )
    value = db.session.execute(bump).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(Counter(name=name, last_value=1))
        return 1
    except IntegrityError:
        # Another transaction created it first; now its row lock orders us after it.
        return db.session.execute(bump).scalar_one()


def raise_to(name: str, value: int) -> None:
    """Make the counter at least `value`, so numbers already given out (an imported licence's
    serial) are never given again."""
    from core.extensions import db

    raised = db.session.execute(
        update(Counter)
        .where(Counter.name == name, Counter.last_value < value)
        .values(last_value=value)
        .execution_options(synchronize_session=False)
    )
    if raised.rowcount or db.session.get(Counter, name) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Counter(name=name, last_value=value))
    except IntegrityError:
        db.session.execute(
            update(Counter)
            .where(Counter.name == name, Counter.last_value < value)
            .values(last_value=value)
            .execution_options(synchronize_session=False)
        )
