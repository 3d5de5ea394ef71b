"""Check answers' summary lists, made once per theme and filled in per page, are byte for byte
what GOV.UK's summary-list macro writes for the same answers and links."""

from hypothesis import given
from hypothesis import strategies as st

from app.core.templating import environment
from app.survey.journey import answers_list
from tests.builders import statement_set

SET = statement_set()
SCORES = st.one_of(st.none(), st.sampled_from([point.value for point in SET.scale]))
# Links as a journey makes them, and anything else: quotes, ampersands, angle brackets, NULs.
HREFS = st.one_of(st.text(),
                  st.from_regex(r"/survey/[A-Za-z0-9_-]{1,40}/theme/[0-9]", fullmatch=True))


def the_macro(theme, ratings, change_urls):
    """Independently: the macro itself, given every answer's label as check.html gave it."""
    labels = {point.value: f"{point.value} – {point.label}" for point in SET.scale}
    values = {s.number: SET.do_not_know if ratings[s.number] is None else labels[ratings[s.number]]
              for s in theme.statements}
    macro = environment.get_template("survey/macros.html").module.answers_list
    return str(macro(theme, values, change_urls))


@given(st.data())
def test_a_themes_list_is_what_the_macro_writes(data):
    theme = data.draw(st.sampled_from(SET.themes))
    numbers = [s.number for s in theme.statements]
    ratings = {n: data.draw(SCORES) for n in numbers}
    change_urls = {n: data.draw(HREFS) for n in numbers}

    made = answers_list(theme, SET, ratings, change_urls)

    assert str(made) == the_macro(theme, ratings, change_urls)


def test_a_page_shows_its_own_answers_not_the_last_pages():
    theme = SET.themes[0]
    everything_1 = {s.number: 1 for s in theme.statements}
    everything_unknown = {s.number: None for s in theme.statements}
    urls = {s.number: f"/survey/a/theme/1#statement-{s.number}-question" for s in theme.statements}
    other_urls = {n: url.replace("/a/", "/b/") for n, url in urls.items()}

    first = answers_list(theme, SET, everything_1, urls)
    second = answers_list(theme, SET, everything_unknown, other_urls)

    assert str(first).count(SET.do_not_know) == 0 and "/b/" not in str(first)
    assert str(second).count(SET.do_not_know) == len(theme.statements)
    assert "/a/" not in str(second)
