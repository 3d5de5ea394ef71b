"""`once`: a GOV.UK component macro's HTML remembered per params, the same as calling it."""

from markupsafe import Markup

from app.core.templating import environment, once

_NAMES = {"button": "govukButton", "back-link": "govukBackLink", "phase-banner": "govukPhaseBanner"}


def _macro(name: str):
    path = f"govuk_frontend_jinja/components/{name}/macro.html"
    return getattr(environment.get_template(path).module, _NAMES[name])


def test_once_makes_what_the_macro_makes_and_keeps_it():
    button = _macro("button")
    params = {"text": "Continue", "preventDoubleClick": True}
    first = once(button, params)
    assert first == button(params)
    assert once(button, dict(params)) is first  # the same params: not made again
    assert once(button, {"text": "Send", "preventDoubleClick": True}) == button(
        {"text": "Send", "preventDoubleClick": True})


def test_text_and_markup_are_kept_apart():
    banner = _macro("phase-banner")
    as_text = once(banner, {"tag": {"text": "Beta"}, "text": "<b>new</b>"})
    as_html = once(banner, {"tag": {"text": "Beta"}, "html": Markup("<b>new</b>")})
    as_text_in_html = once(banner, {"tag": {"text": "Beta"}, "html": "<b>new</b>"})
    assert "&lt;b&gt;new&lt;/b&gt;" in as_text and "<b>new</b>" in as_html
    assert as_text_in_html == banner({"tag": {"text": "Beta"}, "html": "<b>new</b>"})


def test_params_that_are_not_plain_data_are_made_every_time():
    made = []

    def macro(params):
        made.append(1)
        return Markup(f"<a href=\"{params['href']}\">Back</a>")

    once(macro, {"href": "/x", "extra": object()})
    once(macro, {"href": "/x", "extra": object()})
    assert len(made) == 2
    once(macro, {"href": "/y"})
    once(macro, {"href": "/y"})
    assert len(made) == 3
    assert once(_macro("back-link"), {"href": "/survey/a"}) == _macro("back-link")(
        {"href": "/survey/a"})
