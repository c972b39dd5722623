"""Business rules of the violations committee: the catalogue and its ladders, cases, members,
sessions with quorum, recusals and votes, rulings that act on the licence, service, appeals,
finality and corrections of closed minutes.

When a ruling acts: a ruling is *issued* in a session and *acts on the licence when it is
served* (ابلاغ) on the office: a suspension runs from the day of service for its number of days
(the last day is `suspension_until`; `flask licensing daily` restores the licence the day after),
a revocation takes effect on the day of service. An appeal does not stay it. If the appeal
replaces the ruling, the licence is brought to what the new ruling says as of the decision day
(see decide_appeal). A fine is recorded unpaid at issue and marked paid once served.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from committees.models import (
    LICENCE_PENALTIES,
    PENALTY_ORDER,
    TRANSITIONS,
    Appeal,
    AppealOutcome,
    Attendance,
    Case,
    CaseEvidence,
    CaseSource,
    CaseState,
    CaseViolation,
    CommitteeMember,
    CommitteeSession,
    FineStatus,
    PenaltyKind,
    Recusal,
    Ruling,
    RulingState,
    SessionCase,
    SessionCorrection,
    Severity,
    ViolationType,
    Vote,
    VoteChoice,
    penalty_text,
)
from core.audit import because
from core.clock import today_tehran, utcnow
from core.counters import next_value
from core.db import actor_id
from core.errors import DomainError
from core.extensions import db
from core.persian import (
    clean_text,
    format_jalali,
    format_number,
    isolate_code,
    jalali,
    normalize_for_search,
    search_terms,
    to_persian_digits,
)
from core.settings import get_setting
from licensing import operations as licensing_ops
from licensing.models import Licence, LicenceStatus
from registry import operations as registry_ops
from registry.models import Site, SiteStatus

# Sanity bounds on what an admin or the secretary types (not regulations: those are settings and
# the catalogue). A longer suspension is a typo: revocation is the ladder's step for that.
MAX_SUSPENSION_DAYS = 3650
MAX_LOOKBACK_DAYS = 3650
MAX_FINE_RIALS = 10**13
MAX_LADDER_STEPS = 6
LADDER_PENALTIES = (
    PenaltyKind.WRITTEN_WARNING,
    PenaltyKind.FILED_NOTICE,
    PenaltyKind.FINE,
    PenaltyKind.SUSPENSION,
    PenaltyKind.REVOCATION,
)
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,19}$")
LIMITS = {
    "title": 200,
    "full_name": 150,
    "organisation": 200,
    "title_member": 150,
    "complainant": 200,
    "place": 200,
    "text": 4000,
}


def _insert_unique(row, message: str, *, field_name: str | None = None) -> None:
    """Insert a row a unique constraint guards: a duplicate that a concurrent request inserted
    first is refused in Persian instead of failing the whole request."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise DomainError(message, field=field_name) from exc


def _year(day: date) -> int:
    return jalali(day).year


def _required(value: str | None, message: str, field_name: str, limit: int | None = None) -> str:
    value = clean_text(value)
    if not value:
        raise DomainError(message, field=field_name)
    if limit and len(value) > limit:
        raise DomainError(f"این فیلد حداکثر {format_number(limit)} نویسه است.", field=field_name)
    return value


def _optional(value: str | None, field_name: str, limit: int) -> str | None:
    value = clean_text(value)
    if len(value) > limit:
        raise DomainError(f"این فیلد حداکثر {format_number(limit)} نویسه است.", field=field_name)
    return value or None


def _not_future(day: date | None, today: date | None, label: str, field_name: str) -> date:
    if day is None:
        raise DomainError(f"{label} را وارد کنید.", field=field_name)
    if day > (today or today_tehran()):
        raise DomainError(f"{label} نمی‌تواند پس از امروز باشد.", field=field_name)
    return day


# ---------------------------------------------------------------- the catalogue


def normalise_ladder(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a penalty ladder and return it in its stored form; Persian message on the first fault.

    Each step: {"penalty": kind} plus "days" for a suspension and "amount" (rials) for a fine.
    """
    ladder = []
    for position, step in enumerate(steps, 1):
        raw = step.get("penalty")
        if not raw:
            continue
        where = f"پله {to_persian_digits(position)}"
        try:
            penalty = PenaltyKind(raw)
        except ValueError as exc:
            raise DomainError(f"{where}: نوع مجازات معتبر نیست.", field="ladder") from exc
        if penalty not in LADDER_PENALTIES:
            raise DomainError(f"{where}: «{penalty.label}» در پلکان مجازات نمی‌آید.", field="ladder")
        if ladder and ladder[-1]["penalty"] == PenaltyKind.REVOCATION.value:
            raise DomainError("لغو پروانه باید آخرین پله باشد.", field="ladder")
        entry: dict[str, Any] = {"penalty": penalty.value}
        if penalty == PenaltyKind.SUSPENSION:
            days = step.get("days")
            if not days or not 1 <= int(days) <= MAX_SUSPENSION_DAYS:
                raise DomainError(
                    f"{where}: روزهای تعلیق را (از ۱ تا {format_number(MAX_SUSPENSION_DAYS)}) وارد کنید.",
                    field="ladder",
                )
            entry["days"] = int(days)
        if penalty == PenaltyKind.FINE:
            amount = step.get("amount")
            if not amount or not 1 <= int(amount) <= MAX_FINE_RIALS:
                raise DomainError(f"{where}: مبلغ جریمه را به ریال وارد کنید.", field="ladder")
            entry["amount"] = int(amount)
        ladder.append(entry)
    if not ladder:
        raise DomainError("دست‌کم یک پله برای پلکان مجازات وارد کنید.", field="ladder")
    if len(ladder) > MAX_LADDER_STEPS:
        raise DomainError(
            f"پلکان مجازات حداکثر {to_persian_digits(MAX_LADDER_STEPS)} پله دارد.", field="ladder"
        )
    return ladder


def save_violation_type(
    violation_type: ViolationType | None, data: dict[str, Any], *, actor
) -> ViolationType:
    """Add a violation type to the catalogue or change one (its code is fixed once created)."""
    if violation_type is None:
        code = normalize_for_search(data.get("code")).replace(" ", "").upper()
        if not code:
            raise DomainError("کد تخلف را وارد کنید.", field="code")
        if not _CODE_RE.match(code):
            raise DomainError("کد تخلف فقط حروف لاتین بزرگ، رقم و خط تیره است (مثلاً V11).", field="code")
        if db.session.scalar(select(ViolationType).where(ViolationType.code == code)):
            raise DomainError("تخلفی با این کد پیش‌تر ثبت شده است.", field="code")
    title = _required(data.get("title"), "عنوان تخلف را وارد کنید.", "title", LIMITS["title"])
    clash = db.session.scalar(select(ViolationType).where(ViolationType.title == title))
    if clash is not None and clash is not violation_type:
        raise DomainError("تخلفی با همین عنوان در فهرست هست.", field="title")
    try:
        severity = Severity(data.get("severity"))
    except ValueError as exc:
        raise DomainError("شدت تخلف را انتخاب کنید.", field="severity") from exc
    lookback = data.get("lookback_days")
    if lookback is None or not 1 <= int(lookback) <= MAX_LOOKBACK_DAYS:
        raise DomainError(
            f"دوره بازنگری سوابق باید از ۱ تا {format_number(MAX_LOOKBACK_DAYS)} روز باشد.",
            field="lookback_days",
        )
    values = {
        "title": title,
        "description": _optional(data.get("description"), "description", LIMITS["text"]),
        "severity": severity,
        "lookback_days": int(lookback),
        "legal_basis": _optional(data.get("legal_basis"), "legal_basis", LIMITS["text"]),
        "active": bool(data.get("active", True)),
        "ladder": normalise_ladder(data.get("ladder") or []),
    }
    if violation_type is None:
        violation_type = ViolationType(code=code, **values)
        _insert_unique(violation_type, "تخلفی با این کد پیش‌تر ثبت شده است.", field_name="code")
    else:
        for key, value in values.items():
            setattr(violation_type, key, value)
    db.session.flush()
    return violation_type


def active_violation_types() -> list[ViolationType]:
    return list(
        db.session.scalars(
            select(ViolationType).where(ViolationType.active.is_(True)).order_by(ViolationType.code)
        )
    )


# ---------------------------------------------------------------- cases


@dataclass
class EvidenceItem:
    """Evidence attached when a case is opened: a visit, one of its photos, or a stored file."""

    kind: str  # "visit", "photo" or "document"
    description: str
    reference: str | None = None  # visit uuid, photo sha256
    filename: str | None = None
    content_type: str | None = None
    storage_key: str | None = None


def current_licence(site: Site) -> Licence | None:
    """The office's licence in force (active or suspended), if any."""
    return db.session.scalar(
        select(Licence)
        .where(
            Licence.site_id == site.id, Licence.status.in_([LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED])
        )
        .order_by(Licence.issued_on.desc())
    )


def find_office(code: str | None) -> Site | None:
    """An office by its code (any digits, spaces ignored)."""
    wanted = registry_ops.normalise_code(code)
    if not wanted:
        return None
    return db.session.scalar(select(Site).where(Site.code == wanted))


def open_case(
    site: Site,
    *,
    source: CaseSource | str,
    summary: str,
    offence_on: date,
    violation_type_ids: list[int],
    actor,
    complainant: str | None = None,
    visit_uuid: str | None = None,
    evidence: list[EvidenceItem] = (),
    opened_on: date | None = None,
) -> Case:
    """Open a case against an office from an inspection's referral, a complaint, or by hand."""
    source = CaseSource(source)
    if site is None:
        raise DomainError("دفتری با این کد یافت نشد.", field="office_code")
    if not site.kind.is_office:
        raise DomainError(
            "پرونده تخلف فقط برای دفاتر پیشخوان و ICT روستایی تشکیل می‌شود؛ برای "
            "خودپرداز و باجه، دفتر میزبان را وارد کنید.",
            field="office_code",
        )
    summary = _required(summary, "شرح پرونده را بنویسید.", "summary", LIMITS["text"])
    if not violation_type_ids:
        raise DomainError("دست‌کم یک تخلف را انتخاب کنید.", field="violation_type_ids")
    types = db.session.scalars(
        select(ViolationType)
        .where(ViolationType.id.in_(violation_type_ids), ViolationType.active.is_(True))
        .order_by(ViolationType.code)
    ).all()
    if len(types) != len(set(violation_type_ids)):
        raise DomainError("تخلف انتخاب‌شده در فهرست تخلفات نیست.", field="violation_type_ids")
    complainant = _optional(complainant, "complainant", LIMITS["complainant"])
    if source == CaseSource.COMPLAINT and not complainant:
        raise DomainError("نام شاکی را وارد کنید.", field="complainant")
    opened_on = opened_on or today_tehran()
    if offence_on is None:
        raise DomainError("تاریخ تخلف را وارد کنید.", field="offence_on")
    if offence_on > opened_on:
        raise DomainError("تاریخ تخلف نمی‌تواند پس از تاریخ تشکیل پرونده باشد.", field="offence_on")
    year = _year(opened_on)
    licence = current_licence(site)
    case = Case(
        number=f"{year}-{next_value(f'case:{year}'):04d}",
        site=site,
        licence=licence,
        source=source,
        state=CaseState.OPEN,
        opened_on=opened_on,
        offence_on=offence_on,
        summary=summary,
        complainant=complainant,
        visit_uuid=visit_uuid,
    )
    db.session.add(case)
    for violation_type in types:
        case.violations.append(CaseViolation(violation_type=violation_type))
    for item in evidence:
        case.evidence.append(
            CaseEvidence(
                kind=item.kind,
                description=clean_text(item.description),
                reference=item.reference,
                filename=item.filename,
                content_type=item.content_type,
                storage_key=item.storage_key,
            )
        )
    db.session.flush()
    return case


def transition_case(
    case: Case, to_state: CaseState | str, *, actor, note: str | None = None, today: date | None = None
) -> Case:
    """Move a case one step along its workflow; an illegal step is refused in Persian."""
    to_state = CaseState(to_state)
    from_state = case.state
    if to_state not in TRANSITIONS[from_state]:
        raise DomainError(
            f"پرونده در وضعیت «{from_state.label}» است و نمی‌توان آن را به «{to_state.label}» برد."
        )
    if to_state == CaseState.READY:
        _require_ready(case, today or today_tehran())
    if from_state == CaseState.READY and to_state != CaseState.RULED:
        on_agenda = _open_agenda_item(case)
        if on_agenda is not None:
            raise DomainError(
                f"پرونده در دستور جلسه {isolate_code(on_agenda.session.number)}"
                " است؛ نخست آن را از دستور جلسه بردارید."
            )
    if to_state == CaseState.CLOSED and from_state != CaseState.RULED:
        case.closed_reason = _required(note, "دلیل مختومه شدن پرونده را بنویسید.", "reason", LIMITS["text"])
    elif to_state == CaseState.CLOSED:
        case.closed_reason = clean_text(note) or None
    case.state = to_state
    db.session.flush()
    return case


def defence_deadline(case: Case) -> date | None:
    """The last day the office may hand in its written defence."""
    if case.defence_requested_on is None:
        return None
    return case.defence_requested_on + timedelta(days=get_setting("committee.defence_days"))


def request_defence(case: Case, *, requested_on: date | None, actor, today: date | None = None) -> Case:
    """Ask the office's manager for a written defence; the case waits for it."""
    requested_on = _not_future(requested_on, today, "تاریخ درخواست دفاعیه", "requested_on")
    if requested_on < case.opened_on:
        raise DomainError("درخواست دفاعیه نمی‌تواند پیش از تشکیل پرونده باشد.", field="requested_on")
    transition_case(case, CaseState.AWAITING_DEFENCE, actor=actor)
    case.defence_requested_on = requested_on
    db.session.flush()
    return case


def record_defence(
    case: Case, *, text: str, received_on: date | None, actor, today: date | None = None
) -> Case:
    """The office's written defence and the day it was received."""
    if case.state not in (CaseState.AWAITING_DEFENCE, CaseState.READY):
        raise DomainError("دفاعیه فقط پس از درخواست آن و پیش از صدور رأی ثبت می‌شود.")
    text = _required(text, "متن دفاعیه را بنویسید.", "defence_text", LIMITS["text"])
    received_on = _not_future(received_on, today, "تاریخ دریافت دفاعیه", "defence_on")
    if received_on < case.defence_requested_on:
        raise DomainError("تاریخ دریافت دفاعیه پیش از درخواست آن است.", field="defence_on")
    case.defence_text = text
    case.defence_on = received_on
    db.session.flush()
    return case


def _require_ready(case: Case, today: date) -> None:
    if case.defence_on is not None:
        return
    deadline = defence_deadline(case)
    if deadline is None:
        raise DomainError("پیش از رسیدگی باید از دفتر دفاعیه خواسته شود.")
    if today <= deadline:
        raise DomainError(f"دفاعیه دفتر هنوز نرسیده و مهلت آن تا {format_jalali(deadline)} است.")


def mark_ready(case: Case, *, actor, today: date | None = None) -> Case:
    """The defence is in (or its window has passed): the case can go on a session's agenda."""
    return transition_case(case, CaseState.READY, actor=actor, today=today)


def close_case(case: Case, reason: str, *, actor) -> Case:
    """Close a case without a ruling (complaint withdrawn, no violation to hear)."""
    return transition_case(case, CaseState.CLOSED, actor=actor, note=reason)


def add_evidence_document(
    case: Case, *, filename: str, content: bytes, description: str, actor
) -> CaseEvidence:
    """Attach a document (PDF, JPEG or PNG, checked by its content) to the case's evidence."""
    if case.state == CaseState.CLOSED:
        raise DomainError("به پرونده مختومه نمی‌توان مدرک افزود.", field="file")
    description = _required(description, "شرح مدرک را بنویسید.", "description", 500)
    limit_mb = get_setting("licensing.document_max_mb")
    if not content:
        raise DomainError("فایل خالی است.", field="file")
    if len(content) > limit_mb * 1024 * 1024:
        raise DomainError(f"حجم فایل بیش از {to_persian_digits(limit_mb)} مگابایت است.", field="file")
    sniffed = licensing_ops.sniff_type(content[:8])
    if sniffed is None:
        raise DomainError(
            "فقط فایل PDF، JPEG یا PNG پذیرفته می‌شود (نوع فایل از محتوای آن تشخیص داده شد).", field="file"
        )
    content_type, extension = sniffed
    storage_key = f"{hashlib.sha256(content).hexdigest()}{extension}"
    target = licensing_ops.upload_directory() / storage_key
    if not target.exists():
        target.write_bytes(content)
    evidence = CaseEvidence(
        case=case,
        kind="document",
        description=description,
        filename=clean_text(Path(filename or "file").name)[:255] or "file",
        content_type=content_type,
        storage_key=storage_key,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def evidence_path(evidence: CaseEvidence) -> Path | None:
    if not evidence.storage_key:
        return None
    return licensing_ops.upload_directory() / evidence.storage_key


def search_cases(
    *, state: str | None = None, source: str | None = None, county_id: int | None = None, q: str | None = None
) -> Select:
    """Cases matching the filters; every word of q must appear in the office's name or code, or
    in the case number."""
    stmt = select(Case).join(Site, Case.site).options(contains_eager(Case.site))
    if state:
        stmt = stmt.where(Case.state == CaseState(state))
    if source:
        stmt = stmt.where(Case.source == CaseSource(source))
    if county_id:
        stmt = stmt.where(Site.county_id == county_id)
    for term in search_terms(q):
        stmt = stmt.where(
            or_(Site.name_norm.contains(term, autoescape=True), Case.number.contains(term, autoescape=True))
        )
    return stmt.order_by(Case.opened_on.desc(), Case.id.desc())


# ---------------------------------------------------------------- earlier rulings and the ladder


def earlier_rulings(site: Site, *, exclude_case: Case | None = None) -> list[Ruling]:
    """The office's rulings in other cases, newest first (replaced ones included, marked)."""
    stmt = (
        select(Ruling)
        .join(Case, Ruling.case)
        .where(Case.site_id == site.id)
        .order_by(Ruling.ruled_on.desc(), Ruling.id.desc())
    )
    if exclude_case is not None:
        stmt = stmt.where(Case.id != exclude_case.id)
    return list(db.session.scalars(stmt))


@dataclass
class Suggestion:
    """The ladder's penalty for this offence count: a suggestion, the committee decides."""

    violation_type: ViolationType
    offence_number: int  # 1 for a first offence within the look-back
    penalty: PenaltyKind
    days: int | None = None
    amount: int | None = None
    counted: list[Ruling] = field(default_factory=list)  # the earlier rulings counted

    @property
    def text(self) -> str:
        return penalty_text(self.penalty, self.days, self.amount)

    @property
    def rank(self) -> tuple[int, int]:
        return PENALTY_ORDER.index(self.penalty), self.days or self.amount or 0


def suggest_penalty(case: Case, violation_type: ViolationType) -> Suggestion:
    """The ladder step for this offence: count the office's earlier rulings that found this
    violation for an offence within lookback_days before this case's offence (replaced rulings
    do not count; the ruling that replaced one does)."""
    since = case.offence_on - timedelta(days=violation_type.lookback_days)
    counted = [
        ruling
        for ruling in earlier_rulings(case.site, exclude_case=case)
        if ruling.state != RulingState.REPLACED
        and violation_type.code in (ruling.violations_found or [])
        and since <= ruling.case.offence_on <= case.offence_on
    ]
    ladder = violation_type.ladder or [{"penalty": PenaltyKind.WRITTEN_WARNING.value}]
    step = ladder[min(len(counted), len(ladder) - 1)]
    return Suggestion(
        violation_type=violation_type,
        offence_number=len(counted) + 1,
        penalty=PenaltyKind(step["penalty"]),
        days=step.get("days"),
        amount=step.get("amount"),
        counted=counted,
    )


def case_suggestions(case: Case) -> list[Suggestion]:
    return [suggest_penalty(case, v.violation_type) for v in case.violations]


def strongest_suggestion(case: Case) -> Suggestion | None:
    """The harshest of the case's suggestions (what the ruling form starts from)."""
    suggestions = case_suggestions(case)
    return max(suggestions, key=lambda s: s.rank) if suggestions else None


# ---------------------------------------------------------------- members


def seat_of(member: CommitteeMember) -> CommitteeMember:
    """The seat a member fills: an alternate stands in for their principal."""
    return member.alternate_for if member.alternate_for_id else member


def save_member(member: CommitteeMember | None, data: dict[str, Any], *, actor) -> CommitteeMember:
    """Add or change a committee member: the organisation they represent, and whom they stand in
    for if they are an alternate (علی‌البدل)."""
    from accounts.models import User

    full_name = _required(data.get("full_name"), "نام عضو را وارد کنید.", "full_name", LIMITS["full_name"])
    title = _optional(data.get("title"), "title", LIMITS["title_member"])
    organisation = _optional(data.get("organisation"), "organisation", LIMITS["organisation"])
    principal = None
    if data.get("alternate_for_id"):
        principal = db.session.get(CommitteeMember, data["alternate_for_id"])
        if principal is None or principal is member:
            raise DomainError("عضو اصلی انتخاب‌شده معتبر نیست.", field="alternate_for_id")
        if principal.alternate_for_id:
            raise DomainError(
                "عضو علی‌البدل نمی‌تواند جانشین عضو علی‌البدل دیگری باشد.", field="alternate_for_id"
            )
        if member is not None and _alternates_of(member):
            raise DomainError(
                "این عضو خود علی‌البدل دارد و نمی‌تواند علی‌البدل عضو دیگری باشد.", field="alternate_for_id"
            )
        if organisation and normalize_for_search(organisation) != normalize_for_search(
            principal.organisation
        ):
            raise DomainError(
                "عضو علی‌البدل نماینده همان سازمانِ عضو اصلی است؛ سازمان را خالی بگذارید یا همان را بنویسید.",
                field="organisation",
            )
        organisation = principal.organisation
    if not organisation:
        raise DomainError("سازمانی را که عضو نماینده آن است وارد کنید.", field="organisation")
    user = None
    if data.get("user_id"):
        user = db.session.get(User, data["user_id"])
        if user is None:
            raise DomainError("کاربر انتخاب‌شده یافت نشد.", field="user_id")
        linked = db.session.scalar(select(CommitteeMember).where(CommitteeMember.user_id == user.id))
        if linked is not None and linked is not member:
            raise DomainError(
                f"این کاربر پیش‌تر به عضو «{linked.full_name}» پیوند خورده است.", field="user_id"
            )
    values = {
        "full_name": full_name,
        "title": title,
        "organisation": organisation,
        "user_id": user.id if user else None,
        "alternate_for": principal,
        "active": bool(data.get("active", True)),
    }
    if member is None:
        member = CommitteeMember(**values)
        _insert_unique(member, "این کاربر پیش‌تر به عضو دیگری پیوند خورده است.", field_name="user_id")
    else:
        for key, value in values.items():
            setattr(member, key, value)
    db.session.flush()
    return member


def _alternates_of(member: CommitteeMember) -> list[CommitteeMember]:
    return list(
        db.session.scalars(select(CommitteeMember).where(CommitteeMember.alternate_for_id == member.id))
    )


def members_in_order() -> list[CommitteeMember]:
    """Principals, each followed by their alternates."""
    members = db.session.scalars(select(CommitteeMember).order_by(CommitteeMember.id)).all()
    principals = [m for m in members if not m.alternate_for_id]
    ordered = []
    for principal in principals:
        ordered.append(principal)
        ordered.extend(m for m in members if m.alternate_for_id == principal.id)
    return ordered


def member_for_user(user) -> CommitteeMember | None:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(CommitteeMember).where(CommitteeMember.user_id == user.id))


# ---------------------------------------------------------------- sessions


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
    place = _optional(place, "place", LIMITS["place"])
    year = _year(held_on)
    session = CommitteeSession(
        number=f"{year}-{next_value(f'committee_session:{year}'):02d}", held_on=held_on, place=place
    )
    db.session.add(session)
    db.session.flush()
    return session


def _open_agenda_item(case: Case) -> SessionCase | None:
    return db.session.scalar(
        select(SessionCase)
        .join(CommitteeSession)
        .where(SessionCase.case_id == case.id, CommitteeSession.closed.is_(False))
    )


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


def add_to_agenda(session: CommitteeSession, case: Case, *, actor) -> SessionCase:
    """Put a case that is ready for hearing on the session's agenda."""
    _require_open(session)
    if case.state != CaseState.READY:
        raise DomainError("فقط پرونده‌های «آماده رسیدگی» در دستور جلسه قرار می‌گیرند.")
    if any(item.case_id == case.id for item in session.agenda):
        raise DomainError("این پرونده در دستور همین جلسه است.")
    if _open_agenda_item(case) is not None:
        raise DomainError("این پرونده در دستور جلسه باز دیگری است.")
    position = max((i.position for i in session.agenda), default=0) + 1
    item = SessionCase(session_id=session.id, case_id=case.id, position=position)
    _insert_unique(item, "این پرونده در دستور همین جلسه است.")
    db.session.expire(session, ["agenda"])
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
            _insert_unique(
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


def _require_hearing(session: CommitteeSession, case: Case) -> None:
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
    _require_hearing(session, case)
    _require_present(session, member)
    reason = _required(reason, "دلیل تعارض منافع را بنویسید.", "reason", LIMITS["text"])
    if is_recused(session, case, member):
        raise DomainError("تعارض منافع این عضو برای این پرونده پیش‌تر ثبت شده است.", field="member_id")
    if any(v.case_id == case.id and v.member_id == member.id for v in session.votes):
        raise DomainError(
            "این عضو بر این پرونده رأی داده است؛ تعارض منافع پیش از رأی‌گیری اعلام می‌شود.", field="member_id"
        )
    recusal = Recusal(session_id=session.id, case_id=case.id, member_id=member.id, reason=reason)
    _insert_unique(recusal, "تعارض منافع این عضو برای این پرونده پیش‌تر ثبت شده است.", field_name="member_id")
    db.session.expire(session, ["recusals"])
    return recusal


def record_vote(
    session: CommitteeSession, case: Case, member: CommitteeMember, choice: VoteChoice | str, *, actor
) -> Vote:
    """A present, non-recused member's vote on the proposed ruling for a case (with quorum). A vote
    can be changed until the ruling is recorded."""
    _require_hearing(session, case)
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
    require_quorum(session, case)
    vote = next((v for v in session.votes if v.case_id == case.id and v.member_id == member.id), None)
    if vote is None:
        vote = Vote(session_id=session.id, case_id=case.id, member_id=member.id, choice=choice)
        _insert_unique(
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


def _ruling_values(case: Case, data: dict[str, Any], *, licence_in_force: bool = True) -> dict[str, Any]:
    """Check what a ruling says against the case; the values to store."""
    try:
        penalty = PenaltyKind(data.get("penalty"))
    except ValueError as exc:
        raise DomainError("مجازات را انتخاب کنید.", field="penalty") from exc
    case_codes = [v.violation_type.code for v in case.violations]
    found = list(dict.fromkeys(data.get("violations_found") or []))
    unknown = [c for c in found if c not in case_codes]
    if unknown:
        raise DomainError("تخلف احرازشده باید از تخلفات همین پرونده باشد.", field="violations_found")
    if penalty == PenaltyKind.ACQUITTAL and found:
        raise DomainError(
            "در رأی برائت تخلفی احراز نمی‌شود؛ تخلفات احرازشده را خالی بگذارید.", field="violations_found"
        )
    if penalty != PenaltyKind.ACQUITTAL and not found:
        raise DomainError("تخلف‌های احرازشده را انتخاب کنید.", field="violations_found")
    days = data.get("suspension_days")
    amount = data.get("fine_amount")
    if penalty == PenaltyKind.SUSPENSION:
        if not days or not 1 <= int(days) <= MAX_SUSPENSION_DAYS:
            raise DomainError(
                f"روزهای تعلیق را (از ۱ تا {format_number(MAX_SUSPENSION_DAYS)}) وارد کنید.",
                field="suspension_days",
            )
        days = int(days)
    else:
        days = None
    if penalty == PenaltyKind.FINE:
        if not amount or not 1 <= int(amount) <= MAX_FINE_RIALS:
            raise DomainError("مبلغ جریمه را به ریال وارد کنید.", field="fine_amount")
        amount = int(amount)
    else:
        amount = None
    legal_basis = _required(
        data.get("legal_basis"), "مستند قانونی رأی را بنویسید.", "legal_basis", LIMITS["text"]
    )
    reasoning = _required(data.get("reasoning"), "استدلال رأی را بنویسید.", "reasoning", LIMITS["text"])
    if licence_in_force and penalty in LICENCE_PENALTIES and current_licence(case.site) is None:
        raise DomainError("این دفتر پروانه معتبری ندارد؛ تعلیق یا لغو پروانه ممکن نیست.", field="penalty")
    return {
        "penalty": penalty,
        "violations_found": [c for c in case_codes if c in found],
        "suspension_days": days,
        "fine_amount": amount,
        "fine_status": FineStatus.UNPAID if amount else None,
        "legal_basis": legal_basis,
        "reasoning": reasoning,
    }


def _ruling_number(ruled_on: date) -> str:
    year = _year(ruled_on)
    return f"{year}-{next_value(f'ruling:{year}'):04d}"


def record_ruling(case: Case, session: CommitteeSession, data: dict[str, Any], *, actor) -> Ruling:
    """The committee's ruling on a case heard in the session: needs quorum (of members not
    recused) and more than half of those members voting for it."""
    _require_hearing(session, case)
    require_quorum(session, case)
    tally = vote_tally(session, case)
    if not tally.passes:
        raise DomainError(f"رأی اکثریت لازم را ندارد: {tally.text}.")
    values = _ruling_values(case, data)
    ruling = Ruling(
        number=_ruling_number(session.held_on),
        case=case,
        session=session,
        ruled_on=session.held_on,
        state=RulingState.ISSUED,
        **values,
    )
    db.session.add(ruling)
    transition_case(case, CaseState.RULED, actor=actor)
    db.session.flush()
    return ruling


def session_ruling(session: CommitteeSession, case: Case) -> Ruling | None:
    return db.session.scalar(select(Ruling).where(Ruling.session_id == session.id, Ruling.case_id == case.id))


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
    text = _required(text, "متن اصلاحیه را بنویسید.", "text", LIMITS["text"])
    with because(text):
        correction = SessionCorrection(session=session, text=text, recorded_by_id=actor_id(actor))
        db.session.add(correction)
        db.session.flush()
    return correction


# ---------------------------------------------------------------- service and effect on the licence


def _effect_reason(ruling: Ruling) -> str:
    return f"رأی شماره {ruling.number} کمیته رسیدگی به تخلفات (پرونده {ruling.case.number})"


def _suspension_until(start: date, days: int) -> date:
    return start + timedelta(days=days - 1)


def _apply_effect(ruling: Ruling, start: date, *, actor) -> None:
    """Carry out a suspension or revocation on the office's licence in force, from `start`."""
    if not ruling.acts_on_licence:
        return
    licence = current_licence(ruling.case.site)
    if licence is None:
        raise DomainError("این دفتر پروانه معتبری ندارد؛ رأی تعلیق یا لغو بر پروانه اجرا نمی‌شود.")
    if ruling.penalty == PenaltyKind.SUSPENSION:
        until = _suspension_until(start, ruling.suspension_days)
        if licence.status != LicenceStatus.ACTIVE:
            raise DomainError(
                f"پروانه {isolate_code(licence.number)} هم‌اکنون "
                f"«{licence.status.label}» است (تا "
                f"{format_jalali(licence.suspended_until)})؛ تعلیق تازه پس از "
                "پایان تعلیق کنونی ابلاغ شود."
            )
        licensing_ops.suspend_licence(
            licence, until=until, reason=_effect_reason(ruling), actor=actor, effective_on=start
        )
        ruling.suspension_until = until
    else:
        licensing_ops.revoke_licence(licence, reason=_effect_reason(ruling), actor=actor, effective_on=start)
    ruling.case.licence = licence


def serve_ruling(ruling: Ruling, served_on: date | None, *, actor, today: date | None = None) -> Ruling:
    """Record the day the ruling was served on the office: the appeal window opens and a
    suspension or revocation takes effect on the licence from that day."""
    if ruling.state != RulingState.ISSUED:
        raise DomainError(f"رأی در وضعیت «{ruling.state.label}» است و ابلاغ آن پیش‌تر ثبت شده است.")
    served_on = _not_future(served_on, today, "تاریخ ابلاغ", "served_on")
    if served_on < ruling.ruled_on:
        raise DomainError("تاریخ ابلاغ نمی‌تواند پیش از تاریخ صدور رأی باشد.", field="served_on")
    ruling.served_on = served_on
    ruling.appeal_deadline = served_on + timedelta(days=get_setting("committee.appeal_days"))
    ruling.state = RulingState.SERVED
    _apply_effect(ruling, served_on, actor=actor)
    db.session.flush()
    return ruling


def mark_fine_paid(ruling: Ruling, paid_on: date | None, *, actor, today: date | None = None) -> Ruling:
    """Record that the fine was paid."""
    if ruling.penalty != PenaltyKind.FINE:
        raise DomainError("این رأی جریمه نقدی ندارد.")
    if ruling.fine_status == FineStatus.PAID:
        raise DomainError("پرداخت این جریمه پیش‌تر ثبت شده است.")
    if ruling.state not in (RulingState.SERVED, RulingState.UNDER_APPEAL, RulingState.FINAL):
        raise DomainError(f"رأی «{ruling.state.label}» است و پرداخت جریمه آن ثبت نمی‌شود.")
    paid_on = _not_future(paid_on, today, "تاریخ پرداخت", "paid_on")
    if paid_on < ruling.served_on:
        raise DomainError("تاریخ پرداخت نمی‌تواند پیش از ابلاغ رأی باشد.", field="paid_on")
    ruling.fine_status = FineStatus.PAID
    ruling.fine_paid_on = paid_on
    db.session.flush()
    return ruling


def _close_ruled_case(ruling: Ruling, *, actor) -> None:
    case = ruling.case
    if case.state == CaseState.RULED:
        transition_case(case, CaseState.CLOSED, actor=actor, note=f"رأی شماره {ruling.number} قطعی شد.")


def finalise_rulings(today: date | None = None, *, actor=None) -> list[Ruling]:
    """Served rulings whose appeal window has passed without an appeal become final. Safe to run
    twice."""
    today = today or today_tehran()
    due = db.session.scalars(
        select(Ruling)
        .where(Ruling.state == RulingState.SERVED, Ruling.appeal_deadline < today)
        .order_by(Ruling.id)
    ).all()
    for ruling in due:
        ruling.state = RulingState.FINAL
        _close_ruled_case(ruling, actor=actor)
    db.session.flush()
    return list(due)


# ---------------------------------------------------------------- appeals


def file_appeal(
    ruling: Ruling, *, filed_on: date | None, grounds: str, actor, today: date | None = None
) -> Appeal:
    """An appeal by the office, recorded only within the window after service."""
    if ruling.state != RulingState.SERVED:
        raise DomainError(
            f"رأی در وضعیت «{ruling.state.label}» است؛ اعتراض فقط به رأی ابلاغ‌شده "
            "و پیش از قطعی شدن پذیرفته می‌شود.",
            field="filed_on",
        )
    filed_on = _not_future(filed_on, today, "تاریخ اعتراض", "filed_on")
    if filed_on < ruling.served_on:
        raise DomainError("تاریخ اعتراض نمی‌تواند پیش از ابلاغ رأی باشد.", field="filed_on")
    if filed_on > ruling.appeal_deadline:
        raise DomainError(
            f"مهلت اعتراض به این رأی در {format_jalali(ruling.appeal_deadline)} "
            "به پایان رسیده است؛ اعتراض پذیرفته نمی‌شود.",
            field="filed_on",
        )
    grounds = _required(grounds, "دلایل اعتراض را بنویسید.", "grounds", LIMITS["text"])
    appeal = Appeal(ruling=ruling, filed_on=filed_on, grounds=grounds)
    db.session.add(appeal)
    ruling.state = RulingState.UNDER_APPEAL
    db.session.flush()
    return appeal


def _undo_revocation_refusal(licence: Licence, case: Case, day: date) -> str | None:
    """Why a revocation can no longer be undone, if it cannot."""
    other = current_licence(case.site)
    if other is not None and other is not licence:
        return (
            f"برای این دفتر پروانه تازه {isolate_code(other.number)} صادر شده است؛ "
            "لغو پروانه پیشین را نمی‌توان برگرداند."
        )
    if licence.expires_on < day:
        return (
            f"اعتبار پروانه {isolate_code(licence.number)} در "
            f"{format_jalali(licence.expires_on)} به پایان رسیده است؛ لغو آن را نمی‌توان "
            "برگرداند."
        )
    if licence.site.status != SiteStatus.REVOKED:
        return (
            f"وضعیت دفتر پس از لغو به «{licence.site.status.label}» تغییر کرده است؛ لغو پروانه "
            "را نمی‌توان برگرداند."
        )
    return None


def _replace_effect(old: Ruling, new: Ruling, day: date, *, actor) -> None:
    """Bring the licence to what the new ruling says, as of `day` (the appeal's decision).

    - New revocation: the licence is revoked (if it is not already).
    - New suspension: it counts from the day the replaced ruling's suspension or revocation began
      (days the office was already shut are credited), else from `day`; the licence is suspended
      until its last day, or back in force if that day has passed.
    - Anything else: a suspension or revocation by the replaced ruling is lifted.
    A revocation is undone only while the licence could still be in force (not expired, no new
    licence for the office, the office still marked revoked); otherwise the decision is refused
    and nothing changes. Nothing is done when the licence is already as the new ruling says.
    """
    if not old.acts_on_licence and not new.acts_on_licence:
        return
    case = new.case
    licence = case.licence if old.acts_on_licence else current_licence(case.site)
    if licence is None:
        raise DomainError("این دفتر پروانه معتبری ندارد؛ تعلیق یا لغو پروانه ممکن نیست.")
    status = licence.status
    reason = _effect_reason(new)
    # What the licence should be from `day`: revoked, suspended until a day, or not restricted.
    want_revoked = new.penalty == PenaltyKind.REVOCATION
    until = None
    if new.penalty == PenaltyKind.SUSPENSION:
        start = old.served_on if old.acts_on_licence else day
        new.suspension_until = _suspension_until(start, new.suspension_days)
        if new.suspension_until >= day:
            until = new.suspension_until
    restricted = want_revoked or until is not None
    if status not in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.REVOKED):
        if restricted:
            raise DomainError(
                f"پروانه {isolate_code(licence.number)} «{status.label}» است و رأی تازه بر آن اجرا نمی‌شود."
            )
        return
    if status == LicenceStatus.REVOKED and not want_revoked:
        refusal = _undo_revocation_refusal(licence, case, day)
        if refusal:
            raise DomainError(refusal)
    if want_revoked:
        if status != LicenceStatus.REVOKED:
            licensing_ops.revoke_licence(licence, reason=reason, actor=actor, effective_on=day)
    elif until is not None:
        if status == LicenceStatus.ACTIVE:
            licensing_ops.suspend_licence(licence, until=until, reason=reason, actor=actor, effective_on=day)
        elif licence.suspended_until != until or status == LicenceStatus.REVOKED:
            licensing_ops.reinstate_licence(
                licence, until=until, reason=reason, actor=actor, effective_on=day
            )
    elif status != LicenceStatus.ACTIVE:
        licensing_ops.reinstate_licence(licence, until=None, reason=reason, actor=actor, effective_on=day)
    case.licence = licence


def decide_appeal(
    appeal: Appeal,
    *,
    outcome: AppealOutcome | str,
    decided_on: date | None,
    reasoning: str,
    actor,
    replacement: dict[str, Any] | None = None,
    today: date | None = None,
) -> Ruling:
    """Record the appeal's decision: confirmed (the ruling becomes final) or replaced by a new
    ruling (final at once, in force from the decision day). Returns the ruling in force."""
    ruling = appeal.ruling
    if appeal.outcome is not None:
        raise DomainError("برای این اعتراض پیش‌تر تصمیم ثبت شده است.")
    try:
        outcome = AppealOutcome(outcome)
    except ValueError as exc:
        raise DomainError("نتیجه رسیدگی به اعتراض را انتخاب کنید.", field="outcome") from exc
    decided_on = _not_future(decided_on, today, "تاریخ تصمیم", "decided_on")
    if decided_on < appeal.filed_on:
        raise DomainError("تاریخ تصمیم نمی‌تواند پیش از تاریخ اعتراض باشد.", field="decided_on")
    reasoning = _required(
        reasoning, "دلایل تصمیم درباره اعتراض را بنویسید.", "decision_reasoning", LIMITS["text"]
    )
    if outcome == AppealOutcome.CONFIRMED:
        in_force = ruling
        ruling.state = RulingState.FINAL
    else:
        values = _ruling_values(ruling.case, replacement or {}, licence_in_force=False)
        in_force = Ruling(
            number=_ruling_number(decided_on),
            case=ruling.case,
            session=None,
            ruled_on=decided_on,
            served_on=decided_on,
            state=RulingState.FINAL,
            replaces=ruling,
            **values,
        )
        db.session.add(in_force)
        _replace_effect(ruling, in_force, decided_on, actor=actor)  # may refuse: nothing set yet
        ruling.state = RulingState.REPLACED
        appeal.new_ruling = in_force
    appeal.outcome = outcome
    appeal.decided_on = decided_on
    appeal.decision_reasoning = reasoning
    _close_ruled_case(in_force, actor=actor)
    db.session.flush()
    return in_force


def ruling_in_force(case: Case) -> Ruling | None:
    """The case's ruling that has not been replaced."""
    live = [r for r in case.rulings if r.state != RulingState.REPLACED]
    return live[-1] if live else None
