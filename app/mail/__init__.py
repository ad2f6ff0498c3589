"""E-mail through the outbox: `queue()` in the caller's transaction; a sender delivers later."""
from app.mail.outbox import queue, render  # noqa: F401
