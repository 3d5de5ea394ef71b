"""Forged, altered, expired or misused tokens never sign anyone in, on the API or on a page."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from app.accounts.deps import SESSION_COOKIE
from app.accounts.service import ACCESS_TOKEN, SESSION_TOKEN, issue_token
from app.config import get_settings
from app.security import InvalidToken, create_token, decode_token
from tests.builders import make_employer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(user_id: int, kind: str, **changes) -> dict:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "kind": kind, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(minutes=10)).timestamp())}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def hand_made(header: dict, claims: dict, *, key: bytes | None = None) -> str:
    """A token built by hand: HMAC-SHA256 over it with `key`, or no signature at all."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest()) if key else ""
    return f"{signing_input}.{signature}"


@lru_cache
def rsa_private_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def forged_tokens(user_id: int, kind: str) -> dict[str, str]:
    """Tokens of `kind` for the user that must all be refused."""
    secret = get_settings().secret_key
    valid = create_token(subject=str(user_id), kind=kind, minutes=10)
    head, body, signature = valid.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    other_claims = b64(json.dumps(claims_for(user_id + 1, kind)).encode())
    claims = claims_for(user_id, kind)
    other_kind = SESSION_TOKEN if kind == ACCESS_TOKEN else ACCESS_TOKEN
    return {
        "tampered signature": f"{head}.{body}.{flipped}",
        "tampered claims": f"{head}.{other_claims}.{signature}",
        "alg none": hand_made({"alg": "none", "typ": "JWT"}, claims),
        "alg None, signed anyway": hand_made({"alg": "None", "typ": "JWT"}, claims,
                                             key=secret.encode()),
        "HS512 with the right secret": jwt.encode(claims, secret, algorithm="HS512"),
        "RS256 header, HMAC with the secret": hand_made({"alg": "RS256", "typ": "JWT"}, claims,
                                                        key=secret.encode()),
        "RS256 signed with a private key": jwt.encode(claims, rsa_private_key(),
                                                      algorithm="RS256"),
        "another secret": jwt.encode(claims, "x" * 48, algorithm="HS256"),
        "expired": create_token(subject=str(user_id), kind=kind, minutes=-1),
        "no expiry": jwt.encode(claims_for(user_id, kind, exp=None), secret, algorithm="HS256"),
        "no subject": jwt.encode(claims_for(user_id, kind, sub=None), secret, algorithm="HS256"),
        "the other kind of token": create_token(subject=str(user_id), kind=other_kind, minutes=10),
        "not a token": "not.a.token",
    }


FORGERIES = list(forged_tokens(1, ACCESS_TOKEN))


@pytest.mark.parametrize("name", FORGERIES)
def test_the_api_refuses_a_forged_or_misused_bearer_token(client, session, name):
    user = make_employer(session)
    token = forged_tokens(user.id, ACCESS_TOKEN)[name]

    response = client.get("/api/v1/rounds", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("name", FORGERIES)
def test_a_page_refuses_a_forged_or_misused_session_cookie_and_asks_to_sign_in(
    client, session, name
):
    user = make_employer(session)
    client.cookies.set(SESSION_COOKIE, forged_tokens(user.id, SESSION_TOKEN)[name])

    response = client.get("/dashboard", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_a_token_of_a_deleted_account_signs_nobody_in(client, session):
    user = make_employer(session)
    token = issue_token(user=user, kind=ACCESS_TOKEN).token
    session.delete(user)
    session.commit()

    response = client.get("/api/v1/rounds", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


@pytest.mark.parametrize("name", FORGERIES)
def test_decode_token_refuses_every_forgery(name):
    token = forged_tokens(1, ACCESS_TOKEN)[name]

    with pytest.raises(InvalidToken):
        decode_token(token, kind=ACCESS_TOKEN)


def test_decode_token_accepts_its_own_unexpired_token():
    claims = decode_token(create_token(subject="7", kind=ACCESS_TOKEN, minutes=5),
                          kind=ACCESS_TOKEN)

    assert claims["sub"] == "7"


def test_signing_out_everywhere_ends_api_bearer_tokens_too(client, session):
    # Issue 13, item 7: a bearer token carries the session version it was issued under.
    from tests.builders import PASSWORD, post_form, sign_in

    user = make_employer(session)
    token = client.post("/api/v1/auth/token",
                        data={"username": user.email, "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/rounds", headers=bearer).status_code == 200
    sign_in(client, user)

    post_form(client, "/sign-out")

    assert client.get("/api/v1/rounds", headers=bearer).status_code == 401


def test_a_bearer_token_without_a_session_version_is_refused(client, session):
    user = make_employer(session)
    old_style = create_token(subject=str(user.id), kind=ACCESS_TOKEN, minutes=5)

    response = client.get("/api/v1/rounds", headers={"Authorization": f"Bearer {old_style}"})

    assert response.status_code == 401
