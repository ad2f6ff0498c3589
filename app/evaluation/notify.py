"""Who hears of the panel's decisions."""
from __future__ import annotations

from typing import Optional

from sqlmodel import Session, select

from app.models import Bureau, User


def bureau_recipients(session: Session, bureau_ids) -> dict[int, list[tuple[str, str, Optional[str]]]]:
    """{bureau_id: [(address, name, locale)]}: the bureau's contact and its active users, once each."""
    bureau_ids = list(bureau_ids)
    out: dict[int, list] = {bid: [] for bid in bureau_ids}
    if not bureau_ids:
        return out
    seen: dict[int, set[str]] = {bid: set() for bid in bureau_ids}
    for u in session.exec(select(User).where(User.bureau_id.in_(bureau_ids), User.active).order_by(User.id)):
        if u.email.lower() not in seen[u.bureau_id]:
            seen[u.bureau_id].add(u.email.lower())
            out[u.bureau_id].append((u.email, u.name, u.locale))
    for b in session.exec(select(Bureau).where(Bureau.id.in_(bureau_ids))):
        if b.contact_email and b.contact_email.lower() not in seen[b.id]:
            out[b.id].append((b.contact_email, b.contact_name, None))
    return out

