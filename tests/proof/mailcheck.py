"""The ledger of the outbox against what the SMTP server received, by Message-ID.

lost: a message the outbox holds that never arrived and is not on record as refused by the server
(status `failed` with the server's answer, shown to officers on the outbox page); that includes
a message still waiting when the test says the outage is over.
duplicated: every arrival of a Message-ID beyond its first, except those the server took while the
connection broke before its "250" reached the sender (`forced`, counted apart as "resent").
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import select

from app.models import OutboxMessage


@dataclass
class Ledger:
    messages: int
    lost: int
    duplicated: int
    resent: int
    refused: int  # refused for good by the server (5xx), on record as failed

    def record(self, figures) -> None:
        figures.record("faults", messages=self.messages, lost=self.lost, duplicated=self.duplicated,
                       resent=self.resent)


def ledger(session, server, forced: int = 0) -> Ledger:
    session.commit()
    session.expire_all()
    outbox = {m.message_id: m for m in session.exec(select(OutboxMessage))}
    arrivals = Counter(m["Message-ID"] for m in server.messages)
    refused = sum(1 for m in outbox.values() if m.status == "failed" and m.last_error and arrivals[m.message_id] == 0)
    lost = sum(1 for mid, m in outbox.items() if arrivals[mid] == 0 and not (m.status == "failed" and m.last_error))
    extra = sum(n - 1 for n in arrivals.values() if n > 1) + sum(n for mid, n in arrivals.items() if mid not in outbox)
    resent = min(extra, forced)
    return Ledger(len(outbox), lost, extra - resent, resent, refused)
