"""Outgoing letters: the register, templates, the PDF and delivery through an outbox."""
