"""Short links on posters (issue 15): `/s/{short}` leads to its survey, typed any way; unknown
ones are the normal 404 and are limited per address, so they cannot be enumerated."""

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.config import get_settings
from app.survey.links import SHORT_CODE_LENGTH
from app.survey.models import RoundLink
from app.survey.service import SurveyNotFound, follow_short_link
from tests.builders import make_employer, make_survey_round, sign_in
from tests.html import assert_good_page

# Independent of app.survey.codes: the letters and digits a person cannot misread.
UNAMBIGUOUS = set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


@pytest.fixture
def made(session):
    return make_survey_round(session, name="Riverside Council")


def short_codes(session, round_id: int) -> dict[str, str]:
    return dict(session.exec(
        select(RoundLink.respondent_type, RoundLink.short_code)
        .where(RoundLink.round_id == round_id)).all())


def test_every_new_link_gets_its_own_short_code_of_at_least_40_bits(session, made):
    other = make_survey_round(session, name="Hillside Trust")
    codes = [*short_codes(session, made.round.id).values(),
             *short_codes(session, other.round.id).values()]

    assert len(codes) == len(set(codes)) == 6
    for code in codes:
        assert len(code) == SHORT_CODE_LENGTH and set(code) <= UNAMBIGUOUS
    assert SHORT_CODE_LENGTH * math.log2(len(UNAMBIGUOUS)) >= 40


def test_a_short_link_redirects_to_its_links_survey_start_page(client, session, made):
    for kind, code in short_codes(session, made.round.id).items():
        response = client.get(f"/s/{code[:5]}-{code[5:]}", follow_redirects=False)

        assert response.status_code == 303
        assert response.headers["location"] == f"/survey/{made.links[kind]}"
    assert_good_page(client.get(f"/s/{code}"), title_contains="Riverside Council")


def test_a_short_link_may_be_typed_in_any_case_with_or_without_hyphens_and_spaces(
    client, session, made
):
    code = short_codes(session, made.round.id)["nqsw"]
    for typed in (code.lower(), f"{code[:5].lower()}-{code[5:]}", f"{code[:5]} {code[5:]}",
                  f"{code[:3]}--{code[3:7].lower()} {code[7:]}"):
        response = client.get(f"/s/{typed}", follow_redirects=False)
        assert response.status_code == 303, typed
        assert response.headers["location"] == f"/survey/{made.links['nqsw']}"


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_spelling_of_a_short_code_finds_its_link_and_nothing_else_does(
    session, made, data
):
    codes = short_codes(session, made.round.id)
    kind = data.draw(st.sampled_from(sorted(codes)))
    code = codes[kind]
    # The oracle: the code as stored, each character in either case, separators anywhere.
    separators = st.sampled_from(["", "-", " ", "  "])
    typed = "".join(data.draw(separators) + data.draw(st.sampled_from([c, c.lower()]))
                    for c in code) + data.draw(separators)
    assert follow_short_link(session=session, short=typed, address="prop") == made.links[kind]

    # Changing any one character to another of the alphabet is (all but surely) no link.
    position = data.draw(st.integers(0, len(code) - 1))
    other = data.draw(st.sampled_from(sorted(UNAMBIGUOUS - {code[position]})))
    changed = code[:position] + other + code[position + 1:]
    if changed not in codes.values():
        with pytest.raises(SurveyNotFound):
            follow_short_link(session=session, short=changed, address="prop")


@pytest.mark.parametrize("typed", ["ABCDE-FGHJK", "ABCDE", "abc", "0O1IL-0O1IL",
                                   "ABCDEFGHJKMNP"])
def test_an_unknown_short_link_is_the_normal_not_found_page(client, made, typed):
    response = client.get(f"/s/{typed}")

    assert response.status_code == 404
    soup = assert_good_page(response)
    assert soup.select_one("h1").get_text(strip=True) == "Page not found"


def test_unknown_short_links_are_limited_per_address_and_then_nothing_is_looked_up(
    client, session, made, monkeypatch
):
    monkeypatch.setattr(get_settings(), "unknown_short_links_per_address_per_hour", 5)
    code = short_codes(session, made.round.id)["other"]
    for _ in range(8):  # known ones never count
        assert client.get(f"/s/{code}", follow_redirects=False).status_code == 303

    assert [client.get(f"/s/ZZZZZ-ZZZ{n}{n}").status_code for n in range(2, 7)] == [404] * 5
    refused = client.get("/s/ZZZZZ-ZZZ77")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert "Too many links that do not exist" in assert_good_page(refused).get_text()
    # Past the limit a real short link is refused alike: a refusal tells nothing.
    assert client.get(f"/s/{code}", follow_redirects=False).status_code == 429
    # Another address is not held back.
    with pytest.raises(SurveyNotFound):
        follow_short_link(session=session, short="ZZZZZ-ZZZ88", address="elsewhere")
    assert follow_short_link(session=session, short=code, address="elsewhere") == \
        made.links["other"]


def test_the_round_page_shows_each_links_short_link(client, session, made):
    sign_in(client, make_employer(session, organisation=made.organisation))
    soup = assert_good_page(client.get(f"/rounds/{made.round.id}"))

    for kind, code in short_codes(session, made.round.id).items():
        shown = soup.select_one(f"#short-link-{kind}").get_text(strip=True)
        assert shown == f"http://testserver/s/{code[:5]}-{code[5:]}"
        assert re.fullmatch(r"http://testserver/s/[A-Z0-9]{5}-[A-Z0-9]{5}", shown)


def test_a_short_link_with_a_control_character_is_refused_before_any_lookup(client, made):
    assert client.get("/s/ABCDE%00FGHJK").status_code == 422
