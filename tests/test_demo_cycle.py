"""`asye360 demo` shows the quality-assurance cycle (issue 15): a closed round with an action
plan, the previous year's plan followed up in its report, an open round with a closing date,
and evidence whose printed verification code works."""

import re

from sqlmodel import select

from app.accounts.models import User
from app.demo import DEMO_EMPLOYER_EMAIL, load_demo
from app.lifecycle.models import Round
from tests.builders import api_headers


def test_the_demo_employer_has_plans_a_follow_up_a_closing_date_and_working_evidence(
    client, session
):
    summary = load_demo()

    lead = session.exec(select(User).where(User.email == DEMO_EMPLOYER_EMAIL)).one()
    headers = api_headers(lead)
    rounds = client.get("/api/v1/rounds", headers=headers,
                        params={"programme": "child_and_family"}).json()
    by_status = {}
    for round_ in rounds:
        by_status.setdefault(round_["status"], []).append(round_)
    [open_round] = by_status["open"]
    assert open_round["closes_on"] is not None
    last, before_last = sorted(by_status["closed"], key=lambda r: r["year"], reverse=True)

    plan = client.get(f"/api/v1/rounds/{last['id']}/action-plan", headers=headers).json()
    assert len(plan["items"]) == 2
    report = client.get(f"/api/v1/rounds/{last['id']}/report", headers=headers).json()
    follow_up = report["previous_action_plan"]
    earlier = client.get(f"/api/v1/rounds/{before_last['id']}/action-plan",
                         headers=headers).json()["items"]
    assert [item["statement"] for item in follow_up] == [item["statement"] for item in earlier]
    statements = {s["number"]: s for s in report["statements"]}
    for item in follow_up:  # each change is this year's average minus last year's
        assert item["change"] == statements[item["statement"]]["previous"]["change"]

    code = re.search(r"check (\S+) at", summary)[1]
    client.cookies.clear()
    verified = client.get(f"/api/v1/verify/{code}")
    assert verified.status_code == 200
    assert verified.json()["year"] == last["year"]
    assert session.get(Round, last["id"]).status == "closed"
