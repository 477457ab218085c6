"""Fixtures of the authentication tests: e-mailed codes, images, and a fake Google key server."""

import io
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from PIL import Image

GOOGLE_CLIENT_ID = "designia-test.apps.googleusercontent.com"


# --- e-mails ------------------------------------------------------------------------------------


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def last_code(address):
    """The 6-digit code of the last e-mail sent to ``address``."""
    message = emails_to(address)[-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def last_link(address, prefix):
    message = emails_to(address)[-1]
    return re.search(rf"({re.escape(prefix)}\S+)", message.body).group(1)


# --- images -------------------------------------------------------------------------------------


def image_bytes(fmt="PNG", size=(64, 48), color=(180, 120, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name="a.png", fmt="PNG", content_type="image/png", data=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data if data is not None else image_bytes(fmt), content_type=content_type)


# --- Google: a local JWKS server and token signing -----------------------------------------------


class GoogleIdP:
    """Signs ID tokens like Google and serves the public keys over HTTP (a JWKS document)."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oauth2/v3/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                idp.requests += 1
                body = json.dumps(idp.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def token(self, *, email, key=None, **overrides):
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": GOOGLE_CLIENT_ID,
            "sub": str(abs(hash(email)))[:18],
            "email": email,
            "email_verified": True,
            "given_name": "Grace",
            "family_name": "Hopper",
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture(scope="session")
def _google_server():
    idp = GoogleIdP()
    idp.thread.start()
    yield idp
    idp.server.shutdown()


@pytest.fixture
def google_idp(_google_server, settings):
    settings.GOOGLE_JWKS_URL = _google_server.url
    settings.GOOGLE_OAUTH_CLIENT_ID = GOOGLE_CLIENT_ID
    return _google_server


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness buys nothing in tests; the login logic is the same."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
