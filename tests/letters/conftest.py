"""A local SMTP server (aiosmtpd) and a file SMS backend for the letters' delivery tests."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes, policy

import pytest


class Mailbox:
    """An SMTP handler that keeps what it receives; it can refuse the first `refuse` messages."""

    def __init__(self):
        self.messages = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Mailbox temporarily unavailable"
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.original_content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _aiosmtpd_controller():
    """aiosmtpd's Controller. aiosmtpd imports the top-level module `public` (from atpublic), which
    our own public/ package shadows: load atpublic's for aiosmtpd's import only, then put ours back."""
    import importlib.metadata
    import importlib.util
    import sys

    ours = sys.modules.pop("public", None)
    path = importlib.metadata.distribution("atpublic").locate_file("public/__init__.py")
    spec = importlib.util.spec_from_file_location(
        "public", path, submodule_search_locations=[str(path.parent)]
    )
    theirs = importlib.util.module_from_spec(spec)
    sys.modules["public"] = theirs
    try:
        spec.loader.exec_module(theirs)
        from aiosmtpd.controller import Controller
    finally:
        if ours is not None:
            sys.modules["public"] = ours
        else:
            sys.modules.pop("public", None)
    return Controller


@pytest.fixture
def smtp_server(app):
    """An SMTP server on 127.0.0.1 that the app sends its e-mail to."""
    Controller = _aiosmtpd_controller()

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_SENDER")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SENDER="dabirkhane@ict.example.ir")
    yield mailbox
    controller.stop()
    app.config.update(old)


@pytest.fixture
def sms_file(app, tmp_path):
    """The file SMS backend writing to a fresh file; read() gives the messages sent."""
    path = tmp_path / "sms.jsonl"
    old = (app.config.get("SMS_BACKEND"), app.config.get("SMS_FILE"))
    app.config.update(SMS_BACKEND="file", SMS_FILE=str(path))

    class Outbox:
        def read(self):
            if not path.exists():
                return []
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    yield Outbox()
    app.config.update(SMS_BACKEND=old[0], SMS_FILE=old[1])
