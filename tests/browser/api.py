"""Set-up through the JSON API, for what a browser test needs but is not about.

The error-page test needs an open round; the journey needs other organisations' closed rounds,
so that benchmarks and national averages (3 organisations at least) have something to show.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

SET_KEY = "child-and-family-2019"
PROGRAMME = "child_and_family"
STATEMENTS = range(1, 33)

PASSWORD = "a long enough password 2026"
Ratings = dict[int, int | None]  # statement number → score 1–5, or None for "I do not know"


@contextmanager
def employer_api(base_url: str, *, name: str, region: str = "south_west",
                 email: str | None = None) -> Iterator[httpx.Client]:
    """An API client signed in as the lead of a newly registered organisation (whose lead signs
    in with `email`, when given, and PASSWORD)."""
    email = email or f"lead-{secrets.token_hex(4)}@example.org"
    password = PASSWORD
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as api:
        registered = api.post(
            "/auth/register",
            json={
                "organisation": {
                    "name": name,
                    "employer_type": "fostering_agency",
                    "region": region,
                    "teaching_partnership": None,
                    "programmes": [PROGRAMME],
                },
                "email": email,
                "password": password,
            },
        )
        assert registered.status_code == 201, registered.text
        token = api.post("/auth/token", data={"username": email, "password": password})
        assert token.status_code == 200, token.text
        api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield api


def answered_round(api: httpx.Client, *, year: str, self_assessment: Ratings,
                   answers: dict[str, list[Ratings]]) -> dict:
    """A round of the API client's organisation, answered and closed."""
    round_ = _open_round(api, year)
    saved = api.put(
        f"/rounds/{round_['id']}/self-assessment", json={"ratings": _json(self_assessment)}
    )
    assert saved.status_code == 200, saved.text
    for respondent_type, responses in answers.items():
        token = round_["links"][respondent_type].rstrip("/").rsplit("/", 1)[-1]
        for ratings in responses:
            sent = api.post(f"/survey/{token}/responses", json={"ratings": _json(ratings)})
            assert sent.status_code == 201, sent.text
    closed = api.post(f"/rounds/{round_['id']}/close")
    assert closed.status_code == 200, closed.text
    return closed.json()


def _open_round(api: httpx.Client, year: str) -> dict:
    created = api.post(
        "/rounds",
        json={
            "programme": PROGRAMME,
            "year": year,
            "statement_set": SET_KEY,
            "expected": {"nqsw": 4, "line_manager": 2, "other": 0},
        },
    )
    assert created.status_code == 201, created.text
    opened = api.post(f"/rounds/{created.json()['id']}/open")
    assert opened.status_code == 200, opened.text
    return opened.json()


def _json(ratings: Ratings) -> dict[str, int | None]:
    return {str(number): score for number, score in ratings.items()}


def open_round(base_url: str, *, name: str, year: str) -> dict:
    """A new organisation's open round, as GET /rounds/{id} returns it (with `links`)."""
    with employer_api(base_url, name=name) as api:
        return _open_round(api, year)


def closed_round(
    base_url: str,
    *,
    name: str,
    year: str,
    self_assessment: Ratings,
    answers: dict[str, list[Ratings]],
) -> dict:
    """A new organisation's round, answered (respondent type → responses) and closed."""
    with employer_api(base_url, name=name) as api:
        return answered_round(api, year=year, self_assessment=self_assessment, answers=answers)
