"""JSON routes of the national domain (filled in by its issue)."""

from fastapi import APIRouter

router = APIRouter()
