"""The one access check for rounds: who may read a round, and who may change it.

Every route with a `{round_id}` path parameter takes one of these instead of loading the round
itself (reports too), so the rule lives here only:

    AccessibleRound  Round: readable by the employers of its organisation and by national users.
                     Anyone else signed in gets 404, exactly as for a round that does not exist,
                     so nobody learns that another organisation's round exists. Not signed in:
                     401 under /api/, a redirect to sign in on a page.
    EmployerRound    Round: an AccessibleRound that the user may change (open, close, codes,
                     self-assessment): its own leads only; a viewer or a national user gets 403.
    LeadRound        Round: an EmployerRound (so a lead's) that may be run: change its dates
                     and expected numbers, delete a draft, write the action plan.
"""

from typing import Annotated

from fastapi import Depends, Path

from app.accounts.deps import VIEWERS_READ_ONLY, CurrentUser
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.lifecycle.models import Round
from app.vocabulary import Role

NOT_FOUND = "No round with this id"
# Ids are PostgreSQL `integer`s: a larger number is not an id (and would fail in the database).
MAX_ID = 2**31 - 1


def get_accessible_round(
    round_id: Annotated[int, Path(description="The round's id", ge=1, le=MAX_ID)],
    user: CurrentUser,
    session: SessionDep,
) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None or not (user.is_national or round_.organisation_id == user.organisation_id):
        raise NotFound(NOT_FOUND)
    return round_


AccessibleRound = Annotated[Round, Depends(get_accessible_round)]


def get_employer_round(round_: AccessibleRound, user: CurrentUser) -> Round:
    if user.role != Role.EMPLOYER:
        raise Forbidden("Only an employer account of the organisation can change its round")
    if not user.is_lead:
        raise Forbidden(VIEWERS_READ_ONLY)
    return round_


EmployerRound = Annotated[Round, Depends(get_employer_round)]


def get_lead_round(round_: EmployerRound, user: CurrentUser) -> Round:
    # EmployerRound already refuses viewers (issue 14): a lead may run the round.
    return round_


LeadRound = Annotated[Round, Depends(get_lead_round)]
