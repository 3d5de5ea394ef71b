"""JSON routes of the reports domain (filled in by its issue)."""

from fastapi import APIRouter

router = APIRouter()
