"""`asye360 demo` prints a survey link that works: its start page opens and it takes answers."""

from typer.testing import CliRunner

from app.cli import app as cli
from tests.builders import full_ratings
from tests.html import assert_good_page


def test_the_demo_prints_a_working_survey_link_of_its_open_round(client):
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    link = next(word for word in result.output.split() if "/survey/" in word)
    path = "/survey/" + link.split("/survey/")[1]

    soup = assert_good_page(client.get(path), title_contains="Evaluate the ASYE programme")
    assert "You are answering as: NQSW" in soup.get_text(" ", strip=True)
    token = path.rsplit("/", 1)[1]
    sent = client.post(f"/api/v1/survey/{token}/responses", json={"ratings": full_ratings()})
    assert sent.status_code == 201 and sent.json()["round"]["status"] == "open"
