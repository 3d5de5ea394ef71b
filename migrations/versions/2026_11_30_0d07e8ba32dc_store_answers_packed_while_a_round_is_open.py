"""Answers stored packed while a round is open (issue 17): `response.answers`.

An anonymous submission writes one row, its answers packed one character per statement
(app.survey.answers), instead of a response and 32 ratings: on PostgreSQL that is most of what a
submission costs (bench/README.md, benchmark 1). Closing a round spreads them into `rating` rows
(app.survey.service.rewrite_responses). Responses stored before this revision keep their rating
rows; closing handles both kinds.

On PostgreSQL the function `asye_submit_response` (revision 5b1d2c7e9a40) is replaced by one
that takes `p_answers text` instead of `p_numbers integer[], p_scores integer[]` and stores it in
the response row; everything else in it is unchanged. The downgrade restores the old function
and, before dropping the column, spreads any packed answers into rating rows, so nothing sent is
lost. Both texts are copied here: a migration must not change when the app does.

Revision ID: 0d07e8ba32dc
Revises: c4d8e2a6f913
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0d07e8ba32dc'
down_revision: str | None = 'c4d8e2a6f913'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Outcomes as in revision 5b1d2c7e9a40: stored, repeated, not_found, other_set, draft, closed,
# code_used. Only `stored` writes anything.
FUNCTION = r"""
CREATE FUNCTION asye_submit_response(
    p_token text, p_code_hash text, p_key_hash text, p_response_id text,
    p_statement_set text, p_answers text)
RETURNS TABLE (outcome text, round_id integer, respondent_type text, status text,
               organisation_name text, programme text, year text, statement_set text)
LANGUAGE plpgsql AS $$
DECLARE
    v_code_id integer;
BEGIN
    -- The share lock on the round: a racing close waits for this call to commit (and so sees
    -- its response), or this call waits for the close and then reads `closed`.
    IF p_token IS NOT NULL THEN
        SELECT r.id, l.respondent_type, r.status, o.name, r.programme, r.year, r.statement_set
          INTO round_id, respondent_type, status, organisation_name, programme, year, statement_set
          FROM round_link l
          JOIN evaluation_round r ON r.id = l.round_id
          JOIN organisation o ON o.id = r.organisation_id
         WHERE l.token = p_token AND l.respondent_type IN ('nqsw', 'line_manager', 'other')
           FOR SHARE OF r;
    ELSE
        SELECT r.id, c.respondent_type, r.status, o.name, r.programme, r.year, r.statement_set,
               c.id
          INTO round_id, respondent_type, status, organisation_name, programme, year,
               statement_set, v_code_id
          FROM invitation_code c
          JOIN evaluation_round r ON r.id = c.round_id
          JOIN organisation o ON o.id = r.organisation_id
         WHERE c.code_hash = p_code_hash
           FOR SHARE OF r;
    END IF;
    IF NOT FOUND THEN
        outcome := 'not_found'; RETURN NEXT; RETURN;
    END IF;
    IF statement_set <> p_statement_set THEN
        outcome := 'other_set'; RETURN NEXT; RETURN;
    END IF;
    IF status <> 'open' THEN
        outcome := CASE WHEN status = 'draft' THEN 'draft' ELSE 'closed' END;
        RETURN NEXT; RETURN;
    END IF;
    IF p_key_hash IS NOT NULL THEN
        -- A racing twin waits here on the unique key until this one commits or fails.
        INSERT INTO idempotency_record AS k (key_hash, round_id, respondent_type)
        VALUES (p_key_hash, asye_submit_response.round_id, asye_submit_response.respondent_type)
        ON CONFLICT (key_hash) DO NOTHING;
        IF NOT FOUND THEN
            outcome := 'repeated'; RETURN NEXT; RETURN;
        END IF;
    END IF;
    IF v_code_id IS NOT NULL THEN
        UPDATE invitation_code SET used = true WHERE id = v_code_id AND NOT used;
        IF NOT FOUND THEN
            DELETE FROM idempotency_record WHERE key_hash = p_key_hash;
            outcome := 'code_used'; RETURN NEXT; RETURN;
        END IF;
    END IF;
    INSERT INTO response (id, round_id, respondent_type, answers)
    VALUES (p_response_id, asye_submit_response.round_id, asye_submit_response.respondent_type,
            p_answers);
    outcome := 'stored'; RETURN NEXT;
END
$$;
"""

OLD_FUNCTION = r"""
CREATE FUNCTION asye_submit_response(
    p_token text, p_code_hash text, p_key_hash text, p_response_id text,
    p_statement_set text, p_numbers integer[], p_scores integer[])
RETURNS TABLE (outcome text, round_id integer, respondent_type text, status text,
               organisation_name text, programme text, year text, statement_set text)
LANGUAGE plpgsql AS $$
DECLARE
    v_code_id integer;
BEGIN
    -- The share lock on the round: a racing close waits for this call to commit (and so sees
    -- its response), or this call waits for the close and then reads `closed`.
    IF p_token IS NOT NULL THEN
        SELECT r.id, l.respondent_type, r.status, o.name, r.programme, r.year, r.statement_set
          INTO round_id, respondent_type, status, organisation_name, programme, year, statement_set
          FROM round_link l
          JOIN evaluation_round r ON r.id = l.round_id
          JOIN organisation o ON o.id = r.organisation_id
         WHERE l.token = p_token AND l.respondent_type IN ('nqsw', 'line_manager', 'other')
           FOR SHARE OF r;
    ELSE
        SELECT r.id, c.respondent_type, r.status, o.name, r.programme, r.year, r.statement_set,
               c.id
          INTO round_id, respondent_type, status, organisation_name, programme, year,
               statement_set, v_code_id
          FROM invitation_code c
          JOIN evaluation_round r ON r.id = c.round_id
          JOIN organisation o ON o.id = r.organisation_id
         WHERE c.code_hash = p_code_hash
           FOR SHARE OF r;
    END IF;
    IF NOT FOUND THEN
        outcome := 'not_found'; RETURN NEXT; RETURN;
    END IF;
    IF statement_set <> p_statement_set THEN
        outcome := 'other_set'; RETURN NEXT; RETURN;
    END IF;
    IF status <> 'open' THEN
        outcome := CASE WHEN status = 'draft' THEN 'draft' ELSE 'closed' END;
        RETURN NEXT; RETURN;
    END IF;
    IF p_key_hash IS NOT NULL THEN
        -- A racing twin waits here on the unique key until this one commits or fails.
        INSERT INTO idempotency_record AS k (key_hash, round_id, respondent_type)
        VALUES (p_key_hash, asye_submit_response.round_id, asye_submit_response.respondent_type)
        ON CONFLICT (key_hash) DO NOTHING;
        IF NOT FOUND THEN
            outcome := 'repeated'; RETURN NEXT; RETURN;
        END IF;
    END IF;
    IF v_code_id IS NOT NULL THEN
        UPDATE invitation_code SET used = true WHERE id = v_code_id AND NOT used;
        IF NOT FOUND THEN
            DELETE FROM idempotency_record WHERE key_hash = p_key_hash;
            outcome := 'code_used'; RETURN NEXT; RETURN;
        END IF;
    END IF;
    INSERT INTO response (id, round_id, respondent_type)
    VALUES (p_response_id, asye_submit_response.round_id, asye_submit_response.respondent_type);
    INSERT INTO rating (response_id, statement_number, score)
    SELECT p_response_id, u.n, u.s FROM unnest(p_numbers, p_scores) AS u(n, s);
    outcome := 'stored'; RETURN NEXT;
END
$$;
"""

_DROP = "DROP FUNCTION asye_submit_response(text, text, text, text, text, {})"
_OLD_ARGUMENTS = "integer[], integer[]"
_NEW_ARGUMENTS = "text"

# Packed as app.survey.answers packs them today: the i-th character (from 0) answers statement
# i + 1 (every set numbers its statements 1 to N without gaps), "1"-"5" a score, "-" none.
_SCORES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "-": None}


def upgrade() -> None:
    # Plain ALTERs on both databases, not batch mode (see the downgrade: a copy of `response`
    # would take every rating with it on SQLite).
    op.add_column('response', sa.Column('answers', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DROP.format(_OLD_ARGUMENTS))
        op.execute(FUNCTION)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(_DROP.format(_NEW_ARGUMENTS))
        op.execute(OLD_FUNCTION)
    responses = sa.table('response', sa.column('id', sa.String), sa.column('answers', sa.Text))
    ratings = sa.table('rating', sa.column('response_id', sa.String),
                       sa.column('statement_number', sa.Integer),
                       sa.column('score', sa.Integer))
    packed = connection.execute(
        sa.select(responses.c.id, responses.c.answers)
        .where(responses.c.answers.is_not(None))).all()
    rows = [{'response_id': response_id, 'statement_number': index + 1,
              'score': _SCORES[character]}
            for response_id, answers in packed for index, character in enumerate(answers)]
    if rows:
        connection.execute(sa.insert(ratings), rows)
    # A plain DROP COLUMN (SQLite 3.35 and later have it), not batch mode: on SQLite batch mode
    # copies `response` and drops the old table, and with foreign keys on that drop deletes every
    # rating by cascade.
    op.drop_column('response', 'answers')
