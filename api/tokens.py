"""Tokens: POST /api/v1/tokens exchanges a username and password for a bearer token (throttled as
the login form is, per account and per address); a user lists and revokes their tokens, an admin
anyone's.

POST   /api/v1/tokens               201 token · 401 refused (wrong, unknown, closed alike) · 422
GET    /api/v1/tokens               own tokens (admin: ?user_id= or ?all=true)
DELETE /api/v1/tokens/<id>          revoke: 200 · 403 not yours · 404 · 409 already revoked
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import fields

from accounts import tokens as ops
from accounts.models import ApiToken, User
from accounts.operations import authenticate
from accounts.tokens import OWN_TOKENS, can_revoke_token, can_see_all_tokens
from api import ID, ApiError, bp
from api.fields import Bool, JalaliOf, Nested, QueryInt, Schema, Str, UtcDateTime
from api.schemas import PageArgs, UserBrief, page_schema, paginate
from core.clock import utcnow
from core.db import get_or_404
from core.extensions import db
from core.security import allow, public, require

TAG = ["tokens"]


class TokenRequest(Schema):
    username = Str(required=True, max_length=64, metadata={"example": "inspector1"})
    password = Str(required=True, max_length=256, metadata={"format": "password"})
    name = Str(
        max_length=ops.NAME_MAX,
        load_default=None,
        allow_none=True,
        metadata={"description": "نامی برای شناختن توکن، مثلاً «تبلت بازرسی ۳»"},
    )


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "آغاز توکن، برای بازشناختن آن"})
    user = Nested(UserBrief)
    created_at = UtcDateTime()
    created_at_jalali = JalaliOf("created_at")
    expires_at = UtcDateTime()
    expires_at_jalali = JalaliOf("expires_at")
    last_used_at = UtcDateTime(allow_none=True)
    last_used_at_jalali = JalaliOf("last_used_at")
    revoked_at = UtcDateTime(allow_none=True)
    revoked_at_jalali = JalaliOf("revoked_at")
    active = fields.Function(lambda token: token.is_active_at(utcnow()), metadata={"type": "boolean"})


class TokenCreated(Schema):
    token = fields.String(
        attribute="secret", metadata={"description": "توکن؛ فقط همین یک بار نشان داده می‌شود"}
    )
    token_type = fields.Constant("Bearer", metadata={"type": "string"})
    expires_at = UtcDateTime(attribute="token.expires_at")
    expires_at_jalali = JalaliOf("token.expires_at")
    details = Nested(TokenOut, attribute="token")


class TokenListArgs(PageArgs):
    user_id = QueryInt(metadata={"description": "فقط برای مدیر: توکن‌های این کاربر"})
    all = Bool(load_default=False, metadata={"description": "فقط برای مدیر: توکن‌های همه کاربران"})
    active = Bool(load_default=False, metadata={"description": "فقط توکن‌های فعال"})


@bp.route("/tokens", methods=["POST"], tags=TAG)
@public
@bp.arguments(TokenRequest)
@bp.response(201, TokenCreated)
def token_create(data):
    """دریافت توکن با نام کاربری و گذرواژه (با همان محدودیت تلاش‌های ناموفق صفحه ورود)"""
    result = authenticate(data["username"], data["password"], address=request.remote_addr)
    db.session.commit()  # the failed attempt counts, whatever happens next
    if result.user is None:
        # One answer for an unknown user, a wrong password, a closed login and a disabled account.
        raise ApiError(401, "invalid_credentials", result.message)
    issued = ops.issue_token(
        result.user, name=data.get("name"), actor=result.user, address=request.remote_addr
    )
    db.session.commit()
    return issued


@bp.route("/tokens", methods=["GET"], tags=TAG)
@allow(*OWN_TOKENS)
@bp.arguments(TokenListArgs, location="query")
@bp.response(200, page_schema(TokenOut, "TokenPage"))
def token_list(args):
    """توکن‌های من (مدیر: توکن‌های هر کاربر)"""
    owner: User | None = current_user
    if can_see_all_tokens(current_user):
        if args.get("user_id"):
            owner = db.session.get(User, args["user_id"])
            if owner is None:
                raise ApiError(422, "validation", "کاربر یافت نشد.", {"user_id": "کاربر یافت نشد."})
        elif args["all"]:
            owner = None
    elif args.get("user_id") not in (None, current_user.id) or args["all"]:
        require(False)
    return paginate(ops.tokens_query(user=owner, active_only=args["active"]), args)


@bp.route(f"/tokens/<{ID}:token_id>", methods=["DELETE"], tags=TAG)
@allow(*OWN_TOKENS)
@bp.response(200, TokenOut)
def token_revoke(token_id: int):
    """باطل کردن یک توکن (توکن خودم؛ مدیر: هر توکن)"""
    token = get_or_404(ApiToken, token_id)
    require(can_revoke_token(current_user, token))
    ops.revoke_token(token, actor=current_user)
    db.session.commit()
    return token
