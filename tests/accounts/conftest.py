"""Every test here starts with the in-process rate limiter empty."""

import pytest

from app.ratelimit import limiter


@pytest.fixture(autouse=True)
def _empty_limiter():
    limiter.reset()
    yield
    limiter.reset()
