"""The measured endpoints. To measure another page, add an `Endpoint` to ENDPOINTS.

An endpoint turns the data set's manifest (see bench/generate.py `manifest`) and the logged-in
accounts into a stream of prepared requests. GET pages cycle through their URLs for as long as the
measurement runs; a POST that changes state yields each request once (every transition must really
happen), so it ends when its prepared objects run out.

Pages of areas still to come (the evaluator's scoring sheet, the bureau portal, the OCDS record
package) find what they need in the manifest already: `evaluator_pages` (an evaluator on the panel
of a tender in review), `bureau_pages` (a bureau with a sent invitation) and `awarded` tenders.
For example:

    Endpoint("scoring sheet", lambda m, login: cycle_get(
        login(p["user"]), [f"/evaluation/{p['tender']}/score" for p in m["evaluator_pages"][:1]])),
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
    Endpoint("transition: send invitations (POST)", _transitions, kind="transition", scaling=False),
]


def accounts_needed(manifest: dict) -> list[str]:
    """Accounts to log in before measuring, so no login happens inside a measurement."""
    orgs = sorted({d["org"] for d in manifest["ready_drafts"]} | {1, manifest["long_trail"]["org"]})
    return [manifest["officers"][str(o)][0] for o in orgs]
