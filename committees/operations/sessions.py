"""Committee sessions: scheduling, the agenda, attendance (one person per seat), quorum,
recusals, votes and their tally, closing the session and correcting closed minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from committees.models import (
    Attendance,
    Case,
    CaseState,
    CommitteeMember,
    CommitteeSession,
    ConflictAnswer,
    ConflictFlag,
    Recusal,
    Ruling,
    SessionCase,
    SessionCorrection,
    Vote,
    VoteChoice,
)
from committees.operations._common import LIMITS, insert_unique, optional_text, required_text
from committees.operations.conflicts import member_link
from committees.operations.members import member_for_user, seat_of
from core.args import MAX_ID
from core.audit import because
from core.calendar import deadline_from
from core.clock import today_tehran, utcnow
from core.counters import next_value
from core.db import actor_id
from core.errors import DomainError
from core.events import announce
from core.extensions import db
from core.periods import jalali_year_of
from core.persian import format_jalali, normalize_for_search, to_persian_digits
from core.settings import get_setting

CLOSED_MESSAGE = "این جلسه بسته شده و سوابق آن دیگر ویرایش نمی‌شود؛ برای اصلاح، اصلاحیه صورتجلسه ثبت کنید."


def _require_open(session: CommitteeSession) -> None:
    # Lock the session's row (PostgreSQL; SQLite already serialises writers): a vote or ruling
    # racing the closing of the session waits for it, then sees the session closed.
    db.session.refresh(session, with_for_update=True)
    if session.closed:
        raise DomainError(CLOSED_MESSAGE)


def schedule_session(held_on: date | None, *, place: str | None, actor) -> CommitteeSession:
    """Schedule a committee session, numbered within its Jalali year."""
    if held_on is None:
        raise DomainError("تاریخ جلسه را وارد کنید.", field="held_on")
    place = optional_text(place, "place", LIMITS["place"])
    year = jalali_year_of(held_on)
    session = CommitteeSession(
        number=f"{year}-{next_value(f'committee_session:{year}'):02d}", held_on=held_on, place=place
    )
    db.session.add(session)
    db.session.flush()
    return session


def open_agenda_item(case: Case) -> SessionCase | None:
    return db.session.scalar(
        select(SessionCase)
        .join(CommitteeSession)
        .where(SessionCase.case_id == case.id, CommitteeSession.closed.is_(False))
    )


def sessions_newest_first() -> Select:
    return select(CommitteeSession).order_by(CommitteeSession.held_on.desc(), CommitteeSession.id.desc())


def find_hearing(session_id: int, case_id: int) -> tuple[CommitteeSession, Case] | None:
    """A session and a case on its agenda, by their ids; None if either is missing or the case is
    not on that session's agenda."""
    if not (0 < session_id <= MAX_ID and 0 < case_id <= MAX_ID):
        return None
    session = db.session.get(CommitteeSession, session_id)
    case = db.session.get(Case, case_id)
    if session is None or case is None or all(item.case_id != case.id for item in session.agenda):
        return None
    return session, case


def _agenda_item(session: CommitteeSession, case: Case) -> SessionCase:
    item = next((i for i in session.agenda if i.case_id == case.id), None)
    if item is None:
        raise DomainError("این پرونده در دستور این جلسه نیست.")
    return item


def ready_cases() -> list[Case]:
    """Cases ready for hearing and not yet on an open session's agenda."""
    on_agenda = select(SessionCase.case_id).join(CommitteeSession).where(CommitteeSession.closed.is_(False))
    return list(
        db.session.scalars(
            select(Case)
            .options(joinedload(Case.site))
            .where(Case.state == CaseState.READY, Case.id.not_in(on_agenda))
            .order_by(Case.opened_on)
        )
    )


def _require_summons_notice(session: CommitteeSession) -> None:
    """A session ahead must leave the summons its notice period (working days); a session held
    today or entered after the fact is not summoned from here."""
    today = today_tehran()
    if session.held_on <= today:
        return
    earliest = deadline_from(today, "committee.summons_notice_days")
    if session.held_on < earliest:
        days = to_persian_digits(get_setting("committee.summons_notice_days"))
        raise DomainError(
            f"احضاریه باید دست‌کم {days} روز کاری پیش از جلسه ابلاغ شود؛ این جلسه "
            f"({format_jalali(session.held_on)}) زودتر از {format_jalali(earliest)} است. "
            "پرونده را در دستور جلسه دیرتری بگذارید."
        )


def add_to_agenda(session: CommitteeSession, case: Case, *, actor) -> SessionCase:
    """Put a case that is ready for hearing on the session's agenda."""
    _require_open(session)
    if case.state != CaseState.READY:
        raise DomainError("فقط پرونده‌های «آماده رسیدگی» در دستور جلسه قرار می‌گیرند.")
    if any(item.case_id == case.id for item in session.agenda):
        raise DomainError("این پرونده در دستور همین جلسه است.")
    if open_agenda_item(case) is not None:
        raise DomainError("این پرونده در دستور جلسه باز دیگری است.")
    _require_summons_notice(session)
    position = max((i.position for i in session.agenda), default=0) + 1
    item = SessionCase(session_id=session.id, case_id=case.id, position=position)
    insert_unique(item, "این پرونده در دستور همین جلسه است.")
    db.session.expire(session, ["agenda"])
    announce("committee_summons", item, actor=actor)
    return item


def _case_records(session: CommitteeSession, case_id: int) -> bool:
    return (
        any(v.case_id == case_id for v in session.votes)
        or any(r.case_id == case_id for r in session.recusals)
        or db.session.scalar(
            select(Ruling.id).where(Ruling.session_id == session.id, Ruling.case_id == case_id)
        )
        is not None
    )


def remove_from_agenda(item: SessionCase, *, actor) -> None:
    """Take a case off the agenda (before anything was recorded on it in this session)."""
    session = item.session
    _require_open(session)
    if _case_records(session, item.case_id):
        raise DomainError("برای این پرونده در این جلسه رأی یا اعلام تعارض منافع ثبت شده است.")
    session.agenda.remove(item)
    db.session.flush()


def present_members(session: CommitteeSession) -> list[CommitteeMember]:
    return [a.member for a in session.attendance]


def set_attendance(session: CommitteeSession, member_ids: list[int], *, actor) -> list[CommitteeMember]:
    """Record who is present; one person per seat (the principal or one of their alternates)."""
    _require_open(session)
    wanted = set(member_ids)
    members = (
        db.session.scalars(select(CommitteeMember).where(CommitteeMember.id.in_(wanted))).all()
        if wanted
        else []
    )
    if len(members) != len(wanted):
        raise DomainError("عضو انتخاب‌شده یافت نشد.", field="member_ids")
    seats: dict[int, CommitteeMember] = {}
    for member in members:
        if not member.active:
            raise DomainError(f"«{member.full_name}» عضو فعال کمیته نیست.", field="member_ids")
        seat = seat_of(member)
        if seat.id in seats:
            raise DomainError(
                f"«{seats[seat.id].full_name}» و «{member.full_name}» هر دو نماینده "
                f"یک کرسی ({seat.organisation}) هستند؛ فقط یکی حاضر ثبت می‌شود.",
                field="member_ids",
            )
        seats[seat.id] = member
    for attendance in list(session.attendance):
        if attendance.member_id in wanted:
            continue
        if any(v.member_id == attendance.member_id for v in session.votes) or any(
            r.member_id == attendance.member_id for r in session.recusals
        ):
            raise DomainError(
                f"«{attendance.member.full_name}» در این جلسه رأی یا اعلام تعارض "
                "منافع دارد و حضورش را نمی‌توان برداشت.",
                field="member_ids",
            )
        session.attendance.remove(attendance)
    present = {a.member_id for a in session.attendance}
    db.session.flush()
    for member in sorted(members, key=lambda m: m.id):
        if member.id not in present:
            insert_unique(
                Attendance(session_id=session.id, member_id=member.id),
                f"حضور «{member.full_name}» هم‌زمان ثبت شده است؛ صفحه را دوباره باز کنید.",
                field_name="member_ids",
            )
    db.session.expire(session, ["attendance"])
    return present_members(session)


@dataclass
class QuorumReport:
    """Whether enough members, and the required organisations, are present (for a case: those
    not recused on it)."""

    present: int
    needed: int
    missing_organisations: list[str]
    organisations: list[str]

    @property
    def ok(self) -> bool:
        return self.present >= self.needed and not self.missing_organisations

    @property
    def message(self) -> str:
        if self.ok:
            return (
                f"حد نصاب برقرار است: {to_persian_digits(self.present)} عضو حاضر "
                f"(دست‌کم {to_persian_digits(self.needed)} عضو لازم است)."
            )
        parts = []
        if self.present < self.needed:
            parts.append(
                f"{to_persian_digits(self.present)} عضو حاضر است و دست‌کم "
                f"{to_persian_digits(self.needed)} عضو لازم است"
            )
        if self.missing_organisations:
            parts.append("نماینده «" + "»، «".join(self.missing_organisations) + "» حاضر نیست")
        return "حد نصاب برقرار نیست: " + "؛ ".join(parts) + "."


def check_quorum(session: CommitteeSession, case: Case | None = None) -> QuorumReport:
    """Quorum: at least committee.quorum_members seats present and every organisation of
    committee.required_organisations represented. An alternate fills their principal's seat and
    so represents the principal's organisation. Members recused on the case do not count."""
    recused = {r.member_id for r in session.recusals if case is not None and r.case_id == case.id}
    seats = {seat_of(m).id: seat_of(m) for m in present_members(session) if m.id not in recused}
    organisations = [s.organisation for s in seats.values()]
    folded = {normalize_for_search(o) for o in organisations}
    required = get_setting("committee.required_organisations") or []
    missing = [o for o in required if normalize_for_search(o) not in folded]
    return QuorumReport(
        present=len(seats),
        needed=get_setting("committee.quorum_members"),
        missing_organisations=missing,
        organisations=organisations,
    )


def require_quorum(session: CommitteeSession, case: Case | None = None) -> QuorumReport:
    report = check_quorum(session, case)
    if not report.ok:
        raise DomainError(report.message + " رأی‌گیری و صدور رأی ممکن نیست.")
    return report


def require_hearing(session: CommitteeSession, case: Case) -> None:
    _require_open(session)
    _agenda_item(session, case)
    if case.state != CaseState.READY:
        raise DomainError(f"پرونده در وضعیت «{case.state.label}» است و رأی‌گیری بر آن ممکن نیست.")


def _require_present(session: CommitteeSession, member: CommitteeMember) -> None:
    if member is None or all(a.member_id != member.id for a in session.attendance):
        raise DomainError("این عضو در فهرست حاضران جلسه نیست.", field="member_id")


def is_recused(session: CommitteeSession, case: Case, member: CommitteeMember) -> bool:
    return any(r.case_id == case.id and r.member_id == member.id for r in session.recusals)


def declare_recusal(
    session: CommitteeSession, case: Case, member: CommitteeMember, reason: str, *, actor
) -> Recusal:
    """A member declares a conflict of interest on a case: recorded, and barred from voting."""
    require_hearing(session, case)
    _require_present(session, member)
    reason = required_text(reason, "دلیل تعارض منافع را بنویسید.", "reason", LIMITS["text"])
    if is_recused(session, case, member):
        raise DomainError("تعارض منافع این عضو برای این پرونده پیش‌تر ثبت شده است.", field="member_id")
    if any(v.case_id == case.id and v.member_id == member.id for v in session.votes):
        raise DomainError(
            "این عضو بر این پرونده رأی داده است؛ تعارض منافع پیش از رأی‌گیری اعلام می‌شود.", field="member_id"
        )
    recusal = Recusal(session_id=session.id, case_id=case.id, member_id=member.id, reason=reason)
    insert_unique(recusal, "تعارض منافع این عضو برای این پرونده پیش‌تر ثبت شده است.", field_name="member_id")
    db.session.expire(session, ["recusals"])
    return recusal


def answer_conflict_flag(
    session: CommitteeSession,
    case: Case,
    member: CommitteeMember,
    answer: ConflictAnswer | str,
    note: str | None,
    *,
    actor,
) -> ConflictFlag:
    """A flagged member's answer before voting: recusal, or a reasoned 'this link is no conflict'."""
    require_hearing(session, case)
    _require_present(session, member)
    link = member_link(case, member)
    if link is None:
        raise DomainError("این عضو در سامانه با این دفتر پیوندی ندارد.", field="member_id")
    answer = ConflictAnswer(answer)
    note = optional_text(note, "note", LIMITS["text"])
    if answer == ConflictAnswer.NO_CONFLICT and not note:
        raise DomainError("بنویسید چرا این پیوند تعارض منافع نیست.", field="note")
    if answer == ConflictAnswer.RECUSED:
        declare_recusal(
            session, case, member, f"{member.full_name} {link}. {note or ''}".strip(), actor=actor
        )
    flag = ConflictFlag(
        session_id=session.id,
        case_id=case.id,
        member_id=member.id,
        link=link,
        answer=answer,
        answer_note=note,
        answered_at=utcnow(),
    )
    insert_unique(flag, "پاسخ این عضو پیش‌تر ثبت شده است.", field_name="member_id")
    db.session.expire(session, ["conflict_flags"])
    return flag


def record_vote(
    session: CommitteeSession, case: Case, member: CommitteeMember, choice: VoteChoice | str, *, actor
) -> Vote:
    """A present, non-recused member's vote on the proposed ruling for a case (with quorum). A vote
    can be changed until the ruling is recorded."""
    require_hearing(session, case)
    _require_present(session, member)
    try:
        choice = VoteChoice(choice)
    except ValueError as exc:
        raise DomainError("رأی باید موافق، مخالف یا ممتنع باشد.", field="choice") from exc
    if is_recused(session, case, member):
        raise DomainError(
            f"«{member.full_name}» در این پرونده تعارض منافع اعلام کرده و نمی‌تواند رأی دهد.",
            field="member_id",
        )
    link = member_link(case, member)
    if link and not any(f.case_id == case.id and f.member_id == member.id for f in session.conflict_flags):
        raise DomainError(
            f"«{member.full_name}» {link}؛ پیش از رأی باید از رأی کناره بگیرد یا نبود تعارض منافع را "
            "با دلیل اعلام کند.",
            field="member_id",
        )
    require_quorum(session, case)
    vote = next((v for v in session.votes if v.case_id == case.id and v.member_id == member.id), None)
    if vote is None:
        vote = Vote(session_id=session.id, case_id=case.id, member_id=member.id, choice=choice)
        insert_unique(
            vote,
            f"رأی «{member.full_name}» هم‌زمان ثبت شده است؛ صفحه را دوباره باز کنید.",
            field_name="member_id",
        )
        db.session.expire(session, ["votes"])
    else:
        vote.choice = choice
        vote.cast_at = utcnow()
        db.session.flush()
    return vote


class NotAMember(DomainError):
    """The user's account is linked to no committee member, so they have no vote of their own."""

    def __init__(self):
        super().__init__("حساب شما به هیچ عضوی از کمیته پیوند نخورده است.")


def record_own_vote(session: CommitteeSession, case: Case, user, choice: VoteChoice | str, *, actor) -> Vote:
    """A committee member casts their own vote: only an account linked to a member has one."""
    member = member_for_user(user)
    if member is None:
        raise NotAMember()
    return record_vote(session, case, member, choice, actor=actor)


@dataclass
class Tally:
    """The votes on a case: the ruling passes when more than half of the members present and not
    recused voted for it (abstaining or not voting counts as not for)."""

    eligible: int
    votes: dict[int, VoteChoice]

    def count(self, choice: VoteChoice) -> int:
        return sum(1 for c in self.votes.values() if c == choice)

    @property
    def for_(self) -> int:
        return self.count(VoteChoice.FOR)

    @property
    def against(self) -> int:
        return self.count(VoteChoice.AGAINST)

    @property
    def abstain(self) -> int:
        return self.count(VoteChoice.ABSTAIN)

    @property
    def not_voted(self) -> int:
        return self.eligible - len(self.votes)

    @property
    def needed(self) -> int:
        return self.eligible // 2 + 1

    @property
    def passes(self) -> bool:
        return self.eligible > 0 and self.for_ >= self.needed

    @property
    def text(self) -> str:
        return (
            f"موافق {to_persian_digits(self.for_)}، مخالف {to_persian_digits(self.against)}، "
            f"ممتنع {to_persian_digits(self.abstain)}، بدون رأی "
            f"{to_persian_digits(self.not_voted)} (از {to_persian_digits(self.eligible)} عضو "
            f"دارای حق رأی؛ دست‌کم {to_persian_digits(self.needed)} موافق لازم است)"
        )


def eligible_voters(session: CommitteeSession, case: Case) -> list[CommitteeMember]:
    return [m for m in present_members(session) if not is_recused(session, case, m)]


def vote_tally(session: CommitteeSession, case: Case) -> Tally:
    eligible = eligible_voters(session, case)
    ids = {m.id for m in eligible}
    votes = {v.member_id: v.choice for v in session.votes if v.case_id == case.id and v.member_id in ids}
    return Tally(eligible=len(eligible), votes=votes)


def close_session(session: CommitteeSession, *, actor) -> CommitteeSession:
    """Close the session: its attendance, recusals, votes and rulings are final from now on.
    Cases heard without a ruling stay ready for a later session."""
    _require_open(session)
    if not session.agenda:
        raise DomainError("دستور جلسه خالی است.")
    if not session.attendance:
        raise DomainError("حاضران جلسه ثبت نشده‌اند.")
    session.closed = True
    session.closed_at = utcnow()
    db.session.flush()
    return session


def add_correction(session: CommitteeSession, text: str, *, actor) -> SessionCorrection:
    """Correct the minutes of a closed session by a new, audited entry (the records stay)."""
    if not session.closed:
        raise DomainError("جلسه هنوز باز است؛ خود سوابق جلسه را ویرایش کنید.")
    text = required_text(text, "متن اصلاحیه را بنویسید.", "text", LIMITS["text"])
    with because(text):
        correction = SessionCorrection(session=session, text=text, recorded_by_id=actor_id(actor))
        db.session.add(correction)
        db.session.flush()
    return correction
