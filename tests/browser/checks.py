"""The checks every browser test runs on a page: axe-core at WCAG 2.2 AA, title, visible focus."""

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Enough presses to get past the header (skip link, logo, navigation, sign out, back link) into
# <main> on every page of the service; a page that needs more has a problem of its own.
MAX_TABS_TO_MAIN = 12


@cache
def axe_source() -> str:
    """axe-core's script, from the npm devDependency (`cd frontend && npm ci`)."""
    if not AXE_PATH.is_file():
        raise RuntimeError(
            f"axe-core is missing: {AXE_PATH} does not exist. Install the front-end packages "
            "with `cd frontend && npm ci` (or `make setup`)."
        )
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page as it is now; the violations at the WCAG 2.2 AA tags."""
    if getattr(page.context, "javascript_enabled", True) is False:
        return _axe_on_a_scripted_copy(page)
    # The harness adds axe as an init script (page scripts cannot: the CSP refuses inline
    # scripts); this only guards against a page opened some other way.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise RuntimeError("axe-core is not in this page: open pages through the harness")
    return page.evaluate(
        """async (tags) => {
            const result = await window.axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "), html: n.html, summary: n.failureSummary,
                })),
            }));
        }""",
        list(AXE_TAGS),
    )


def _axe_on_a_scripted_copy(page: Page) -> list[dict]:
    """axe on a page whose browser runs no script: on the same HTML, at the same address.

    axe needs timers, which never fire where scripts are off (its run would wait for ever), so
    the page's DOM, without its <script> elements, is served again at its address to a
    context that runs scripts, at the same viewport size. The page's stylesheets load as
    before and its body has no `js-enabled` class, so it looks as it did without JavaScript.
    """
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    context = page.context.browser.new_context(
        viewport=page.viewport_size, java_script_enabled=True
    )
    try:
        context.add_init_script(script=axe_source())
        copy = context.new_page()
        copy.route(
            page.url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        copy.goto(page.url)
        return axe_violations(copy)
    finally:
        context.close()


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {node['target']}")
            lines.append(f"       {node['html'][:200]}")
            for reason in (node["summary"] or "").splitlines():
                lines.append(f"       {reason.strip()}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url} "
        f"({page.title()!r}):\n{describe_violations(violations)}"
    )


# Focus

# The styles a focus indicator can change, read from the element and, for GOV.UK radios and
# checkboxes (whose input is transparent), from the ::before of the label that draws them.
_FOCUS_STYLE = """(element) => {
    const styles = (el, pseudo) => {
        const s = getComputedStyle(el, pseudo);
        return {
            outline: [s.outlineStyle, s.outlineWidth, s.outlineColor].join(" "),
            outlineVisible: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                && s.outlineColor !== "rgba(0, 0, 0, 0)" && s.outlineColor !== "transparent",
            boxShadow: s.boxShadow,
            background: s.backgroundColor,
            border: [s.borderTopWidth, s.borderTopColor].join(" "),
            color: s.color,
            decoration: s.textDecorationLine + " " + s.textDecorationThickness,
        };
    };
    const parts = [styles(element, null)];
    const drawnByLabel = element.matches(
        ".govuk-radios__input, .govuk-checkboxes__input");
    if (drawnByLabel && element.labels && element.labels.length) {
        parts.push(styles(element.labels[0], "::before"));
    }
    return parts;
}"""

_DESCRIBE_ACTIVE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const main = document.querySelector("main");
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return {
        tag: el.tagName.toLowerCase(), id: el.id, type: el.type || null, name: el.name || null,
        value: el.value || null, text: text.slice(0, 80), inMain: !!el.closest("main"),
        afterMain: !!main && !main.contains(el)
            && !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
        checked: el.checked === true,
    };
}"""


def active_element(page: Page) -> dict | None:
    """What has focus: {tag, id, type, name, value, text, inMain, afterMain, checked}, or None."""
    return page.evaluate(_DESCRIBE_ACTIVE)


def _focus_problem(page: Page) -> str | None:
    """None when the focused element looks different from when it is not focused."""
    focused = page.evaluate(f"() => ({_FOCUS_STYLE})(document.activeElement)")
    # Blurred to compare, then focused again: the keyboard carries on from where it was.
    blurred = page.evaluate(f"""() => {{
        const el = document.activeElement;
        el.blur();
        const styles = ({_FOCUS_STYLE})(el);
        el.focus({{preventScroll: true}});
        return styles;
    }}""")
    changed = focused != blurred
    indicator = any(
        part["outlineVisible"]
        or part["boxShadow"] != "none"
        or part["background"] != other["background"]
        for part, other in zip(focused, blurred, strict=True)
    )
    if changed and indicator:
        return None
    return f"focused {focused} looks like unfocused {blurred}"


def assert_focus_visible(page: Page) -> list[dict]:
    """Tab from the top of the page into <main>; every element reached shows that it has focus.

    Checks what already has focus first (a page may focus its error summary on load). Returns
    the elements reached, in order, and leaves focus on the last: the first thing in <main>
    (or after it, on a page with nothing to focus in <main>), as a keyboard user would be.
    """
    reached = []
    current = active_element(page)
    if current is not None:
        problem = _focus_problem(page)
        assert problem is None, f"no visible focus on {current} at {page.url}: {problem}"
        reached.append(current)
        if current["inMain"]:
            return reached
    for _ in range(MAX_TABS_TO_MAIN):
        page.keyboard.press("Tab")
        current = active_element(page)
        if current is None:  # past the last element of the page
            break
        problem = _focus_problem(page)
        assert problem is None, f"no visible focus on {current} at {page.url}: {problem}"
        reached.append(current)
        if current["inMain"] or current["afterMain"]:
            return reached
    assert reached, f"Tab focuses nothing on {page.url}"
    raise AssertionError(
        f"{MAX_TABS_TO_MAIN} presses of Tab do not reach <main> on {page.url}: "
        f"{[element['text'] or element['tag'] for element in reached]}"
    )


def assert_fits_width(page: Page) -> None:
    """Nothing makes the page scroll sideways (WCAG 1.4.10 Reflow, at a phone's width)."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wider = page.evaluate("""() => [...document.querySelectorAll("main *")]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .filter((el) => !el.closest("[role=region][tabindex]"))
        .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))""")
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways at {widths[1]}px (content is {widths[0]}px wide): {wider}"
    )


# Titles

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,}$")


def route_of(url: str) -> str:
    """The page a URL shows, whoever's it is: /survey/<token>/theme/2 → /survey/{token}/theme/2."""
    parts = urlsplit(url).path.rstrip("/").split("/") or ["/"]
    named = []
    for index, part in enumerate(parts):
        if index and parts[index - 1] == "rounds" and part.isdigit():
            named.append("{round}")
        elif _TOKEN.match(part):
            named.append("{token}")
        else:
            named.append(part)
    return "/".join(named) or "/"


class PageChecks:
    """The checks of one journey; remembers titles, so each distinct page has its own."""

    def __init__(self) -> None:
        self.titles: dict[str, str] = {}  # title → route of the page that first used it
        self.visited: list[str] = []  # "route – title", in order, for the report

    def check(
        self,
        page: Page,
        *,
        fits_width: bool = False,
        same_page_as: str | None = None,
    ) -> str:
        """Run every check on the page as it is now; return its title.

        `fits_width`: also check that nothing scrolls sideways (for a phone-sized viewport).
        A page is known by its route (its address, with tokens and ids as placeholders); pass
        `same_page_as` a route already checked when one page is shown at another address too
        (the not-found page, say).
        """
        page.wait_for_load_state("load")
        server_errors = getattr(page.context, "server_errors", [])
        assert not server_errors, f"the service failed: {server_errors}"
        title = page.title().strip()
        route = same_page_as or route_of(page.url)
        assert title and not title.startswith("–"), f"{page.url} has no page title: {title!r}"
        first_route = self.titles.setdefault(title, route)
        assert first_route == route, (
            f"two different pages share the title {title!r}: {first_route} and {route}"
        )
        assert_no_axe_violations(page)
        if fits_width:
            assert_fits_width(page)
        assert_focus_visible(page)
        self.visited.append(f"{route} – {title}")
        return title
