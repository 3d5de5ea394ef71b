"""Passwords and tokens: every JWT and hashing decision lives in this one module."""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt
from pwdlib import PasswordHash

from app.config import get_settings

# Pinned: tokens signed with anything else (none, RS256, HS512…) are refused.
ALGORITHM = "HS256"

password_hash = PasswordHash.recommended()  # Argon2id
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = password_hash.hash(secrets.token_urlsafe(16))


class InvalidToken(Exception):
    """The token is missing, malformed, forged, of the wrong kind or expired."""


def hash_password(password: str) -> str:
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Constant work whether or not the account exists (pass None for an unknown email)."""
    if not hashed:  # no account, or an invited one whose password is not set yet
        password_hash.verify(password, _DUMMY_HASH)
        return False
    return password_hash.verify(password, hashed)


def create_token(
    *, subject: str, kind: str, minutes: int, claims: dict[str, Any] | None = None
) -> str:
    now = datetime.now(UTC)
    payload = {
        **(claims or {}),
        "sub": subject,
        "kind": kind,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(payload, get_settings().secret_key, algorithm=ALGORITHM)


def decode_token(token: str, *, kind: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            options={"require_exp": True, "require_sub": True},
        )
    except JWTError as error:
        raise InvalidToken(str(error)) from error
    if claims.get("kind") != kind:
        raise InvalidToken("wrong kind of token")
    return claims


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 with the secret key: for single-use codes and idempotency keys at rest."""
    return hmac.new(get_settings().secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    """A URL-safe secret with 192 bits of randomness (link tokens, CSRF tokens)."""
    return secrets.token_urlsafe(24)
