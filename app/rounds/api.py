"""JSON routes of the rounds domain (filled in by its issue)."""

from fastapi import APIRouter

router = APIRouter()
