"""Upgrading a database whose survey links predate short links gives each one its own."""

from alembic import command
from sqlalchemy import column, create_engine, insert, select, table
from sqlmodel import Session

from app.cli import _alembic_config
from app.config import get_settings
from app.lifecycle.models import Round
from app.statements.loader import get_statement_sets
from app.statements.service import record_set_use
from app.survey.links import SHORT_CODE_LENGTH
from app.survey.models import RoundLink
from app.survey.service import follow_short_link
from app.vocabulary import ANONYMOUS_TYPES
from tests.builders import make_organisation
from tests.databases import throwaway_database

BEFORE_SHORT_LINKS = "b7e2d4f8a613"
# The links table as that revision had it: without short_code.
_OLD_LINK = table("round_link", *(column(name) for name in
                                  ("id", "round_id", "respondent_type", "token")))
UNAMBIGUOUS = set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_the_upgrade_gives_every_existing_link_a_distinct_short_code_that_works(monkeypatch):
    # The limiter counts in the suite's own database, not this throwaway one.
    monkeypatch.setattr(get_settings(), "rate_limits", "off")
    with throwaway_database("short_links") as url:
        command.upgrade(_alembic_config(url), BEFORE_SHORT_LINKS)
        engine = create_engine(url)
        tokens = {}
        with Session(engine) as session:
            organisation = make_organisation(session, name="Old Council",
                                             programmes=("child_and_family",))
            record_set_use(session=session,
                           statement_set=get_statement_sets()["child-and-family-2019"])
            for round_id, year in ((1, "2024-25"), (2, "2025-26")):
                session.execute(insert(Round.__table__).values(
                    id=round_id, organisation_id=organisation.id, programme="child_and_family",
                    year=year, statement_set="child-and-family-2019", status="open",
                    expected_nqsw=1, expected_line_manager=1, expected_other=1,
                    created_at=organisation.created_at))
                for kind in ANONYMOUS_TYPES:
                    tokens[(round_id, kind)] = f"token-{round_id}-{kind}"
                    session.execute(insert(_OLD_LINK).values(
                        round_id=round_id, respondent_type=kind,
                        token=tokens[(round_id, kind)]))
            session.commit()

        command.upgrade(_alembic_config(url), "head")
        with Session(engine) as session:
            rows = session.exec(select(RoundLink.round_id, RoundLink.respondent_type,
                                       RoundLink.token, RoundLink.short_code)).all()
            assert len(rows) == len(tokens) == 6
            assert len({row.short_code for row in rows}) == 6
            for row in rows:
                assert len(row.short_code) == SHORT_CODE_LENGTH
                assert set(row.short_code) <= UNAMBIGUOUS
                assert follow_short_link(session=session, short=row.short_code.lower(),
                                         address="upgrade") == tokens[(row.round_id,
                                                                       row.respondent_type)]
        engine.dispose()
