"""Fuzz the JSON API from its own OpenAPI schema, in process: no 500s, nothing off the schema.

Schemathesis generates valid and invalid requests for every operation; the test steers part of
them onto real rows (round ids, link tokens, codes, credentials, complete ratings) so they get
past the 404s and 422s into the code that stores and computes. Each response must not be a
server error, must match its documented schema and must have a documented status code.

`make test` runs FUZZ_EXAMPLES (default 25) examples per operation; `make fuzz` runs 500.
"""

import os

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from app.main import API_PREFIX, create_app
from tests.builders import full_ratings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
SET_KEYS = ["child-and-family-2019", "adults-2019", "no-such-set"]
YEARS = ["2024-25", "2025-26", "2026-27"]


def served_schema() -> dict:
    """The schema exactly as the service serves it at /api/v1/openapi.json.

    The client is not entered, so the app's start-up (which needs a database) does not run.
    """
    return TestClient(create_app()).get(f"{API_PREFIX}/openapi.json").json()


schema = schemathesis.openapi.from_dict(served_schema())

# What an attacker sends (issue 13): control characters (NUL first: PostgreSQL cannot store it),
# over-long strings (past the body limit too), and look-alikes of an email or a name.
NASTY = st.sampled_from([
    "\x00", "a\x00b", "\x1b[31m", "\x7f", "\u0085", "\x08", "tab\there\nnew line",
    "x" * 5_000, "y" * 70_000,
    "l\u0435ad@example.org", "\uff4c\uff45\uff41\uff44@example.org", "le\u200bad@example.org",
    "\u0130nfo@example.org", "River\u202eside", "\ufeff", "\U0001f600",
])
ratings = st.fixed_dictionaries(
    {str(n): st.one_of(st.none(), st.integers(1, 5)) for n in full_ratings()}
)


def _steer(case, data, world) -> dict[str, str]:
    """Point part of the generated requests at real rows; return the headers to send."""
    path = case.operation.path
    params = case.path_parameters or {}
    if "round_id" in params:
        params["round_id"] = data.draw(st.sampled_from(
            [*world.rounds.values(), params["round_id"]]), label="round_id")
    if "token" in params:
        tokens = [t for state in ("open", "closed", "draft") for t in world.links[state]]
        params["token"] = data.draw(st.sampled_from([*tokens, params["token"]]), label="token")
    if "key" in params:
        params["key"] = data.draw(st.sampled_from([*SET_KEYS, params["key"]]), label="key")
    if "year" in params:
        params["year"] = data.draw(st.sampled_from([*YEARS, params["year"]]), label="year")
    if isinstance(case.query, dict) and "programme" in case.query and data.draw(st.booleans()):
        case.query["programme"] = data.draw(st.sampled_from(["child_and_family", "adults"]))

    valid_body = data.draw(st.booleans(), label="valid body")
    if valid_body and path.endswith("/responses") or path.endswith("/self-assessment") \
            and case.method.upper() == "PUT" and valid_body:
        body = {"ratings": data.draw(ratings, label="ratings")}
        if path.endswith("/code/responses"):
            body["code"] = data.draw(st.sampled_from(world.codes), label="code")
        case.body = body
    elif valid_body and path.endswith("/auth/token"):
        case.body = {"username": world.employer_email, "password": world.password}
    elif valid_body and path == f"{API_PREFIX}/rounds" and case.method.upper() == "POST":
        case.body = {
            "programme": data.draw(st.sampled_from(["child_and_family", "adults"])),
            "year": data.draw(st.sampled_from([*YEARS, "2027-28"])),
            "statement_set": data.draw(st.sampled_from([None, *SET_KEYS])),
            "expected": {"nqsw": 5, "line_manager": 2, "other": 1},
        }

    if data.draw(st.integers(0, 3), label="nasty") == 0:
        _make_nasty(case, params, data)

    intended = world.national if path.startswith(f"{API_PREFIX}/national") else world.employer
    other = world.employer if intended is world.national else world.national
    if not case.operation.definition.raw.get("security"):
        return {}
    return data.draw(st.sampled_from([intended, intended, intended, other, {}]), label="auth")


def _make_nasty(case, params: dict, data) -> None:
    """Put one nasty string in a path parameter, a query parameter or a string of the body."""
    nasty = data.draw(NASTY, label="nasty string")
    places: list[tuple[dict, str]] = [(params, name) for name in params]
    if isinstance(case.query, dict):
        places += [(case.query, name) for name in case.query]
    stack = [case.body] if isinstance(case.body, dict) else []
    while stack:
        item = stack.pop()
        for name, value in item.items():
            if isinstance(value, dict):
                stack.append(value)
            else:
                places.append((item, name))
    if places:
        holder, name = data.draw(st.sampled_from(places), label="nasty place")
        holder[name] = nasty


@schema.parametrize()
@schema.given(data=st.data())
# No explicit phase: the schema's own examples cannot be combined with the steering above.
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_keeps_to_its_schema(case, data, app, fuzz_world):
    headers = _steer(case, data, fuzz_world)
    case.call_and_validate(
        session=ASGIClient(app), base_url="http://testserver", headers=headers, checks=CHECKS,
    )
