"""JSON routes of the accounts domain (filled in by its issue)."""

from fastapi import APIRouter

router = APIRouter()
