"""JSON of evidence of completion (employer, national) and the public verification check."""

from fastapi import APIRouter, Path
from fastapi.responses import Response

from app.db import SessionDep
from app.evidence.schemas import Evidence, VerifiedFacts
from app.evidence.service import issue_evidence, verify_code
from app.evidence.views import evidence_pdf
from app.lifecycle.deps import AccessibleRound

router = APIRouter(tags=["evidence"])

_ERRORS = {
    401: {"description": "Not signed in"},
    404: {"description": "No such round, or not one of your organisation's"},
    409: {"description": "The round has not closed yet"},
}


@router.get("/rounds/{round_id}/evidence", response_model=Evidence, responses=_ERRORS)
def read_evidence(round_: AccessibleRound, session: SessionDep) -> Evidence:
    """Evidence of completion of a closed round (rule 14), with its verification code."""
    return issue_evidence(session=session, round_=round_)


@router.get("/rounds/{round_id}/evidence.pdf", response_class=Response,
            responses={**_ERRORS, 200: {"content": {"application/pdf": {}},
                                        "description": "One A4 page"}})
def download_evidence(round_: AccessibleRound, session: SessionDep) -> Response:
    return evidence_pdf(issue_evidence(session=session, round_=round_))


@router.get("/verify/{code}", response_model=VerifiedFacts,
            responses={404: {"description": "No evidence has this code"}})
def verify(session: SessionDep,
           code: str = Path(max_length=64, description="A verification code")) -> VerifiedFacts:
    """Anyone: the facts of the evidence with this code (no results), or 404."""
    return verify_code(session=session, code=code)
