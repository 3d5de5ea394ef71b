"""National tests sign in through the API, so each starts with the rate limiter empty."""

import pytest

from app.ratelimit import limiter


@pytest.fixture(autouse=True)
def _empty_limiter():
    limiter.reset()
    yield
    limiter.reset()
