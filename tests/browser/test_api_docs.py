"""Issue 13, item 10: /api/docs runs Swagger UI from the service's own assets, under its CSP."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_work_offline_under_the_services_own_policy(new_context, live_server):
    context = new_context()
    outside: list[str] = []

    def only_this_server(route) -> None:
        # Offline: any request for another origin (a CDN, a validator) is noted and refused.
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    response = page.goto("/api/docs")
    page.wait_for_selector(".opblock", timeout=30_000)

    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "https:" not in policy
    assert "script-src 'self'" in policy
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/survey/{token}/responses" in text.replace("\u200b", "")
               for text in operations)
    assert outside == []
    assert problems == []
