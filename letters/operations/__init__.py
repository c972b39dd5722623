"""Business rules for letters: numbering, wording, producing and writing letters, attachments,
the outbox (SMS and e-mail with retries), hand-recorded delivery and service.

What the rest of the app may call; each name lives in the module of its sub-domain:
register (numbering, producing, writing, finding), templates (wording), outbox (delivery),
attachments, correspondents.
"""

from letters.operations._common import LIMITS, base_context, directorate_name, valid_email, valid_mobile
from letters.operations.attachments import add_attachment, attachment_path
from letters.operations.correspondents import find_correspondent, save_correspondent
from letters.operations.outbox import (
    due_deliveries,
    process_outbox,
    record_delivery,
    retry_delay,
    retry_failed,
    send_delivery,
    update_contact,
)
from letters.operations.register import (
    Draft,
    LetterFilters,
    Recipient,
    find_by_token,
    issue_letter,
    letters_about,
    next_letter_number,
    produce_letter,
    search_letters,
    write_letter,
)
from letters.operations.templates import (
    Wording,
    check_template,
    render_text,
    reset_template,
    save_template,
    wording_for,
)

__all__ = [
    "LIMITS",
    "Draft",
    "LetterFilters",
    "Recipient",
    "Wording",
    "add_attachment",
    "attachment_path",
    "base_context",
    "check_template",
    "directorate_name",
    "due_deliveries",
    "find_by_token",
    "find_correspondent",
    "issue_letter",
    "letters_about",
    "next_letter_number",
    "process_outbox",
    "produce_letter",
    "record_delivery",
    "render_text",
    "reset_template",
    "retry_delay",
    "retry_failed",
    "save_correspondent",
    "save_template",
    "search_letters",
    "send_delivery",
    "update_contact",
    "valid_email",
    "valid_mobile",
    "wording_for",
    "write_letter",
]
