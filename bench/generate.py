"""Data at scale, written straight into the database, that the app accepts as its own.

Rows go in with bulk SQL — `COPY … FROM STDIN` on PostgreSQL (psycopg 3), `executemany` in big
transactions on SQLite — but the data is what the app itself would have written:

- every audit event is built by `app.audit.chain.event_body`, `canonical_json` and `link_hash`, the
  functions `record()` uses, and each chain has its head, so `flask audit verify` passes;
- every constraint holds (SQLite checks foreign keys at the end with `PRAGMA foreign_key_check`;
  PostgreSQL checks them on COPY);
- each tender's rows agree with its state and its audit trail: a ready draft passes every guard for
  sending its invitations, a tender in review has submitted visions, an awarded one has contracts.

Tenders are spread over all states; organisation 1 leads one tender with a long trail
(`Scale.long_trail` events). Generation is deterministic per tender (one seeded RNG per tender) and
runs in worker processes; the main process writes. Ids are allocated in fixed strides per tender so
workers never need to talk to each other.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import secrets
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Optional

from app.audit.chain import ADMIN_CHAIN, SYSTEM, Actor, canonical_json, event_body, link_hash, tender_chain
from app.models.audit import GENESIS_HASH
from bench.panel_rows import COLUMNS as PANEL_COLUMNS
from bench.panel_rows import REVISIONS_SQL, Panel, events_per_tender

PASSWORD = "bench-password-9"  # every generated account; the hash is argon2id with the app's defaults


@dataclass(frozen=True)
class Scale:
    tenders: int = 10_000
    organisations: int = 50
    bureaus: int = 500
    invitations: int = 5  # bureaus invited per tender
    evaluators: int = 3  # panel size per tender
    criteria: int = 6  # per stage (vision, pitch)
    events: int = 1_000_000  # audit events in total, approximately
    long_trail: int = 5_000  # tender 1 (organisation 1) carries this many events
    officers_per_org: int = 2
    evaluators_per_org: int = 6
    seed: int = 9

    @classmethod
    def at(cls, tenders: int, **kw) -> "Scale":
        """The default shape at another size: 100 audit events per tender."""
        return cls(tenders=tenders, events=kw.pop("events", tenders * 100), **kw)


# How tenders spread over the states (percent). A fifth are drafts, so there are ready drafts to fire.
STATE_MIX = (
    ("draft", 20), ("invitation", 7), ("vision_submission", 7), ("vision_review", 7), ("pitch", 7),
    ("selection", 7), ("standstill", 5), ("awarded", 30), ("cancelled", 5), ("unsuccessful", 5),
)
MAIN_PATH = ("open_invitation", "open_submission", "close_submission", "start_pitches", "start_selection",
             "send_decision", "award")
STATE_AFTER = {
    "open_invitation": "invitation", "open_submission": "vision_submission", "close_submission": "vision_review",
    "start_pitches": "pitch", "start_selection": "selection", "send_decision": "standstill", "award": "awarded",
    "declare_unsuccessful": "unsuccessful", "cancel": "cancelled",
}
PATH_TO = {"draft": ()}
for _i, _event in enumerate(MAIN_PATH):
    PATH_TO[STATE_AFTER[_event]] = MAIN_PATH[: _i + 1]
PATH_TO["unsuccessful"] = ("open_invitation", "open_submission", "declare_unsuccessful")
# Days after the invitations went out at which each step happens (the tender's timeline below).
STEP_DAY = {"open_invitation": 0, "open_submission": 10, "close_submission": 20.01, "declare_unsuccessful": 20.01,
            "start_pitches": 23, "start_selection": 27, "send_decision": 31, "award": 52}
SYSTEM_STEPS = {"open_submission", "close_submission"}  # time-driven: the scheduler fires them
ORDER_AFTER_REVIEW = ("vision_review", "pitch", "selection", "standstill", "awarded")
MAX_LOTS = 3
ANCHORS = {
    0: "Ontbreekt of onbruikbaar", 2: "Zwak: ernstige tekortkomingen", 4: "Matig: enkele tekortkomingen",
    6: "Voldoende: beantwoordt de vraag", 8: "Goed: overtuigend, met meerwaarde",
    10: "Uitstekend: overtuigend en onderscheidend op elk punt",
}
LOT_TITLES = ("Topmanagement", "Middenmanagement", "Teamleiders")
VISION_CRITERIA = ("Visie op leiderschap", "Aansluiting op de stadsopgaven", "Co-creatie", "Persoonlijk niveau",
                   "Ervaring en team", "Lerend vermogen")
PITCH_CRITERIA = ("Verhaal en overtuiging", "Verbinding met de organisatie", "Samenwerking in de pitch",
                  "Concreetheid", "Reflectie", "Klik met de opdrachtgever")
CITIES = (
    "Almere", "Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg", "Breda",
    "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede", "Amersfoort", "Zaanstad", "Den Bosch",
    "Haarlemmermeer", "Zwolle", "Zoetermeer", "Leiden", "Maastricht", "Dordrecht", "Ede", "Alphen aan den Rijn",
    "Leeuwarden", "Alkmaar", "Emmen", "Westland", "Delft", "Venlo", "Deventer", "Sittard-Geleen", "Helmond",
    "Oss", "Amstelveen", "Hilversum", "Súdwest-Fryslân", "Heerlen", "Nissewaard", "Purmerend", "Hengelo",
    "Roosendaal", "Schiedam", "Lelystad", "Almelo", "Leidschendam-Voorburg", "Gouda", "Hoorn", "Vlaardingen",
)
FIRST = ("Marieke", "Ruud", "Fatima", "Henk", "Josja", "Pieter", "Sanne", "Ahmed", "Joke", "Esther", "Maarten",
         "Marloes", "Ilse", "Bram", "Noor", "Sven", "Yara", "Daan", "Lotte", "Kees", "Aylin", "Thijs", "Femke")
LAST = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "van Dijk", "Yilmaz", "El Amrani", "Hoekstra", "Dekker", "van Leeuwen")


# --- the rows ---------------------------------------------------------------------------------------

# The columns written per table, in insertion (foreign-key) order. `check_columns` makes sure every
# NOT NULL column without a default is listed, so a schema change shows up as a clear error here.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("id", "name", "kind", "identifier", "city", "created_at"),
    "bureau": ("id", "name", "contact_name", "contact_email", "city", "website", "kvk_number", "created_at"),
    "user": ("id", "email", "name", "role", "organisation_id", "bureau_id", "password_hash", "session_token",
             "active", "locale", "created_at"),
    "tender": ("id", "reference", "title", "description", "development_track", "city_goals", "open_question",
               "procedure_type", "estimated_value_eur", "lead_organisation_id", "invitation_at",
               "questions_deadline", "vision_deadline", "pitch_start", "pitch_end", "selection_at",
               "invitee_motivation", "vision_stage_weight", "pitch_stage_weight", "max_winners_per_lot", "state",
               "version", "cancel_reason", "created_by_id", "created_at", "updated_at", "state_changed_at"),
    "tender_buyer": ("tender_id", "organisation_id"),
    "lot": ("id", "tender_id", "position", "title", "description"),
    "criterion": ("id", "tender_id", "stage", "position", "title", "description", "weight", "scale_min",
                  "scale_max", "scale_step", "required", "counts_in_total"),
    "scale_anchor": ("id", "criterion_id", "score", "text"),
    "panel_member": ("id", "tender_id", "user_id", "added_at"),
    "invitation": ("id", "tender_id", "bureau_id", "status", "sent_at", "send_count", "opened_at",
                   "responded_at", "decline_reason", "created_at"),
    "vision": ("id", "tender_id", "bureau_id", "status", "submitted_version", "submitted_at", "created_at",
               "updated_at"),
    "vision_version": ("id", "vision_id", "number", "view", "co_creation", "personal_level", "experience", "team",
                       "submitted_at", "submitted_by_id", "content_hash", "created_at"),
    "vision_lot": ("id", "version_id", "lot_id", "approach"),
    **PANEL_COLUMNS,
    "consensus_score": ("id", "tender_id", "stage", "bureau_id", "criterion_id", "value", "note", "decided_by_id",
                        "decided_at"),
    "contract": ("id", "tender_id", "lot_id", "bureau_id", "start_date", "duration_years", "value_eur",
                 "created_at"),
    "programme": ("id", "contract_id", "tender_id", "lot_id", "bureau_id", "title", "state", "version", "cadence",
                  "period_start", "next_evaluation_on", "end_reason", "created_at", "state_changed_at"),
    # No id: the database numbers events (the id is not part of the hash).
    "audit_event": ("chain", "seq", "tender_id", "occurred_at", "actor_id", "actor_name", "actor_role", "action",
                    "object_type", "object_id", "from_state", "to_state", "changes", "reason", "canonical",
                    "prev_hash", "hash"),
    "audit_chain_head": ("chain", "seq", "hash"),
}
TABLES = tuple(COLUMNS)
FILLED = (*TABLES, "score_revision")  # score_revision is filled in the database (bench/panel_rows.py)


def check_columns(metadata) -> None:
    """Refuse to run when a table gained a required column the generator does not fill."""
    for table, columns in COLUMNS.items():
        for col in metadata.tables[table].columns:
            required = not col.nullable and col.server_default is None and not (
                col.primary_key and col.autoincrement in (True, "auto") and col.type.python_type is int)
            if required and col.name not in columns:
                raise RuntimeError(f"bench/generate.py does not fill the required column {table}.{col.name}; "
                                   "add it to COLUMNS and to the rows.")


def ts(moment: datetime) -> str:
    """A UTC moment as the text both databases read the same way (SQLite stores it as is; the
    PostgreSQL writer runs in time zone UTC). Microseconds are always written."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


class Chain:
    """Appends events to one audit chain exactly as `app.audit.record()` does."""

    __slots__ = ("name", "tender_id", "seq", "hash", "rows")

    def __init__(self, name: str, tender_id: Optional[int]):
        self.name, self.tender_id, self.seq, self.hash, self.rows = name, tender_id, 0, GENESIS_HASH, []

    def add(self, at: datetime, actor: Actor, action: str, object_type: str, object_id=None, *,
            from_state=None, to_state=None, changes=None, reason=None) -> None:
        self.seq += 1
        body = event_body(chain=self.name, seq=self.seq, occurred_at=at, actor=actor, action=action,
                          object_type=object_type, object_id=object_id, tender_id=self.tender_id,
                          from_state=from_state, to_state=to_state, changes=changes, reason=reason)
        canonical = canonical_json(body)
        digest = link_hash(self.hash, canonical)
        self.rows.append((self.name, self.seq, self.tender_id, ts(at), actor.id, actor.name, actor.role, action,
                          object_type, object_id, from_state, to_state, canonical_json(changes or {}), reason,
                          canonical, self.hash, digest))
        self.hash = digest

    def head(self) -> tuple:
        return (self.name, self.seq, self.hash)


# --- the people -------------------------------------------------------------------------------------

@dataclass
class Population:
    """Organisations, bureaus and accounts (small; built in the main process, shared with workers)."""

    scale: Scale
    now: datetime
    password_hash: str
    org_names: list[str] = field(default_factory=list)
    officers: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)  # org -> [(id, name, email)]
    evaluators: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)
    bureau_names: list[str] = field(default_factory=list)
    bureau_users: dict[int, tuple[int, str]] = field(default_factory=dict)  # bureau -> (user id, email)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build_population(scale: Scale, now: datetime, password_hash: str) -> tuple[Population, dict[str, list]]:
    rng = random.Random(scale.seed)
    pop = Population(scale, now, password_hash)
    rows: dict[str, list] = {t: [] for t in TABLES}
    admin = Chain(ADMIN_CHAIN, None)
    start = now - timedelta(days=1200)
    clock = iter(start + timedelta(seconds=7 * i, microseconds=rng.randrange(1, 999_999)) for i in range(10**9))

    for o in range(1, scale.organisations + 1):
        city = CITIES[o - 1] if o <= len(CITIES) else f"Plaats {o}"
        name = f"Gemeente {city}" if o <= len(CITIES) else f"Gemeente {city} ({o})"
        pop.org_names.append(name)
        values = {"name": name, "kind": "municipality", "city": city}
        at = next(clock)
        rows["organisation"].append((o, name, "municipality", None, city, ts(at)))
        admin.add(at, SYSTEM, "organisation.created", "organisation", o, changes={k: [None, v] for k, v in values.items()})
    for b in range(1, scale.bureaus + 1):
        name = f"Bureau {rng.choice(('Koers', 'Meervoud', 'U-Lab', 'Leergang', 'Verbinders', 'Horizon', 'Kompas'))} {b}"
        contact, email = _person(rng), f"bureau{b}@bench.example"
        values = {"name": name, "contact_name": contact, "contact_email": email, "city": rng.choice(CITIES)}
        at = next(clock)
        rows["bureau"].append((b, name, contact, email, values["city"], None, f"{90_000_000 + b}", ts(at)))
        admin.add(at, SYSTEM, "bureau.created", "bureau", b, changes={k: [None, v] for k, v in values.items()})
        pop.bureau_names.append(name)

    user_id = 0

    def user(email, role, org=None, bureau=None):
        nonlocal user_id
        user_id += 1
        name = _person(rng)
        at = next(clock)
        rows["user"].append((user_id, email, name, role, org, bureau, password_hash, secrets.token_urlsafe(32), True,
                             None, ts(at)))
        values = {"email": email, "name": name, "role": role, "organisation_id": org, "bureau_id": bureau}
        admin.add(at, SYSTEM, "user.created", "user", user_id, changes={k: [None, v] for k, v in values.items()})
        return user_id, name, email

    user("admin@bench.example", "admin")
    for o in range(1, scale.organisations + 1):
        pop.officers[o] = [user(f"officer{j}.org{o}@bench.example", "officer", org=o)
                           for j in range(1, scale.officers_per_org + 1)]
        pop.evaluators[o] = [user(f"evaluator{j}.org{o}@bench.example", "evaluator", org=o)
                             for j in range(1, scale.evaluators_per_org + 1)]
    for b in range(1, scale.bureaus + 1):
        uid, _name, email = user(f"bureau{b}@bench.example", "bureau", bureau=b)
        pop.bureau_users[b] = (uid, email)
    rows["audit_event"] = admin.rows
    rows["audit_chain_head"] = [admin.head()]
    return pop, rows


# --- one tender ---------------------------------------------------------------------------------------

def tender_states(scale: Scale) -> list[str]:
    """The state of every tender (index 0 is tender 1): exact proportions, shuffled, tender 1 in pitch."""
    states: list[str] = []
    for state, pct in STATE_MIX:
        states += [state] * round(scale.tenders * pct / 100)
    states = (states + ["awarded"] * scale.tenders)[: scale.tenders]
    random.Random(scale.seed).shuffle(states)
    if "pitch" in states:
        i = states.index("pitch")
        states[0], states[i] = states[i], states[0]
    return states


def filler_mean(scale: Scale, admin_events: int) -> float:
    """Extra draft-phase edits per tender so that the total comes to about `scale.events`."""
    base = 1 + 1 + 1 + 2 + 2 * scale.criteria + scale.evaluators + scale.invitations + 3  # typical tender
    base += events_per_tender(scale)  # declarations, sheets, shortlist (bench/panel_rows.py)
    others = max(1, scale.tenders - 1)
    return max(0.0, (scale.events - admin_events - scale.long_trail) / others - base)


def _sorted_moments(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = max(1.0, (end - start).total_seconds())
    return [start + timedelta(seconds=s) for s in sorted(rng.uniform(0, span) for _ in range(n))]


def build_tender(t: int, state: str, pop: Population, filler: float) -> tuple[dict[str, list], dict]:
    """All rows of tender `t` in `state`, and what the manifest needs to know about it."""
    scale, now = pop.scale, pop.now
    rng = random.Random(scale.seed * 1_000_003 + t)
    rows: dict[str, list] = {}
    org = (t - 1) % scale.organisations + 1
    officer_id, officer_name, _email = rng.choice(pop.officers[org])
    officer = Actor(officer_id, officer_name, "officer")
    n_lots = 2 if t == 1 else rng.choice((1, 2, 2, 3))
    incomplete = state == "draft" and rng.random() < 0.1  # a draft still being written: not ready to send

    # Where the tender is in its life: the invitations go out at t0; each step follows on its day.
    cancel_from = None
    if state == "cancelled":
        cancel_from = rng.choice(("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection"))
    steps = list(PATH_TO[cancel_from or state])
    if state == "draft" or cancel_from == "draft":
        t0 = now + timedelta(days=rng.uniform(8, 60))
        if cancel_from == "draft":
            t0 = now - timedelta(days=rng.uniform(5, 600))
    elif state in ("awarded", "unsuccessful", "cancelled"):
        t0 = now - timedelta(days=STEP_DAY[steps[-1]] + rng.uniform(1, 900))
    else:
        last = STEP_DAY[steps[-1]]
        nxt = STEP_DAY[MAIN_PATH[len(steps)]]
        t0 = now - timedelta(days=last + rng.uniform(0.05, nxt - last - 0.05))
    created = t0 - timedelta(days=rng.uniform(5, 45))
    if state == "draft":
        created = now - timedelta(days=rng.uniform(1, 45))
    step_at = {e: t0 + timedelta(days=STEP_DAY[e], seconds=rng.uniform(0, 600)) for e in steps}
    if state == "cancelled":
        after = step_at[steps[-1]] if steps else created
        step_at["cancel"] = min(now - timedelta(minutes=5), after + timedelta(days=rng.uniform(0.5, 30)))
        steps.append("cancel")
    draft_end = min(step_at[steps[0]] if steps else now, now) - timedelta(minutes=1)

    city = CITIES[(org - 1) % len(CITIES)]
    title = f"Leiderschapsprogramma {city} {created.year} ({t})"
    reference = f"SAM-{created.year}-{t:05d}"
    timeline = {
        "invitation_at": t0, "questions_deadline": t0 + timedelta(days=10), "vision_deadline": t0 + timedelta(days=20),
        "pitch_start": t0 + timedelta(days=25), "pitch_end": t0 + timedelta(days=26),
        "selection_at": t0 + timedelta(days=30),
    }
    brief = {
        "city_goals": f"{city} wil een stad zijn waar inwoners, bedrijven en de gemeente samen opgaven oppakken.",
        "development_track": "De organisatie ontwikkelt zich van regels naar bedoeling: eigenaarschap, samenwerken "
                             "over grenzen, leren in de praktijk.",
        "open_question": "Welke leiderschapsontwikkeling is nodig om deze doelen te halen, samen met de stad, tot "
                         "op persoonlijk niveau? En wilt u het programma met ons in co-creatie ontwerpen?",
    }
    if incomplete:
        brief = {k: "" for k in brief}

    # The draft: what the officer fixed, with the events that fixing wrote.
    chain = Chain(tender_chain(t), t)
    n_crit = 2 * scale.criteria
    base_events = 1 + (0 if incomplete else 1) + 1 + n_lots + n_crit + scale.evaluators + scale.invitations
    co_buyers = []
    if rng.random() < 0.1 and scale.organisations > 2:
        co_buyers = rng.sample([o for o in range(1, scale.organisations + 1) if o != org], rng.choice((1, 2)))
    base_events += len(co_buyers)
    if t == 1:
        panel_events = 2 * scale.evaluators * scale.invitations + 1 if "start_pitches" in steps else 0
        n_filler = max(0, scale.long_trail - base_events - len(steps) - panel_events)
    else:
        n_filler = rng.randint(0, max(0, int(round(2 * filler))))
    moments = iter(_sorted_moments(rng, created, draft_end, base_events + n_filler))

    description = "Een meerjarig leiderschapsprogramma in co-creatie, per managementlaag."
    chain.add(next(moments), officer, "tender.created", "tender", t,
              changes={"title": [None, title], "reference": [None, reference]})
    if not incomplete:
        chain.add(next(moments), officer, "tender.updated", "tender", t, changes={k: ["", v] for k, v in brief.items()})
    chain.add(next(moments), officer, "tender.updated", "tender", t,
              changes={k: [None, v] for k, v in timeline.items()})

    rows["lot"] = []
    lot_ids = []
    for k in range(n_lots):
        lot_id = (t - 1) * MAX_LOTS + k + 1
        lot_ids.append(lot_id)
        lot_title, lot_text = LOT_TITLES[k], f"Leiderschap voor de laag {LOT_TITLES[k].lower()}."
        rows["lot"].append((lot_id, t, k, lot_title, lot_text))
        chain.add(next(moments), officer, "lot.added", "lot", lot_id,
                  changes={"title": [None, lot_title], "description": [None, lot_text]})

    weights = _weights(scale.criteria)
    rows["criterion"], rows["scale_anchor"] = [], []
    criteria: dict[str, list[int]] = {"vision": [], "pitch": []}
    crit_text: dict[int, str] = {}
    for s, (stage, titles) in enumerate((("vision", VISION_CRITERIA), ("pitch", PITCH_CRITERIA))):
        for k in range(scale.criteria):
            cid = (t - 1) * n_crit + s * scale.criteria + k + 1
            criteria[stage].append(cid)
            ctitle = titles[k % len(titles)] + ("" if k < len(titles) else f" {k + 1}")
            crit_text[cid] = ""
            values = {"title": ctitle, "description": "", "weight": weights[k], "scale_min": 0, "scale_max": 10,
                      "scale_step": 2, "required": True, "counts_in_total": True}
            rows["criterion"].append((cid, t, stage, k, ctitle, "", weights[k], 0, 10, 2, True, True))
            for j, (score, text) in enumerate(ANCHORS.items()):
                rows["scale_anchor"].append(((cid - 1) * len(ANCHORS) + j + 1, cid, score, text))
            chain.add(next(moments), officer, "criterion.added", "criterion", cid,
                      changes={"stage": [None, stage], **{f: [None, v] for f, v in values.items()},
                               "anchors": [None, ANCHORS]})

    rows["panel_member"] = []
    panel = rng.sample(pop.evaluators[org], scale.evaluators)
    for k, (uid, name, _e) in enumerate(panel):
        at = next(moments)
        rows["panel_member"].append(((t - 1) * scale.evaluators + k + 1, t, uid, ts(at)))
        chain.add(at, officer, "panel.added", "panel_member", (t - 1) * scale.evaluators + k + 1,
                  changes={"evaluator": [None, name]})

    bureaus = rng.sample(range(1, scale.bureaus + 1), scale.invitations)
    invited_at = []
    for k, b in enumerate(bureaus):
        at = next(moments)
        invited_at.append(at)
        chain.add(at, officer, "invitee.added", "invitation", (t - 1) * scale.invitations + k + 1,
                  changes={"bureau": [None, pop.bureau_names[b - 1]]})
    rows["tender_buyer"] = [(t, o) for o in co_buyers]
    for o in co_buyers:
        chain.add(next(moments), officer, "buyer.added", "organisation", o,
                  changes={"co_buyer": [None, pop.org_names[o - 1]]})

    # A long drafting history: the description and the criteria's explanations are rewritten.
    for i in range(n_filler):
        at = next(moments)
        if i % 2 == 0:
            new = f"Een meerjarig leiderschapsprogramma in co-creatie, per managementlaag (versie {i // 2 + 2})."
            chain.add(at, officer, "tender.updated", "tender", t, changes={"description": [description, new]})
            description = new
        else:
            cid = criteria["vision" if i % 4 == 1 else "pitch"][(i // 4) % scale.criteria]
            new = f"Toelichting, herzien ({i // 2 + 1})."
            chain.add(at, officer, "criterion.updated", "criterion", cid, changes={"description": [crit_text[cid], new]})
            crit_text[cid] = new
    rows["criterion"] = [r[:5] + (crit_text[r[0]],) + r[6:] for r in rows["criterion"]]
    updated_at = chain.rows[-1][3]
    draft_version = chain.seq + 1

    reached = set(steps)

    # Invitations and what bureaus did with them.
    rows["invitation"] = []
    sent = "open_invitation" in reached
    responded = "open_submission" in reached
    accepted: list[tuple[int, int]] = []  # (invitation id, bureau)
    for k, b in enumerate(bureaus):
        iid = (t - 1) * scale.invitations + k + 1
        status, opened, answered, decline = "planned", None, None, None
        if sent:
            roll = rng.random()
            if responded:
                # Tender 1 (the long trail) has every bureau in: its trail length is known up front.
                status = "declined" if roll < 0.15 and k > 0 and t != 1 else "accepted"
            else:
                status = "sent" if roll < 0.3 else "opened" if roll < 0.5 else "declined" if roll < 0.6 else "accepted"
            if status != "sent":
                opened = t0 + timedelta(hours=rng.uniform(1, 48))
            if status in ("accepted", "declined"):
                answered = opened + timedelta(hours=rng.uniform(1, 72))
            if status == "declined":
                decline = "Wij hebben op dit moment geen capaciteit."
            if status == "accepted":
                accepted.append((iid, b))
        rows["invitation"].append((iid, t, b, status, ts(t0) if sent else None, 1 if sent else 0,
                                   ts(opened) if opened else None, ts(answered) if answered else None, decline,
                                   ts(invited_at[k])))

    # Visions: drafts while submission is open, submitted ones once it closed.
    rows["vision"], rows["vision_version"], rows["vision_lot"] = [], [], []
    reviewed = "close_submission" in reached
    submitting = "open_submission" in reached and not reviewed and state != "unsuccessful"
    visions = []  # bureaus with a submitted vision
    for iid, b in accepted:
        if not (reviewed or (submitting and rng.random() < 0.5)):
            continue
        started = t0 + timedelta(days=rng.uniform(2, 9))
        submitted = t0 + timedelta(days=rng.uniform(15, 19.9)) if reviewed else None
        sections = {
            "view": f"Leiderschap ontstaat in de praktijk van {city}: in gesprekken, in de wijk en in het team.",
            "co_creation": "We ontwerpen elke module samen met een ontwerpgroep uit de organisatie.",
            "personal_level": "Deelnemers werken aan hun eigen leervraag, met coaching en intervisie.",
            "experience": "Twaalf jaar ervaring met leiderschapsprogramma's voor gemeenten en corporaties.",
            "team": "Twee vaste trainers, een procesbegeleider en gastdocenten uit de stad.",
        }
        content_hash = hashlib.sha256(json.dumps(sections, sort_keys=True).encode()).hexdigest() if reviewed else None
        rows["vision"].append((iid, t, b, "submitted" if reviewed else "draft", 1 if reviewed else None,
                               ts(submitted) if submitted else None, ts(started), ts(submitted or started)))
        rows["vision_version"].append((iid, iid, 1, *sections.values(), ts(submitted) if submitted else None,
                                       pop.bureau_users[b][0] if submitted else None, content_hash, ts(started)))
        for k, lot_id in enumerate(lot_ids):
            rows["vision_lot"].append(((iid - 1) * MAX_LOTS + k + 1, iid, lot_id,
                                       f"Voor de laag {LOT_TITLES[k].lower()}: leren in de eigen praktijk."))
        if reviewed:
            visions.append(b)

    # The procedure: each step as the engine records it.
    state_now, cancel_reason = "draft", None
    panel_rows = Panel(t, scale, rng, chain, ts, rows, officer, panel, bureaus, pop.bureau_names, criteria)
    for event in steps:
        panel_rows.before_step(event, step_at[event], step_at.get("close_submission"), visions, officer_id)
        dest = STATE_AFTER[event]
        actor = SYSTEM if event in SYSTEM_STEPS else officer
        reason = None
        if event == "cancel":
            reason = cancel_reason = "De opdracht is vervallen door een bestuurlijk besluit."
        elif event == "declare_unsuccessful":
            reason = "Er is geen geldige visie ontvangen."
        chain.add(step_at[event], actor, f"tender.{event}", "tender", t, from_state=state_now, to_state=dest,
                  reason=reason)
        state_now = dest
    assert state_now == state, (t, state, state_now)
    if state == "vision_review":
        panel_rows.in_review(visions, step_at["close_submission"], now)
    state_changed = step_at[steps[-1]] if steps else created

    rows["tender"] = [(
        t, reference, title, description, brief["development_track"], brief["city_goals"], brief["open_question"],
        "multiple_private", rng.randrange(50, 700) * 1000, org, *(ts(v) for v in timeline.values()),
        "", 50, 50, 1, state, draft_version + len(steps), cancel_reason, officer_id, ts(created), updated_at,
        ts(state_changed),
    )]

    # The panel's agreed scores, per stage once that stage's scoring is over.
    rows["consensus_score"] = []
    for stage, done_when in (("vision", "start_pitches"), ("pitch", "start_selection")):
        if done_when not in reached:
            continue
        for b in (visions if stage == "vision" else panel_rows.shortlisted):  # pitch: the shortlisted only
            bi = visions.index(b)
            for ci, cid in enumerate(criteria[stage]):
                sid = (t - 1) * scale.invitations * n_crit + bi * n_crit + (0 if stage == "vision" else scale.criteria) + ci + 1
                rows["consensus_score"].append((sid, t, stage, b, cid, rng.choice((4, 6, 6, 8, 8, 10)), "",
                                                officer_id, ts(step_at[done_when] - timedelta(hours=2))))

    # After the award: a contract and a programme per lot.
    rows["contract"], rows["programme"] = [], []
    if state == "awarded" and visions:
        awarded = step_at["award"]
        for k, lot_id in enumerate(lot_ids):
            b = rng.choice(panel_rows.shortlisted or visions)  # the award goes to a bureau that pitched
            pstate = rng.choice(("plan", "running", "running", "evaluation", "ended"))
            start = awarded.date() + timedelta(days=30)
            rows["contract"].append((lot_id, t, lot_id, b, start.isoformat(), 3, rng.randrange(50, 300) * 1000,
                                     ts(awarded)))
            rows["programme"].append((lot_id, lot_id, t, lot_id, b, f"{title} — {LOT_TITLES[k]}", pstate, 1, "yearly",
                                      start.isoformat(), (start + timedelta(days=365)).isoformat(),
                                      "Het programma is afgerond." if pstate == "ended" else None, ts(awarded),
                                      ts(awarded)))

    rows["audit_event"] = chain.rows
    rows["audit_chain_head"] = [chain.head()]
    facts = {
        "id": t, "org": org, "state": state, "events": chain.seq, "version": draft_version + len(steps),
        "ready": state == "draft" and not incomplete, "panel": [uid for uid, _n, _e in panel],
        "invited": [b for b in bureaus] if sent else [], "visions": visions,
    }
    return rows, facts


def _weights(n: int) -> list[int]:
    if n == 6:
        return [25, 20, 15, 15, 15, 10]
    base = [100 // n] * n
    base[0] += 100 - sum(base)
    return base


# --- targets --------------------------------------------------------------------------------------------

class SqliteTarget:
    """executemany in big transactions; foreign keys checked once at the end."""

    name = "sqlite"

    def __init__(self, path: Path, create: bool = True):
        """A new database file at `path`; with create=False, an existing migrated, empty one."""
        from app.cli.database import upgrade

        self.path, self.url = path, f"sqlite:///{path}"
        if create:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            upgrade(self.url)
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        # A new file is loaded without a journal; an existing one keeps its (WAL) journal.
        fast = ("journal_mode=OFF", "synchronous=OFF") if create else ()
        for pragma in (*fast, "foreign_keys=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("BEGIN")

    def write(self, table: str, rows: list) -> None:
        if rows:
            cols = ", ".join(f'"{c}"' for c in COLUMNS[table])
            marks = ", ".join("?" * len(COLUMNS[table]))
            self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def finish(self) -> None:
        self.conn.execute(REVISIONS_SQL)
        self.conn.execute("COMMIT")
        broken = self.conn.execute("PRAGMA foreign_key_check").fetchmany(5)
        if broken:
            raise RuntimeError(f"generated rows break foreign keys: {broken}")
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


class PostgresTarget:
    """COPY … FROM STDIN per table and chunk into tables stripped of their secondary indexes, unique
    and foreign-key constraints; `finish` puts every one of them back, so the server builds each index
    in one sort and validates every constraint over the whole data before anyone uses it."""

    name = "postgresql"

    def __init__(self, url: str, create: bool = True):
        """A new database `url` (dropped first if it exists); with create=False, an existing migrated,
        empty one, which keeps its constraints while the rows go in."""
        import psycopg
        from sqlalchemy.engine import make_url

        from app.cli.database import upgrade
        from app.config import normalise_database_url

        self.url = normalise_database_url(url)
        sa_url = make_url(self.url)
        if create:
            server = sa_url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{sa_url.database}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{sa_url.database}"')
            upgrade(self.url)
        self.dsn = sa_url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(self.dsn)
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.conn.execute("SET synchronous_commit = off")
        self.constraints, self.indexes = [], []
        if create:
            self._strip()

    def _strip(self) -> None:
        self.constraints = self.conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = 'public'::regnamespace AND contype IN ('u', 'f')"
            " ORDER BY contype DESC, conname").fetchall()  # unique before foreign keys when put back
        self.indexes = self.conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)").fetchall()
        for table, name, definition in reversed(self.constraints):
            self.conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            self.conn.execute(f"DROP INDEX {name}")
        self.conn.commit()

    def write(self, table: str, rows: list) -> None:
        if rows:
            cols = ", ".join(f'"{c}"' for c in COLUMNS[table])
            with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)

    def commit(self) -> None:
        self.conn.commit()

    def finish(self) -> None:
        self.conn.execute(REVISIONS_SQL)  # before the indexes come back
        self.conn.commit()
        self.conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in self.indexes:
            self.conn.execute(definition)
        for table, name, definition in self.constraints:
            self.conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in FILLED:
            if table not in ("tender_buyer", "audit_chain_head"):  # the tables numbered by a sequence
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM \"{table}\"), false)")
        self.conn.commit()
        self.conn.autocommit = True
        if self.indexes:  # a new database: set the visibility maps (index-only scans) of all but the big trail
            for table in FILLED:
                self.conn.execute(f'{"ANALYZE" if table == "audit_event" else "VACUUM ANALYZE"} "{table}"')
        else:
            self.conn.execute("ANALYZE")
        self.conn.close()


# --- the whole data set -----------------------------------------------------------------------------------

_POP: Optional[Population] = None
_STATES: list[str] = []
_FILLER = 0.0


def _chunk(bounds: tuple[int, int]) -> tuple[dict[str, list], list[dict]]:
    rows: dict[str, list] = {t: [] for t in TABLES}
    facts = []
    for t in range(bounds[0], bounds[1]):
        tender_rows, tender_facts = build_tender(t, _STATES[t - 1], _POP, _FILLER)
        for table, r in tender_rows.items():
            rows[table].extend(r)
        facts.append(tender_facts)
    return rows, facts


@dataclass
class Generated:
    scale: Scale
    seconds: float
    rows: dict[str, int]
    manifest: dict


def generate(scale: Scale, targets: list, *, workers: Optional[int] = None, chunk: int = 200,
             progress=None) -> Generated:
    """Write the data set into every target; return row counts and the manifest for the load runs."""
    global _POP, _STATES, _FILLER
    from app.auth.passwords import hash_password
    from app.models import metadata

    check_columns(metadata)
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    pop, rows = build_population(scale, now, hash_password(PASSWORD))
    _POP, _STATES = pop, tender_states(scale)
    _FILLER = filler_mean(scale, len(rows["audit_event"]))
    counts = {t: 0 for t in TABLES}
    _write(targets, rows, counts)

    bounds = [(lo, min(lo + chunk, scale.tenders + 1)) for lo in range(1, scale.tenders + 1, chunk)]
    workers = (os.cpu_count() or 2) if workers is None else workers
    facts: list[dict] = []
    if workers and len(bounds) > 1:
        pool = multiprocessing.get_context("fork").Pool(workers)
        results: Iterable = pool.imap(_chunk, bounds)
    else:
        pool, results = None, map(_chunk, bounds)
    try:
        for i, (chunk_rows, chunk_facts) in enumerate(results):
            _write(targets, chunk_rows, counts)
            facts.extend(chunk_facts)
            if progress:
                progress(min(scale.tenders, (i + 1) * chunk), scale.tenders, counts["audit_event"])
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    for target in targets:
        target.finish()
    counts["score_revision"] = counts["score"]  # copied in the database (bench/panel_rows.py)
    return Generated(scale, time.perf_counter() - started, counts, manifest(scale, pop, facts))


def _write(targets: list, rows: dict[str, list], counts: dict[str, int]) -> None:
    """One batch of rows into every target, table by table in foreign-key order, in one transaction."""
    for target in targets:
        for table in TABLES:
            target.write(table, rows[table])
        target.commit()
    for table in TABLES:
        counts[table] += len(rows[table])


def manifest(scale: Scale, pop: Population, facts: list[dict]) -> dict:
    """What the load generator needs: accounts, and tenders picked for each measured page."""
    by_id = {f["id"]: f for f in facts}
    org1 = [f for f in facts if f["org"] == 1]
    evaluator_pages, bureau_pages = [], []
    for f in facts:
        if f["state"] == "vision_review" and f["visions"] and len(evaluator_pages) < 50:
            # The first member's draft sheet for the first bureau (bench/panel_rows.py `in_review`).
            evaluator_pages.append({"tender": f["id"], "user": _email_of(pop, f["panel"][0]),
                                    "bureau": f["visions"][0]})
        if f["invited"] and len(bureau_pages) < 50:
            bureau_pages.append({"tender": f["id"], "user": pop.bureau_users[f["invited"][0]][1]})
    return {
        "scale": asdict(scale),
        "password": PASSWORD,
        "officers": {str(o): [email for _i, _n, email in pop.officers[o]] for o in pop.officers},
        "long_trail": {"tender": 1, "events": by_id[1]["events"], "org": 1},
        "tenders_of_org1": [f["id"] for f in org1],
        "states_of_org1": sorted({f["state"] for f in org1}),
        "ready_drafts": [{"tender": f["id"], "version": f["version"], "org": f["org"]} for f in facts if f["ready"]],
        "evaluator_pages": evaluator_pages,
        "bureau_pages": bureau_pages,
        "awarded": [f["id"] for f in facts if f["state"] == "awarded"][:50],
        "states": {s: sum(1 for f in facts if f["state"] == s) for s, _pct in STATE_MIX},
    }


def _email_of(pop: Population, user_id: int) -> str:
    for people in (*pop.officers.values(), *pop.evaluators.values()):
        for uid, _name, email in people:
            if uid == user_id:
                return email
    raise KeyError(user_id)


def main() -> None:  # python -m bench.generate --tenders 1000 --sqlite path --postgres url
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--sqlite", type=Path)
    parser.add_argument("--postgres")
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()
    targets = ([SqliteTarget(args.sqlite)] if args.sqlite else []) + \
              ([PostgresTarget(args.postgres)] if args.postgres else [])

    def progress(done, total, events):
        print(f"\r  {done}/{total} tenders, {events:,} events", end="", flush=True)

    result = generate(Scale.at(args.tenders), targets, workers=args.workers, progress=progress)
    print(f"\n{sum(result.rows.values()):,} rows in {result.seconds:.1f} s: {result.rows}")


if __name__ == "__main__":
    main()
