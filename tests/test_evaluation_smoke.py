import pytest
from tests.evaluation_factories import EvaluationFactory


@pytest.fixture
def ev(make):
    return EvaluationFactory(make)


def test_smoke(ev, login_as):
    sc = ev.in_review(bureau_users=True)
    assert sc.tender.state == "vision_review"
    e = sc.evaluators[0]
    c = login_as(e)
    r = c.get("/evaluation/")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = c.get(f"/evaluation/tenders/{sc.id}")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = c.get(f"/evaluation/tenders/{sc.id}/conflicts")
    assert r.status_code == 200, r.get_data(as_text=True)
    ev.to_pitch(sc)
    ev.pitches_held(sc)
    ev.score_round(sc, "pitch", {b.id: [6, 8] for b in sc.bureaus})
    for url in ["/evaluation/", f"/evaluation/tenders/{sc.id}", f"/evaluation/tenders/{sc.id}/ranking",
                f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}",
                f"/evaluation/tenders/{sc.id}/vision/{sc.bureaus[0].id}/consensus",
                f"/evaluation/tenders/{sc.id}/bureaus/{sc.bureaus[0].id}"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    o = login_as(sc.officer)
    for url in ["/evaluation/", f"/evaluation/tenders/{sc.id}", f"/evaluation/tenders/{sc.id}/ranking",
                f"/evaluation/tenders/{sc.id}/shortlist", f"/evaluation/tenders/{sc.id}/slots",
                f"/evaluation/tenders/{sc.id}/pitch/{sc.bureaus[0].id}/consensus", f"/tenders/{sc.id}"]:
        r = o.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    b = login_as(sc.bureau_users[sc.bureaus[0].id])
    for url in ["/evaluation/pitches", f"/evaluation/pitches/{sc.id}", f"/evaluation/pitches/{sc.id}/pitch.ics"]:
        r = b.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
