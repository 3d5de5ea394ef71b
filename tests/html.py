"""The check every page test runs on the HTML it fetches: structure, labels, links and forms."""

from bs4 import BeautifulSoup

# Inputs a person never types into, so they need no label.
_UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


def assert_good_page(response, *, title_contains: str | None = None) -> BeautifulSoup:
    """Assert the page is well formed and accessible in the ways a test can see; return its soup.

    `response` is a test client's response or a Starlette response from app.core.templating.render.

    Use it on every page a test fetches, then assert on what the page says:

        soup = assert_good_page(client.get("/"), title_contains="Evaluate")
        assert soup.h1.get_text(strip=True) == "Evaluate your ASYE programme"
    """
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), f"not an HTML page: {content_type!r}"
    # A test client's response has .text; a Starlette response rendered directly has .body.
    html = response.text if hasattr(response, "text") else response.body.decode()
    soup = BeautifulSoup(html, "html.parser")
    problems = (
        _document_problems(soup, title_contains)
        + _id_problems(soup)
        + _form_problems(soup)
        + _script_problems(soup)
    )
    assert not problems, "page problems:\n  " + "\n  ".join(problems)
    return soup


def _document_problems(soup: BeautifulSoup, title_contains: str | None) -> list[str]:
    problems = []
    html = soup.find("html")
    if html is None or html.get("lang") != "en":
        problems.append('<html> must have lang="en"')

    # An SVG chart's <title> is its accessible name, not the page's.
    titles = [t for t in soup.find_all("title") if t.find_parent("svg") is None]
    title = titles[0].get_text(" ", strip=True) if len(titles) == 1 else ""
    if len(titles) != 1:
        problems.append(f"expected exactly one <title>, found {len(titles)}")
    elif not title or title.startswith("–"):
        problems.append(f"the <title> has no page name: {title!r}")
    if title_contains is not None and title_contains not in title:
        problems.append(f"title {title!r} does not contain {title_contains!r}")

    headings = soup.find_all("h1")
    if len(headings) != 1:
        problems.append(f"expected exactly one <h1>, found {len(headings)}")
    elif not headings[0].get_text(strip=True):
        problems.append("the <h1> is empty")

    if not soup.select('a[href="#main-content"]'):
        problems.append("no skip link to #main-content")

    # GOV.UK pattern: a page showing an error summary says so first in its title.
    if soup.select(".govuk-error-summary") and not title.startswith("Error: "):
        problems.append(f'a page with an error summary needs a title starting "Error: ": {title!r}')
    return problems


def _id_problems(soup: BeautifulSoup) -> list[str]:
    problems = []
    ids: set[str] = set()
    for element in soup.find_all(id=True):
        if element["id"] in ids:
            problems.append(f"duplicate id {element['id']!r}")
        ids.add(element["id"])

    for label in soup.find_all("label", attrs={"for": True}):
        if label["for"] not in ids:
            problems.append(f"<label for={label['for']!r}> points at no element")

    for element in soup.find_all(attrs={"aria-describedby": True}):
        for target in element["aria-describedby"].split():
            if target not in ids:
                problems.append(
                    f"aria-describedby={target!r} on <{element.name}> points at nothing"
                )

    # Error summary links, the skip link, tabs: every in-page link must land somewhere.
    for link in soup.find_all("a", href=True):
        href = link["href"]
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            problems.append(f"link to {href!r} points at no element")
    return problems


def _form_problems(soup: BeautifulSoup) -> list[str]:
    problems = []
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        if not form.get("action"):
            problems.append("a POST <form> has no action")
        token = form.find("input", attrs={"type": "hidden", "name": "csrf_token"})
        if token is None or not token.get("value"):
            problems.append(f"POST form to {form.get('action')!r} has no csrf_token value")

    labelled = {label["for"] for label in soup.find_all("label", attrs={"for": True})}
    for field in soup.find_all(["input", "select", "textarea"]):
        if (
            field.name == "input"
            and (field.get("type") or "text").lower() in _UNLABELLED_INPUT_TYPES
        ):
            continue
        has_label = (
            field.get("id") in labelled
            or field.find_parent("label") is not None
            or field.get("aria-label")
            or field.get("aria-labelledby")
        )
        if not has_label:
            problems.append(f"<{field.name} name={field.get('name')!r}> has no label")
    return problems


def _script_problems(soup: BeautifulSoup) -> list[str]:
    # Inline handlers break under our Content-Security-Policy and hide behaviour from review.
    return [
        f"inline handler {name}= on <{element.name}>"
        for element in soup.find_all(True)
        for name in element.attrs
        if name.lower().startswith("on")
    ]
