"""The theme form parser and the signed draft cookie, without a database."""

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from app.config import get_settings
from app.survey import drafts
from app.survey.drafts import DRAFT_COOKIE, Draft, read_draft, write_draft
from app.survey.forms import CodeForm, ThemeForm
from tests.builders import statement_set

THEME = statement_set().themes[1]  # statements 20–24
VALID = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "dont_know": None}


def test_a_fully_answered_theme_parses_to_ratings_without_errors():
    values = ["1", "5", "dont_know", "3", "4"]
    form = {f"statement-{n}": v for n, v in zip(range(20, 25), values, strict=True)}

    parsed = ThemeForm.parse(form, theme=THEME)

    assert parsed.ratings == {20: 1, 21: 5, 22: None, 23: 3, 24: 4}
    assert parsed.errors == {} and parsed.selected == form


@given(st.dictionaries(st.sampled_from([f"statement-{n}" for n in range(18, 27)]),
                       st.one_of(st.sampled_from(list(VALID)), st.text(max_size=4))))
def test_each_statement_is_either_a_valid_rating_or_an_error_never_both(form):
    parsed = ThemeForm.parse(form, theme=THEME)

    for statement in THEME.statements:
        name = f"statement-{statement.number}"
        if form.get(name) in VALID:
            assert parsed.ratings[statement.number] == VALID[form[name]]
            assert name not in parsed.errors
        else:
            assert statement.number not in parsed.ratings
            assert "statement " + str(statement.number) in parsed.errors[name]
    assert set(parsed.ratings) <= {s.number for s in THEME.statements}  # others ignored
    assert list(parsed.errors) == sorted(parsed.errors, key=lambda k: int(k.split("-")[1]))


@pytest.mark.parametrize("typed", ["abcd-efgh-jkmn", " ABCD EFGH JKMN ", "ABCDEFGHJKMN"])
def test_a_code_is_forgiven_spaces_hyphens_and_lower_case(typed):
    assert CodeForm(code=typed).code == "ABCDEFGHJKMN"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter your code"), ("  - ", "Enter your code"), ("ABCD-EFGH", "Code must be 12")],
)
def test_a_missing_or_short_code_is_refused_with_a_gov_uk_message(typed, message):
    with pytest.raises(ValidationError) as refused:
        CodeForm(code=typed)
    assert message in str(refused.value)


def request_with(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{DRAFT_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def written(draft: Draft) -> str:
    response = Response()
    write_draft(response, draft, path="/survey/abc")
    header = response.headers["set-cookie"]
    return header.split(";")[0].split("=", 1)[1]


@given(st.dictionaries(st.integers(1, 32), st.sampled_from([1, 2, 3, 4, 5, None])),
       st.one_of(st.none(), st.text(alphabet="ABCDEFGH23456789", min_size=12, max_size=12)))
def test_a_draft_comes_back_exactly_as_it_was_written(ratings, code):
    draft = Draft(ratings=ratings, code=code)

    again = read_draft(request_with(written(draft)))

    assert again.ratings == ratings and again.code == code
    assert again.submission_key == draft.submission_key


def test_a_forged_or_expired_draft_is_ignored(monkeypatch):
    cookie = written(Draft(ratings={1: 5}))
    # Change one byte of the sealed data (its first character carries six whole bits).
    forged = ("B" if cookie[20] == "A" else "A").join((cookie[:20], cookie[21:]))

    assert read_draft(request_with(forged)) is None
    assert read_draft(request_with("not-a-draft")) is None
    assert read_draft(request_with(None)) is None
    monkeypatch.setattr(drafts, "DRAFT_MAX_AGE_SECONDS", -1)
    assert read_draft(request_with(cookie)) is None


def test_a_draft_sealed_under_another_secret_is_ignored(monkeypatch):
    cookie = written(Draft(ratings={1: 5}))
    monkeypatch.setenv("SECRET_KEY", "another-secret-key-that-is-long-enough-too")
    get_settings.cache_clear()
    try:
        assert read_draft(request_with(cookie)) is None
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert read_draft(request_with(cookie)).ratings == {1: 5}


@given(st.dictionaries(st.integers(1, 32), st.sampled_from([1, 2, 3, 4, 5]), min_size=1),
       st.text(alphabet="ABCDEFGH23456789", min_size=12, max_size=12))
def test_no_answer_key_or_code_can_be_read_from_the_cookie(ratings, code):
    draft = Draft(ratings=ratings, code=code)
    cookie = written(draft)
    raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))

    for secret in (draft.submission_key, code, json.dumps(draft.public_ratings())[:12]):
        assert secret not in cookie
        assert secret.encode() not in raw


def test_each_draft_has_its_own_random_submission_key():
    assert len({Draft().submission_key for _ in range(100)}) == 100
