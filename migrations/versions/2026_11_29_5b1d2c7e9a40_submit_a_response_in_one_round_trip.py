"""Submit a response in one round trip on PostgreSQL: the function `asye_submit_response`.

It does, in one statement run in autocommit (so the call is the whole transaction), what
`app.survey.service.submit_response` does in six: finds the link (or code) and share-locks its
round, refuses a round that is not open, records the idempotency key (a repeat stores nothing
more), marks the code used, and stores the response and every rating. Nothing is written before a
refusal, so a refusal needs no rollback. SQLite has no such functions and keeps the transaction
in Python; there this migration does nothing.

Revision ID: 5b1d2c7e9a40
Revises: 9eeff2876417
Create Date: 2026-11-29 22:45:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '5b1d2c7e9a40'
down_revision: str | None = '9eeff2876417'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Outcomes: stored, repeated (the idempotency key was stored before), not_found, other_set (the
# caller checked the ratings against another statement set: check again and call again), draft,
# closed, code_used. Only `stored` writes anything.
FUNCTION = r"""
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION asye_submit_response(text, text, text, text, text, "
                   "integer[], integer[])")
