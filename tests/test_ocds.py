"""OCDS 1.1 publication: every stage validates with libcoveocds (offline), releases appear only for
published steps, and nothing sealed or confidential ever shows — tested per stage."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import AuditEvent, Bureau, Contract, Invitation, Lot, Tender, User
from app.ocds import publication, sources
from app.ocds.common import iso
from app.ocds.packages import MERGE_RULES
from tests.ocds_check import ocds_files, validate  # noqa: F401
from tests.opendata_factories import SECRETS, decided, opendata  # noqa: F401

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BEFORE_AWARD = {
    "invitation": ["tender"],
    "vision_submission": ["tender"],
    "vision_review": ["tender", "opening"],
    "pitch": ["tender", "opening"],
    "selection": ["tender", "opening"],
    "standstill": ["tender", "opening", "decision-1"],
    "cancelled": ["tender", "opening", "cancellation"],
    "unsuccessful": ["tender", "unsuccessful"],
}


def _get(client, tender, kind="releases"):
    response = client.get(f"/open-data/tenders/{tender.id}/{kind}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_data(as_text=True), response.get_json()


def _dates(node, key=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _dates(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _dates(v, key)
    elif key in ("date", "publishedDate", "startDate", "endDate", "dueDate", "dateMet", "dateModified"):
        yield node


def _assert_public_and_valid(client, tender, validate, bureau_names=()):
    packages = {}
    for kind in ("releases", "records"):
        text, package = _get(client, tender, kind)
        validate(package)
        for secret in SECRETS.values():
            assert secret not in text, f"{secret} leaked into the {kind} of a {tender.state} tender"
        for name in bureau_names:
            assert name not in text, f"{name} is published before the opening"
        assert all(ISO_Z.match(d) for d in _dates(package)), list(_dates(package))
        packages[kind] = package
    return packages


@pytest.mark.parametrize("state", list(BEFORE_AWARD))
def test_each_stage_is_valid_and_keeps_secrets(state, opendata, client, validate):
    tender = opendata.tender(state)
    packages = _assert_public_and_valid(client, tender, validate)
    releases = packages["releases"]["releases"]
    ocid = f"ocds-smnspl-{tender.reference}"
    assert [r["id"] for r in releases] == [f"{ocid}-{suffix}" for suffix in BEFORE_AWARD[state]]
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)
    record = packages["records"]["records"][0]
    assert record["ocid"] == ocid and len(record["releases"]) == len(releases)
    expected_status = {"cancelled": "cancelled", "unsuccessful": "unsuccessful"}.get(state, "active")
    assert record["compiledRelease"]["tender"]["status"] == expected_status
    assert record["compiledRelease"]["tag"] == ["compiled"]


def test_awarded_tender_is_valid_and_complete(opendata, client, validate, session):
    tender = opendata.tender("awarded", ended=True)
    packages = _assert_public_and_valid(client, tender, validate)
    contracts = session.exec(select(Contract).where(Contract.tender_id == tender.id).order_by(Contract.id)).all()
    first, second = (f"contract-{c.id}" for c in contracts)
    suffixes = ["tender", "opening", "decision-1", "award", first, second, f"{first}-assessment-1",
                f"{second}-assessment-1", f"{first}-termination"]
    releases = packages["releases"]["releases"]
    assert [r["id"].removeprefix(f"ocds-smnspl-{tender.reference}-") for r in releases] == suffixes
    assert [r["tag"] for r in releases][3:] == [["awardUpdate"], ["contract"], ["contract"], ["implementation"],
                                                ["implementation"], ["contractTermination"]]

    compiled = packages["records"]["records"][0]["compiledRelease"]
    lots = session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position, Lot.id)).all()
    assert compiled["tender"]["status"] == "complete"
    assert [lot["status"] for lot in compiled["tender"]["lots"]] == ["complete", "complete"]
    awards = {a["id"]: a for a in compiled["awards"]}
    for c in contracts:
        lot_no = str([lot.id for lot in lots].index(c.lot_id) + 1)
        award = awards[f"award-{lot_no}-{c.bureau_id}"]
        assert award["status"] == "active" and award["relatedLots"] == [lot_no]
        assert award["value"] == {"amount": c.value_eur, "currency": "EUR"}
        assert award["contractPeriod"] == {"startDate": "2027-05-31T22:00:00Z", "endDate": "2030-05-31T21:59:59Z"}
        assert award["suppliers"][0]["name"] == session.get(Bureau, c.bureau_id).name
    by_id = {c["id"]: c for c in compiled["contracts"]}
    assert by_id[first]["status"] == "terminated" and by_id[second]["status"] == "active"
    milestone = by_id[second]["implementation"]["milestones"][0]
    assert (milestone["type"], milestone["status"], milestone["dueDate"]) == ("assessment", "met",
                                                                                "2028-05-31T21:59:59Z")
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    winners = {session.get(Bureau, c.bureau_id).name for c in contracts}
    assert all(roles[name] == ["tenderer", "supplier"] for name in winners)
    assert [name for name, r in roles.items() if r == ["tenderer"]] != []  # the third bureau lost


def test_tender_release_describes_the_procedure(opendata, client, session):
    tender = opendata.tender("invitation", co_buyer=True)
    release = _get(client, tender)[1]["releases"][0]
    sent = session.exec(select(AuditEvent).where(AuditEvent.action == "tender.open_invitation")).one()
    assert release["date"] == iso(sent.occurred_at) and release["tag"] == ["tender"]
    assert release["language"] == "nl" and release["initiationType"] == "tender"
    t = release["tender"]
    assert (t["id"], t["title"], t["status"]) == (tender.reference, tender.title, "active")
    assert (t["procurementMethod"], t["awardCriteria"], t["mainProcurementCategory"]) == (
        "selective", "ratedCriteria", "services")
    assert t["procurementMethodDetails"].startswith("Meervoudig onderhandse procedure")
    assert "vision criterium 1 (60 %" in t["awardCriteriaDetails"] and "pitch criterium 2 (50 %" in t["awardCriteriaDetails"]
    assert "Beste prijs-kwaliteitverhouding" in t["awardCriteriaDetails"]
    assert t["value"] == {"amount": 180_000, "currency": "EUR"}
    assert t["tenderPeriod"] == {"startDate": iso(sent.occurred_at), "endDate": iso(tender.vision_deadline)}
    assert t["enquiryPeriod"]["endDate"] == iso(tender.questions_deadline)
    assert t["awardPeriod"] == {"startDate": iso(tender.vision_deadline), "endDate": iso(tender.selection_at)}
    assert [(lot["id"], lot["title"]) for lot in t["lots"]] == [("1", "Laag 1"), ("2", "Laag 2")]
    assert "tenderers" not in t and "awards" not in release
    lead, partner = release["parties"]
    assert lead["roles"] == ["buyer", "procuringEntity"] and partner["roles"] == ["buyer"]
    assert partner["identifier"] == {"scheme": "NL-OIN", "id": "00000001002564440000", "legalName": partner["name"]}
    assert partner["id"] == "NL-OIN-00000001002564440000"
    assert release["buyer"] == {"id": lead["id"], "name": lead["name"]} == t["procuringEntity"]


def test_who_submitted_stays_sealed_until_the_opening(opendata, client, session, validate):
    tender = opendata.tender("vision_submission")
    names = session.exec(select(Bureau.name).join(Invitation, Invitation.bureau_id == Bureau.id)
                         .where(Invitation.tender_id == tender.id)).all()
    _assert_public_and_valid(client, tender, validate, bureau_names=names)
    assert "numberOfTenderers" not in _get(client, tender)[0]

    opened = opendata.tender("vision_review")
    tenderers = _get(client, opened)[1]["releases"][-1]["tender"]["tenderers"]
    invited = session.exec(select(Bureau.name).join(Invitation, Invitation.bureau_id == Bureau.id)
                           .where(Invitation.tender_id == opened.id).order_by(Invitation.id)).all()
    # Three submitted; the fourth declined (and has only a draft vision): not a tenderer.
    assert sorted(t["name"] for t in tenderers) == sorted(invited[:3])


def test_award_decision_comes_from_the_selection_source(opendata, client, decided, validate, session):
    tender = opendata.tender("standstill")
    pending = _get(client, tender)[1]["releases"][-1]
    assert pending["tag"] == ["award"] and {a["status"] for a in pending["awards"]} == {"pending"}
    assert sum("supplier" in p["roles"] for p in pending["parties"]) == 2

    # The objection is upheld and a new decision goes out: the first is withdrawn, a second follows.
    first = decided.by_tender[tender.id][0]
    withdrawn_at = first.decided_at + timedelta(days=5)
    new_winners = ((first.winners[0][0], first.winners[1][1]), first.winners[1])
    decided.by_tender[tender.id] = [
        sources.AwardDecision(tender.id, first.decided_at, first.winners, withdrawn_at),
        sources.AwardDecision(tender.id, withdrawn_at + timedelta(days=3), new_winners),
    ]
    packages = _assert_public_and_valid(client, tender, validate)
    releases = packages["releases"]["releases"]
    assert [r["tag"] for r in releases[2:]] == [["award"], ["awardCancellation"], ["award"]]
    compiled = packages["records"]["records"][0]["compiledRelease"]
    statuses = sorted((a["id"], a["status"]) for a in compiled["awards"])
    assert [s for _id, s in statuses].count("pending") == 2 and [s for _id, s in statuses].count("cancelled") == 1
    suppliers = [p for p in compiled["parties"] if "supplier" in p["roles"]]
    assert len(suppliers) == 1  # one bureau now wins both lots

    # Back in selection after the objection: the withdrawn decision stays published.
    decided.by_tender[tender.id] = decided.by_tender[tender.id][:1]
    opendata.record_transition(tender, session.get(User, tender.created_by_id), "reopen_selection", "selection", withdrawn_at)
    session.commit()
    package = _assert_public_and_valid(client, tender, validate)["releases"]
    assert [r["tag"] for r in package["releases"]] == [["tender"], ["tenderUpdate"], ["award"], ["awardCancellation"]]

    # Without a registered source nothing about the award is published (never guessed from the ranking).
    sources.award_decisions(None)
    text, package = _get(client, tender)
    assert [r["tag"] for r in package["releases"]] == [["tender"], ["tenderUpdate"]]
    assert '"supplier"' not in text


def test_drafts_unknown_and_never_published_tenders_are_404(opendata, client, session):
    draft = opendata.tender("draft")
    dropped = opendata.tender("cancelled", cancelled_from="draft")
    shown = opendata.tender("invitation")
    for tender_id in (draft.id, dropped.id, 9999):
        for kind in ("releases", "records"):
            assert client.get(f"/open-data/tenders/{tender_id}/{kind}.json").status_code == 404
    index = client.get("/open-data/").get_data(as_text=True)
    assert shown.reference in index and draft.reference not in index and dropped.reference not in index
    assert f"/open-data/tenders/{shown.id}/records.json" in index


@pytest.mark.app_config(OCDS_PREFIX="ocds-abc123", OCDS_PUBLISHER="Gemeente Almere",
                        OCDS_LICENSE="https://creativecommons.org/publicdomain/zero/1.0/")
def test_ids_are_stable_and_the_prefix_is_configurable(opendata, client):
    tender = opendata.tender("pitch")
    first = _get(client, tender)[1]
    clock.advance(timedelta(days=30))
    again = _get(client, tender)[1]
    assert first["releases"] == again["releases"]
    assert first["publishedDate"] != again["publishedDate"]
    assert first["releases"][0]["ocid"] == f"ocds-abc123-{tender.reference}"
    assert first["publisher"] == {"name": "Gemeente Almere"} and first["license"].endswith("/zero/1.0/")
    assert first["uri"] == f"http://127.0.0.1:5000/open-data/tenders/{tender.id}/releases.json"
    assert first["version"] == "1.1" and len(first["extensions"]) == 1


def test_query_count_does_not_grow_with_the_tender(opendata, client, count_queries):
    small = opendata.tender("awarded", lots=1, bureaus=3, submitted=2)
    large = opendata.tender("awarded", lots=4, bureaus=5, submitted=4, ended=True)
    counts = []
    for url in [f"/open-data/tenders/{t.id}/records.json" for t in (small, large)]:
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] == 11


def test_merge_rules_are_the_standards(ocds_files):
    """The compiled release uses the merge rules of the OCDS 1.1.5 schema, lots extension included."""
    import zipfile

    import json_merge_patch
    from ocdsmerge.rules import get_merge_rules

    with zipfile.ZipFile(ocds_files["zip"]) as z:
        schema = json.loads(z.read("standard-1__1__5/schema/release-schema.json"))
    lots = json.loads((ocds_files["dir"] / "ocds_lots_extension-v1.1.5" / "release-schema.json").read_text())
    assert get_merge_rules(json_merge_patch.merge(schema, lots)) == MERGE_RULES


def test_cli_exports_all_published_tenders(opendata, runner, tmp_path, validate, session):
    draft = opendata.tender("draft")
    published = [opendata.tender("invitation"), opendata.tender("awarded"), opendata.tender("unsuccessful")]
    opendata.tender("cancelled", cancelled_from="draft")
    out = tmp_path / "all.json"
    result = runner.invoke(args=["ocds", "export", "--output", str(out)])
    assert result.exit_code == 0, result.output
    package = json.loads(out.read_text())
    validate(package)
    assert sorted({r["ocid"] for r in package["releases"]}) == sorted(f"ocds-smnspl-{t.reference}" for t in published)

    result = runner.invoke(args=["ocds", "export", "--records", "--output", str(out)])
    records = json.loads(out.read_text())
    validate(records)
    assert len(records["records"]) == 3 and "Wrote the records of 3 tender(s)" in result.output

    result = runner.invoke(args=["ocds", "export", "--tender", str(published[1].id)])
    one = json.loads(result.stdout)
    assert {r["ocid"] for r in one["releases"]} == {f"ocds-smnspl-{published[1].reference}"}

    for tender_id in (draft.id, 9999):
        result = runner.invoke(args=["ocds", "export", "--tender", str(tender_id), "--output", str(tmp_path / "x")])
        assert result.exit_code == 1 and "has not left draft" in result.output
        assert not (tmp_path / "x").exists()

    # In batches of one tender the package is the same: the export pages through the tenders.
    fp = io.StringIO()
    assert publication.export(session, fp, "releases", batch=1) == 3
    assert [r["id"] for r in json.loads(fp.getvalue())["releases"]] == [r["id"] for r in package["releases"]]
    assert session.exec(select(Tender).where(Tender.id == draft.id)).one().state == "draft"


# --- the real award and programme areas as sources (no stand-ins) ---------------------------------------

def _published(client, tender, validate, secrets):
    """Both packages validate; no confidential text appears; returns (releases, compiled release)."""
    packages = {}
    for kind in ("releases", "records"):
        text, package = _get(client, tender, kind)
        validate(package)
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into the {kind} ({tender.reference})"
        packages[kind] = package
    return packages["releases"]["releases"], packages["records"]["records"][0]["compiledRelease"]


def _steps(releases, tender):
    return [r["id"].removeprefix(f"ocds-smnspl-{tender.reference}-") for r in releases]


def test_real_award_decisions_objection_contract_and_yearly_assessments(make, session, client, validate):
    from app.award.queries import current_decision
    from app.models import AwardDecision, ProgrammeEvaluation
    from tests.award_journey import PROGRAMME_TEXTS, SECRETS as MARKERS, Journey

    j = Journey(make, session)
    secrets = [*MARKERS.values(), *PROGRAMME_TEXTS, j.users[0].email, j.users[1].email]
    a, b = (bureau.id for bureau in j.bureaus)
    j.to_standstill()
    tender = session.get(Tender, j.tender.id)
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender) == ["tender", "opening", "decision-1"]
    first = session.exec(select(AwardDecision).where(AwardDecision.tender_id == tender.id)).one()
    assert releases[-1]["date"] == iso(first.sent_at) and releases[-1]["tag"] == ["award"]
    assert [(x["id"], x["status"]) for x in compiled["awards"]] == [(f"award-1-{a}", "pending")]
    assert {p["name"]: p["roles"] for p in compiled["parties"]}[j.bureaus[0].name] == ["tenderer", "supplier"]

    # B's objection is upheld: decision 1 is withdrawn (its winner A read from the letters, since the
    # selection may change from here on), the tender is back in selection.
    j.uphold_objection()
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender) == ["tender", "opening", "decision-1", "decision-1-withdrawn"]
    assert releases[-1]["tag"] == ["awardCancellation"]
    assert releases[-1]["date"] == iso(session.get(AwardDecision, first.id).closed_at)
    assert [(x["id"], x["status"]) for x in compiled["awards"]] == [(f"award-1-{a}", "cancelled")]

    # Decision 2 selects B; the withdrawn decision still says A.
    j.decide_again()
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender)[-1] == "decision-2"
    assert releases[2]["awards"] == [dict(releases[2]["awards"][0], id=f"award-1-{a}", status="pending")]
    assert sorted((x["id"], x["status"]) for x in compiled["awards"]) == sorted(
        [(f"award-1-{a}", "cancelled"), (f"award-1-{b}", "pending")])
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles[j.bureaus[0].name] == ["tenderer"] and roles[j.bureaus[1].name] == ["tenderer", "supplier"]

    # The standstill ends: the definitive award, the contract with its period.
    programme = j.award()
    contract = session.get(Contract, programme.contract_id)
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender)[-2:] == ["award", f"contract-{contract.id}"]
    assert [r["tag"] for r in releases[-2:]] == [["awardUpdate"], ["contract"]]
    period = {"startDate": iso(clock.amsterdam(contract.start_date.year, contract.start_date.month,
                                               contract.start_date.day)),
              "endDate": iso(clock.amsterdam(contract.start_date.year + 1, contract.start_date.month,
                                             contract.start_date.day) - timedelta(seconds=1))}
    awards = {x["id"]: x for x in compiled["awards"]}
    assert awards[f"award-1-{b}"]["status"] == "active" and awards[f"award-1-{b}"]["contractPeriod"] == period
    assert awards[f"award-1-{a}"]["status"] == "cancelled"
    (published_contract,) = compiled["contracts"]
    assert published_contract["awardID"] == f"award-1-{b}" and published_contract["period"] == period
    assert published_contract["status"] == "active" and "implementation" not in published_contract
    assert compiled["tender"]["status"] == "complete"
    assert current_decision(session, tender.id).status == "final"

    # Two yearly evaluations: each an implementation release with an `assessment` milestone.
    j.agree_plan()
    j.evaluation_year("adjust")
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender)[-1] == f"contract-{contract.id}-assessment-1"
    assert releases[-1]["tag"] == ["implementation"]
    j.evaluation_year("continue")
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender)[-2:] == [f"contract-{contract.id}-assessment-1",
                                             f"contract-{contract.id}-assessment-2"]
    assert releases[-1]["tag"] == ["implementationUpdate"]
    evaluations = session.exec(select(ProgrammeEvaluation).where(ProgrammeEvaluation.programme_id == programme.id)
                               .order_by(ProgrammeEvaluation.id)).all()
    milestones = compiled["contracts"][0]["implementation"]["milestones"]
    assert [(m["id"], m["type"], m["status"], m["dateMet"]) for m in milestones] == [
        (f"assessment-{n}", "assessment", "met", iso(e.decided_at)) for n, e in enumerate(evaluations, start=1)]
    assert milestones[0]["description"] == "Besluit: het programma gaat door met aanpassingen."
    assert milestones[0]["relatedLots"] == ["1"]
    assert milestones[1]["title"].startswith("Evaluatie 2 (")

    # The third evaluation ends the programme: its assessment, then the contract's termination.
    j.evaluation_year("end")
    releases, compiled = _published(client, tender, validate, secrets)
    assert _steps(releases, tender)[-2:] == [f"contract-{contract.id}-assessment-3",
                                             f"contract-{contract.id}-termination"]
    assert [r["tag"] for r in releases[-2:]] == [["implementationUpdate"], ["contractTermination"]]
    ended = compiled["contracts"][0]
    assert ended["status"] == "terminated"
    assert ended["implementation"]["milestones"][-1]["description"] == "Besluit: het programma stopt."


def test_sources_answer_with_a_fixed_number_of_queries(make, session, count_queries):
    from app.award.ocds import award_decisions
    from app.programmes.ocds import assessments
    from tests.award_journey import Journey

    j = Journey(make, session)
    j.to_standstill()
    ids = [j.tender.id, 99999]
    with count_queries() as q:
        assert len(award_decisions(session, ids)) == 1
    assert q.count == 2  # the decisions, the current selections
    j.uphold_objection()
    j.decide_again()
    with count_queries() as q:
        decisions = award_decisions(session, ids)
    assert q.count == 4  # … and for the withdrawn one: the lots, its letters
    assert [(d.winners, d.withdrawn_at is not None) for d in decisions] == [
        (((j.lot.id, j.bureaus[0].id),), True), (((j.lot.id, j.bureaus[1].id),), False)]
    with count_queries() as q:
        assert assessments(session, ids) == []
    assert q.count == 1
