"""Violation catalogue, cases, committee members and sessions, votes, rulings and appeals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from committees.states import (  # noqa: F401  (re-exported: the models module names them too)
    LICENCE_PENALTIES,
    PENALTY_ORDER,
    TRANSITIONS,
    AppealOutcome,
    CaseSource,
    CaseState,
    ConflictAnswer,
    FineStatus,
    PenaltyKind,
    RulingState,
    Severity,
    VoteChoice,
    penalty_text,
)
from core.db import Base, TimestampMixin, VersionMixin, enum_type, utcnow
from licensing.models import Licence
from registry.models import Site


class ViolationType(TimestampMixin, Base):
    """An entry of the violation catalogue with its penalty ladder (admin-editable data).

    ladder: the default penalty for the 1st, 2nd, 3rd... offence within lookback_days, e.g.
    [{"penalty": "written_warning"}, {"penalty": "suspension", "days": 15},
    {"penalty": "revocation"}];
    a fine step carries "amount" (rials). Offences past the last step repeat the last step.
    """

    __tablename__ = "violation_types"
    __label__ = "نوع تخلف"
    __field_labels__ = {
        "code": "کد",
        "title": "عنوان",
        "description": "شرح",
        "severity": "شدت",
        "ladder": "پلکان مجازات",
        "lookback_days": "دوره بازنگری سوابق",
        "legal_basis": "مستند قانونی",
        "active": "فعال",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[Severity] = mapped_column(enum_type(Severity), default=Severity.MEDIUM)
    ladder: Mapped[list] = mapped_column(JSON)
    lookback_days: Mapped[int] = mapped_column(default=365)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<ViolationType {self.code}>"


class Case(TimestampMixin, VersionMixin, Base):
    """پرونده تخلف"""

    __tablename__ = "cases"
    __label__ = "پرونده تخلف"
    __field_labels__ = {
        "number": "شماره",
        "state": "وضعیت",
        "source": "منشأ",
        "opened_on": "تاریخ تشکیل",
        "offence_on": "تاریخ تخلف",
        "summary": "شرح",
        "complainant": "شاکی",
        "defence_text": "دفاعیه",
        "defence_on": "تاریخ دفاعیه",
        "defence_requested_on": "تاریخ درخواست دفاعیه",
        "closed_reason": "دلیل اختتام",
        "licence_id": "پروانه",
        "site_id": "دفتر",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"), index=True)
    source: Mapped[CaseSource] = mapped_column(enum_type(CaseSource))
    state: Mapped[CaseState] = mapped_column(enum_type(CaseState), default=CaseState.OPEN)
    opened_on: Mapped[date] = mapped_column(index=True)
    # The offence date used for the ladder's look-back (the visit's date or the complaint's).
    offence_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    complainant: Mapped[str | None] = mapped_column(String(200))
    # The inspection visit the case came from (inspections module), kept as a plain id here.
    # One case per referred visit (a unique index; several manual cases have none).
    visit_uuid: Mapped[str | None] = mapped_column(String(36), index=True, unique=True)
    defence_text: Mapped[str | None] = mapped_column(Text)
    defence_on: Mapped[date | None]
    defence_requested_on: Mapped[date | None]
    closed_reason: Mapped[str | None] = mapped_column(Text)

    site: Mapped[Site] = relationship()
    # The licence the case concerns: in force when it was opened, or the one a ruling acted on.
    licence: Mapped[Licence | None] = relationship()
    violations: Mapped[list[CaseViolation]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseViolation.id"
    )
    evidence: Mapped[list[CaseEvidence]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvidence.id"
    )
    rulings: Mapped[list[Ruling]] = relationship(
        back_populates="case", order_by="Ruling.id", foreign_keys="Ruling.case_id"
    )

    def __repr__(self) -> str:
        return f"<Case {self.number} {self.state}>"


class CaseViolation(Base):
    __tablename__ = "case_violations"
    __label__ = "تخلف پرونده"
    __table_args__ = (UniqueConstraint("case_id", "violation_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    violation_type_id: Mapped[int] = mapped_column(ForeignKey("violation_types.id"), index=True)
    detail: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="violations")
    violation_type: Mapped[ViolationType] = relationship()

    def __repr__(self) -> str:
        return f"<CaseViolation {self.case_id}:{self.violation_type_id}>"


class CaseEvidence(Base):
    """A piece of evidence: a file, or a reference to an inspection visit or photo."""

    __tablename__ = "case_evidence"
    __label__ = "مدرک پرونده"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # visit, photo, document
    description: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(120))  # visit uuid, photo sha256
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(60))
    storage_key: Mapped[str | None] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="evidence")

    def __repr__(self) -> str:
        return f"<CaseEvidence {self.kind} {self.reference}>"


class CommitteeMember(TimestampMixin, Base):
    """A seat on the committee: the organisation it represents and who holds it."""

    __tablename__ = "committee_members"
    __label__ = "عضو کمیته"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(150))
    organisation: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(150))
    # The member's own national ID: what links them to an office's holder or operator in the registry.
    national_id: Mapped[str | None] = mapped_column(String(10), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    # An alternate stands in for the principal member of the same organisation.
    alternate_for_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    active: Mapped[bool] = mapped_column(default=True)

    alternate_for: Mapped[CommitteeMember | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<CommitteeMember {self.full_name}>"


class CommitteeSession(TimestampMixin, VersionMixin, Base):
    __tablename__ = "committee_sessions"
    __label__ = "جلسه کمیته تخلفات"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    closed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None]

    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    agenda: Mapped[list[SessionCase]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionCase.position"
    )
    votes: Mapped[list[Vote]] = relationship(back_populates="session", order_by="Vote.id")
    recusals: Mapped[list[Recusal]] = relationship(back_populates="session")
    conflict_flags: Mapped[list[ConflictFlag]] = relationship(order_by="ConflictFlag.id")
    corrections: Mapped[list[SessionCorrection]] = relationship(
        back_populates="session", order_by="SessionCorrection.id"
    )

    def __repr__(self) -> str:
        return f"<CommitteeSession {self.number}>"


class Attendance(Base):
    __tablename__ = "committee_attendance"
    __label__ = "حضور در جلسه کمیته"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))

    session: Mapped[CommitteeSession] = relationship(back_populates="attendance")
    member: Mapped[CommitteeMember] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance {self.session_id}:{self.member_id}>"


class SessionCase(Base):
    __tablename__ = "committee_agenda"
    __label__ = "دستور جلسه کمیته"
    __table_args__ = (UniqueConstraint("session_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[CommitteeSession] = relationship(back_populates="agenda")
    case: Mapped[Case] = relationship()

    def __repr__(self) -> str:
        return f"<SessionCase {self.session_id}:{self.case_id}>"


class Recusal(Base):
    """A member with a conflict of interest on a case: recorded, and barred from voting on it."""

    __tablename__ = "committee_recusals"
    __label__ = "اعلام تعارض منافع"
    __table_args__ = (UniqueConstraint("session_id", "case_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    reason: Mapped[str] = mapped_column(Text)

    session: Mapped[CommitteeSession] = relationship(back_populates="recusals")
    member: Mapped[CommitteeMember] = relationship()

    def __repr__(self) -> str:
        return f"<Recusal {self.case_id}:{self.member_id}>"


class ConflictFlag(Base):
    """A member the registry links to the office of a case on the agenda, flagged before voting.

    The member answers before voting: recusal (a Recusal row follows) or a declaration, with a
    reason, that the link is no conflict. Flag and answer go into the minutes.
    """

    __tablename__ = "committee_conflict_flags"
    __label__ = "هشدار تعارض منافع"
    __table_args__ = (UniqueConstraint("session_id", "case_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    link: Mapped[str] = mapped_column(Text)
    answer: Mapped[ConflictAnswer | None] = mapped_column(enum_type(ConflictAnswer))
    answer_note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]

    member: Mapped[CommitteeMember] = relationship()

    def __repr__(self) -> str:
        return f"<ConflictFlag {self.case_id}:{self.member_id} {self.answer}>"


class Ruling(TimestampMixin, VersionMixin, Base):
    """رأی کمیته: the violations found, the penalty, its basis and reasoning; it acts on the
    licence."""

    __tablename__ = "rulings"
    __label__ = "رأی"
    __field_labels__ = {
        "state": "وضعیت",
        "served_on": "تاریخ ابلاغ",
        "appeal_deadline": "مهلت اعتراض",
        "fine_status": "وضعیت پرداخت جریمه",
        "fine_paid_on": "تاریخ پرداخت",
        "penalty": "مجازات",
        "suspension_until": "تعلیق تا",
        "suspension_days": "روزهای تعلیق",
        "fine_amount": "مبلغ جریمه",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    ruled_on: Mapped[date] = mapped_column(index=True)
    penalty: Mapped[PenaltyKind] = mapped_column(enum_type(PenaltyKind))
    suspension_days: Mapped[int | None]
    suspension_until: Mapped[date | None]
    fine_amount: Mapped[int | None] = mapped_column(BigInteger)
    fine_status: Mapped[FineStatus | None] = mapped_column(enum_type(FineStatus))
    fine_paid_on: Mapped[date | None]
    violations_found: Mapped[list] = mapped_column(JSON)  # violation type codes
    legal_basis: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text)
    state: Mapped[RulingState] = mapped_column(enum_type(RulingState), default=RulingState.ISSUED)
    served_on: Mapped[date | None]
    appeal_deadline: Mapped[date | None]
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("rulings.id"))

    case: Mapped[Case] = relationship(back_populates="rulings", foreign_keys=[case_id])
    session: Mapped[CommitteeSession | None] = relationship()
    replaces: Mapped[Ruling | None] = relationship(remote_side=[id])
    appeals: Mapped[list[Appeal]] = relationship(back_populates="ruling", foreign_keys="Appeal.ruling_id")

    @property
    def penalty_text(self) -> str:
        return penalty_text(self.penalty, self.suspension_days, self.fine_amount)

    @property
    def acts_on_licence(self) -> bool:
        return self.penalty in LICENCE_PENALTIES

    def __repr__(self) -> str:
        return f"<Ruling {self.number} {self.penalty}>"


class Vote(Base):
    __tablename__ = "committee_votes"
    __label__ = "رأی عضو"
    __table_args__ = (UniqueConstraint("session_id", "case_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"))
    choice: Mapped[VoteChoice] = mapped_column(enum_type(VoteChoice))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CommitteeSession] = relationship(back_populates="votes")
    member: Mapped[CommitteeMember] = relationship()

    def __repr__(self) -> str:
        return f"<Vote {self.case_id}:{self.member_id} {self.choice}>"


class Appeal(TimestampMixin, Base):
    """An appeal against a served ruling, filed within the window; its outcome confirms or
    replaces it."""

    __tablename__ = "appeals"
    __label__ = "اعتراض به رأی"

    id: Mapped[int] = mapped_column(primary_key=True)
    ruling_id: Mapped[int] = mapped_column(ForeignKey("rulings.id"), index=True)
    filed_on: Mapped[date]
    grounds: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date | None]
    outcome: Mapped[AppealOutcome | None] = mapped_column(enum_type(AppealOutcome))
    decision_reasoning: Mapped[str | None] = mapped_column(Text)
    new_ruling_id: Mapped[int | None] = mapped_column(ForeignKey("rulings.id"))

    ruling: Mapped[Ruling] = relationship(back_populates="appeals", foreign_keys=[ruling_id])
    new_ruling: Mapped[Ruling | None] = relationship(foreign_keys=[new_ruling_id])

    def __repr__(self) -> str:
        return f"<Appeal {self.ruling_id} {self.outcome}>"


class SessionCorrection(Base):
    """After a session is closed its records are fixed; a correction is a new, audited entry."""

    __tablename__ = "committee_corrections"
    __label__ = "اصلاحیه صورتجلسه"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[CommitteeSession] = relationship(back_populates="corrections")
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SessionCorrection {self.session_id}>"
