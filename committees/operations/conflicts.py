"""Conflict-of-interest flags: members the registry links to the office of a case.

A member is linked to an office when the registry names them (by national ID) as the holder of its
licence or as its operator. Such a member is flagged before voting on the case and answers first:
recusal, or a reasoned declaration that the link is no conflict. The flag and the answer are kept
and printed in the minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from committees.models import Case, CommitteeMember, CommitteeSession, ConflictFlag


@dataclass(frozen=True)
class Flag:
    member: CommitteeMember
    link: str
    answer: ConflictFlag | None  # None until the member has answered


def office_links(case: Case) -> dict[str, str]:
    """The national IDs the registry links to the case's office, with how ("holder of its licence")."""
    links: dict[str, str] = {}
    site = case.site
    if site.operator is not None:
        links[site.operator.national_id] = f"متصدی دفتر «{site.name}» است"
    licence = case.licence
    if licence is not None and licence.holder is not None:
        links[licence.holder.national_id] = f"دارنده پروانه دفتر «{site.name}» است"
    return links


def member_link(case: Case, member: CommitteeMember) -> str | None:
    """How the registry links the member to the case's office, or None."""
    if not member.national_id:
        return None
    return office_links(case).get(member.national_id)


def conflict_flags(session: CommitteeSession, case: Case, members: list[CommitteeMember]) -> list[Flag]:
    """The members of the list whom the registry links to the case's office, with their answers."""
    links = office_links(case)
    answered = {f.member_id: f for f in session.conflict_flags if f.case_id == case.id}
    return [
        Flag(member=m, link=links[m.national_id], answer=answered.get(m.id))
        for m in members
        if m.national_id and m.national_id in links
    ]
