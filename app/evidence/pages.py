"""Pages of evidence of completion: the PDF for the round's people, and the public check."""

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import ShowsPageUser
from app.core.routing import FormDep, page_router, redirect
from app.core.templating import render
from app.db import SessionDep
from app.evidence.service import issue_evidence, normalise, verify_code
from app.evidence.views import evidence_pdf
from app.lifecycle.deps import AccessibleRound

router = page_router(ShowsPageUser)


@router.get("/rounds/{round_id}/evidence.pdf")
def evidence_pdf_download(round_: AccessibleRound, session: SessionDep) -> Response:
    return evidence_pdf(issue_evidence(session=session, round_=round_))


@router.get("/verify", response_class=HTMLResponse)
def enter_code(request: Request) -> HTMLResponse:
    return render(request, "evidence/enter.html", {"code": "", "errors": {}})


@router.post("/verify", response_class=HTMLResponse)
def check_code(request: Request, form: FormDep) -> Response:
    typed = str(form.get("code") or "").strip()
    if not typed:
        return render(request, "evidence/enter.html", {
            "code": typed, "errors": {"code": "Enter the verification code"}}, status_code=422)
    return redirect(f"/verify/{normalise(typed)}")


@router.get("/verify/{code}", response_class=HTMLResponse)
def verified(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    facts = verify_code(session=session, code=code[:64])
    return render(request, "evidence/verified.html", {"facts": facts, "code": normalise(code)})
