"""The measured endpoints. To measure another page, add an `Endpoint` to ENDPOINTS.

An endpoint turns the data set's manifest (see bench/generate.py `manifest`) and the logged-in
accounts into a stream of prepared requests. GET pages cycle through their URLs for as long as the
measurement runs; a POST that changes state yields each request once (every transition must really
happen), so it ends when its prepared objects run out.

The pages of the later stages find what they need in the manifest: `evaluator_pages` (the first
member of a panel in vision review, with every declaration made and a draft sheet for the first
bureau), `bureau_pages` (a bureau with a sent invitation) and `awarded` tenders (published, so their
OCDS packages are public). Each page is driven by a few accounts (`PAGE_ACCOUNTS`), all logged in
before measuring (`accounts_needed`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from bench.load import Account, Request, request

Login = Callable[[str], Account]


@dataclass(frozen=True)
class Endpoint:
    name: str
    requests: Callable[[dict, Login], Iterable[Request]]
    kind: str = "page"  # page (a GET), ceiling, or transition (a POST that changes state)
    scaling: bool = True  # also measured in the scaling run (GET pages)


def officer(manifest: dict, login: Login, org: int = 1) -> Account:
    return login(manifest["officers"][str(org)][0])


def cycle_get(accounts: Account | list[Account], paths: list[str]) -> Iterator[Request]:
    accounts = accounts if isinstance(accounts, list) else [accounts]
    return itertools.cycle([request("GET", path, account) for path in paths for account in accounts])


def _dashboards(m: dict, login: Login) -> Iterator[Request]:
    # The officer of organisation 1 (the bench's own officer; its tenders hold the long trail).
    return cycle_get(officer(m, login), ["/"])


def _tender_pages(m: dict, login: Login) -> Iterator[Request]:
    # Organisation 1's tenders, every state: the page differs by stage (drafts carry the edit forms).
    return cycle_get(officer(m, login), [f"/tenders/{t}" for t in m["tenders_of_org1"]])


def _long_trail(m: dict, login: Login) -> Iterator[Request]:
    trail = m["long_trail"]
    pages = -(-trail["events"] // 50)
    return cycle_get(officer(m, login, trail["org"]), [f"/tenders/{trail['tender']}/audit?page={pages}"])


PAGE_ACCOUNTS = 4  # accounts (and objects) per role-specific page: a few sessions, logged in up front


def _scoring_sheets(m: dict, login: Login) -> Iterator[Request]:
    # The sheet an evaluator works in: the criteria with their anchors, the bureau's vision, the history.
    pages = m["evaluator_pages"][:PAGE_ACCOUNTS]
    return itertools.cycle([request("GET", f"/evaluation/tenders/{p['tender']}/vision/{p['bureau']}", login(p["user"]))
                            for p in pages])


def _bureau_tenders(m: dict, login: Login) -> Iterator[Request]:
    # The portal's tender page of an invited bureau: the brief, lots, criteria, bulletins, its questions.
    pages = m["bureau_pages"][:PAGE_ACCOUNTS]
    return itertools.cycle([request("GET", f"/portal/tenders/{p['tender']}", login(p["user"])) for p in pages])


def _bureau_index(m: dict, login: Login) -> Iterator[Request]:
    # The bureau's landing page: its tasks and its invitations (every bureau is invited to about 1 % of tenders).
    return itertools.cycle([request("GET", "/portal", login(p["user"])) for p in m["bureau_pages"][:PAGE_ACCOUNTS]])


def _ocds_records(m: dict, _login: Login) -> Iterator[Request]:
    # Public, no session: the record package of an awarded tender (releases compiled into one record).
    return itertools.cycle([request("GET", f"/open-data/tenders/{t}/records.json") for t in m["awarded"][:20]])


def _transitions(m: dict, login: Login) -> Iterator[Request]:
    """Send the invitations of every ready draft, each once, as an officer of its lead buyer."""
    for draft in m["ready_drafts"]:
        account = officer(m, login, draft["org"])
        yield request("POST", f"/tenders/{draft['tender']}/actions/open_invitation", account,
                      {"csrf_token": account.csrf, "version": draft["version"], "reason": ""}, expect=(302, 303))


def _ceiling(m: dict, login: Login) -> Iterator[Request]:
    return cycle_get(officer(m, login), ["/_bench/ceiling"])


CEILING = Endpoint("ceiling (constant, no database)", _ceiling, kind="ceiling")
ENDPOINTS: list[Endpoint] = [
    Endpoint("officer dashboard", _dashboards),
    Endpoint("tender page", _tender_pages),
    Endpoint("audit trail, last of 5,000 events", _long_trail),
    Endpoint("scoring sheet (evaluator)", _scoring_sheets),
    Endpoint("bureau portal: tender page", _bureau_tenders),
    Endpoint("bureau portal: index", _bureau_index),
    Endpoint("OCDS record package (public)", _ocds_records),
    Endpoint("transition: send invitations (POST)", _transitions, kind="transition", scaling=False),
]


def accounts_needed(manifest: dict) -> list[str]:
    """Accounts to log in before measuring, so no login happens inside a measurement."""
    orgs = sorted({d["org"] for d in manifest["ready_drafts"]} | {1, manifest["long_trail"]["org"]})
    others = [p["user"] for key in ("evaluator_pages", "bureau_pages") for p in manifest[key][:PAGE_ACCOUNTS]]
    return [manifest["officers"][str(o)][0] for o in orgs] + list(dict.fromkeys(others))
