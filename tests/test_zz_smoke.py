from tests.programme_factories import ProgrammeFactory
def test_smoke(make, login_as, session):
    pf = ProgrammeFactory(make)
    st = pf.programme()
    c = login_as(st.officer)
    r = c.get("/programmes/")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = c.get(f"/programmes/{st.programme.id}")
    assert r.status_code == 200, r.get_data(as_text=True)
    v = pf.agreed_plan(st, max_participants=3)
    assert st.programme.state == "running"
    for url in ["/programmes/", f"/programmes/{st.programme.id}", f"/programmes/{st.programme.id}/plan/1",
                f"/programmes/{st.programme.id}/participants", f"/programmes/{st.programme.id}/plan/compare?a=1.1&b=1"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])

def test_smoke_cycle(make, login_as, session, runner):
    from datetime import timedelta
    from app import clock
    from app.clock import amsterdam
    clock.freeze(amsterdam(2027, 6, 1, 10))
    pf = ProgrammeFactory(make)
    st = pf.programme()
    v = pf.agreed_plan(st, max_participants=3)
    clock.advance(timedelta(days=366))
    r = runner.invoke(args=["tenders", "tick"])
    assert "evaluation opened" in r.output, r.output
    pf.submit_forms(st)
    c = login_as(st.officer)
    pid = st.programme.id
    for url in [f"/programmes/{pid}", f"/programmes/{pid}/evaluations/1", "/programmes/"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])
    session.refresh(st.programme)
    r = c.post(f"/programmes/{pid}/evaluations/1/decision", data={"version": st.programme.version, "decision": "adjust",
               "meeting_on": "2028-06-01", "notes": "Meer één-op-één gesprekken"})
    assert r.status_code == 302, r.get_data(as_text=True)
    for url in [f"/programmes/{pid}", f"/programmes/{pid}/evaluations/1", "/programmes/", f"/programmes/{pid}/plan/2",
                f"/programmes/{pid}/plan/2/edit", f"/programmes/{pid}/plan/compare?a=1&b=2"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])
    open("/tmp/show.html", "w").write(c.get(f"/programmes/{pid}").get_data(as_text=True))
