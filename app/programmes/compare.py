"""Two plan snapshots side by side, row by row, with what changed marked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask_babel import gettext as _

from app.i18n import format_day, format_money
from app.programmes.labels import CADENCE_LABELS, PLAN_FIELD_LABELS
from app.programmes.plan_operations import SCALAR_FIELDS


@dataclass
class Row:
    label: str
    a: str
    b: str

    @property
    def changed(self) -> bool:
        return self.a != self.b


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "enrolment_deadline":
        return format_day(date.fromisoformat(value))
    if name == "cost_per_participant_eur":
        return format_money(value)
    if name == "cadence":
        return str(CADENCE_LABELS.get(value, value))
    return str(value)


def _session(item: Optional[dict]) -> str:
    if not item:
        return "—"
    return f"{format_day(date.fromisoformat(item['held_on']))} — {item['themes'] or '—'}"


def _keyed(a: list[dict], b: list[dict], key: str) -> list[str]:
    """Keys in order of first appearance across both sides (organisations, indicator names)."""
    seen: list[str] = []
    for item in a + b:
        if item[key] not in seen:
            seen.append(item[key])
    return seen


def rows(a: dict, b: dict) -> list[Row]:
    out = [Row(str(PLAN_FIELD_LABELS[k]), _show(k, a.get(k)), _show(k, b.get(k))) for k in SCALAR_FIELDS]
    sa, sb = a.get("sessions", []), b.get("sessions", [])
    for i in range(max(len(sa), len(sb))):
        out.append(Row(_("Session %(n)d", n=i + 1), _session(sa[i] if i < len(sa) else None),
                       _session(sb[i] if i < len(sb) else None)))
    pa = {x["organisation"]: x["places"] for x in a.get("spread", [])}
    pb = {x["organisation"]: x["places"] for x in b.get("spread", [])}
    for org in _keyed(a.get("spread", []), b.get("spread", []), "organisation"):
        out.append(Row(_("Places for %(org)s", org=org), str(pa.get(org, "—")), str(pb.get(org, "—"))))
    ia = {x["name"]: x["description"] or "✓" for x in a.get("indicators", [])}
    ib = {x["name"]: x["description"] or "✓" for x in b.get("indicators", [])}
    for name in _keyed(a.get("indicators", []), b.get("indicators", []), "name"):
        out.append(Row(_("Indicator: %(name)s", name=name), ia.get(name, "—"), ib.get(name, "—")))
    return out


def parse_ref(raw: str) -> Optional[tuple[int, Optional[int]]]:
    """'3' is version 3 as it stands; '3.2' is revision 2 of version 3."""
    number, _sep, revision = (raw or "").partition(".")
    if not number.isdigit() or (revision and not revision.isdigit()):
        return None
    return int(number), int(revision) if revision else None
