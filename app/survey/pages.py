"""HTML routes of the survey domain (filled in by its issue)."""

from fastapi import APIRouter

router = APIRouter()
