"""The hearing of one case in a session: recusals, votes (the secretary's and a member's own) and
the ruling."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from committees import operations as ops
from committees.forms import ConflictAnswerForm, OwnVoteForm, RecusalForm, RulingForm, VoteForm
from committees.models import Case, CommitteeSession, VoteChoice
from committees.permissions import MANAGE, OWN_VOTE, VIEW_SESSIONS
from committees.views._common import attempt, bp, found_choices
from core.errors import DomainError
from core.forms import choices
from core.persian import to_persian_digits
from core.security import allow


def _hearing_items(session_id: int, case_id: int) -> tuple[CommitteeSession, Case]:
    found = ops.find_hearing(session_id, case_id)
    if found is None:
        abort(404)
    return found


def _ruling_form(case: Case, *, from_request: bool = False) -> RulingForm:
    suggestion = ops.strongest_suggestion(case)
    legal = "؛ ".join(
        dict.fromkeys(v.violation_type.legal_basis for v in case.violations if v.violation_type.legal_basis)
    )
    data = {"violations_found": [v.violation_type.code for v in case.violations], "legal_basis": legal}
    if suggestion is not None:
        data.update(
            penalty=suggestion.penalty.value, suspension_days=suggestion.days, fine_amount=suggestion.amount
        )
    form = RulingForm(data=data) if from_request else RulingForm(formdata=None, data=data)
    if not from_request:  # shown, not stored: the text is kept with ASCII digits
        form.legal_basis.data = to_persian_digits(form.legal_basis.data)
    form.violations_found.choices = found_choices(case)
    return form


def _hearing_page(session: CommitteeSession, case: Case, **forms):
    recusal_form = forms.pop("recusal_form", None) or RecusalForm(formdata=None)
    recusal_form.member_id.choices = _recusal_choices(session, case)
    member = ops.member_for_user(current_user)
    votes = {v.member_id: v.choice for v in session.votes if v.case_id == case.id}
    return render_template(
        "committees/hearing.html",
        session=session,
        case=case,
        ruling=ops.session_ruling(session, case),
        tally=ops.vote_tally(session, case),
        quorum=ops.check_quorum(session, case),
        voters=ops.eligible_voters(session, case),
        recusals=[r for r in session.recusals if r.case_id == case.id],
        flags=ops.conflict_flags(session, case, ops.present_members(session)),
        conflict_form=forms.pop("conflict_form", None) or ConflictAnswerForm(formdata=None),
        votes=votes,
        suggestions=ops.case_suggestions(case),
        recusal_form=recusal_form,
        vote_form=forms.pop("vote_form", None) or VoteForm(formdata=None),
        own_vote_form=forms.pop("own_vote_form", None) or OwnVoteForm(formdata=None),
        ruling_form=forms.pop("ruling_form", None) or _ruling_form(case),
        own_member=member
        if member and any(m.id == member.id for m in ops.eligible_voters(session, case))
        else None,
        choices_=list(VoteChoice),
        **forms,
    )


def _recusal_choices(session: CommitteeSession, case: Case):
    return choices([(0, "—"), *((m.id, m.full_name) for m in ops.eligible_voters(session, case))])


@bp.get("/sessions/<int:session_id>/cases/<int:case_id>")
@allow(*VIEW_SESSIONS)
def hearing(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    return _hearing_page(session, case)


def _hearing_action(session, case, form, form_name: str, action, success: str):
    if form.validate_on_submit() and attempt(form, action):
        flash(success, "success")
        return redirect(url_for("committees.hearing", session_id=session.id, case_id=case.id))
    return _hearing_page(session, case, **{form_name: form})


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/recusal")
@allow(*MANAGE)
def hearing_recusal(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = RecusalForm()
    form.member_id.choices = _recusal_choices(session, case)
    return _hearing_action(
        session,
        case,
        form,
        "recusal_form",
        lambda: ops.declare_recusal(
            session,
            case,
            ops.get_member(form.member_id.data),
            form.reason.data,
            actor=current_user,
        ),
        "تعارض منافع ثبت شد؛ این عضو بر این پرونده رأی نمی‌دهد.",
    )


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/conflicts/<int:member_id>")
@allow(*MANAGE)
def hearing_conflict(session_id: int, case_id: int, member_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = ConflictAnswerForm()
    return _hearing_action(
        session,
        case,
        form,
        "conflict_form",
        lambda: ops.answer_conflict_flag(
            session, case, ops.get_member(member_id), form.answer.data, form.note.data, actor=current_user
        ),
        "پاسخ عضو به هشدار تعارض منافع ثبت شد.",
    )


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/votes")
@allow(*MANAGE)
def hearing_votes(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = VoteForm()
    valid = {c.value for c in VoteChoice}

    def _record():
        cast = {}
        for member in ops.eligible_voters(session, case):
            choice = request.form.get(f"vote-{member.id}", "")
            if choice:
                if choice not in valid:
                    raise DomainError("رأی باید موافق، مخالف یا ممتنع باشد.")
                cast[member] = choice
        if not cast:
            raise DomainError("رأی هیچ عضوی انتخاب نشده است.")
        for member, choice in cast.items():
            ops.record_vote(session, case, member, choice, actor=current_user)

    return _hearing_action(session, case, form, "vote_form", _record, "آرای اعضا ثبت شد.")


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/my-vote")
@allow(*OWN_VOTE)
def hearing_own_vote(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = OwnVoteForm()

    return _hearing_action(
        session,
        case,
        form,
        "own_vote_form",
        lambda: ops.record_own_vote(session, case, current_user, form.choice.data, actor=current_user),
        "رأی شما ثبت شد.",
    )


@bp.post("/sessions/<int:session_id>/cases/<int:case_id>/ruling")
@allow(*MANAGE)
def hearing_ruling(session_id: int, case_id: int):
    session, case = _hearing_items(session_id, case_id)
    form = _ruling_form(case, from_request=True)
    return _hearing_action(
        session,
        case,
        form,
        "ruling_form",
        lambda: ops.record_ruling(case, session, form.ruling_data(), actor=current_user),
        "رأی کمیته ثبت شد.",
    )
