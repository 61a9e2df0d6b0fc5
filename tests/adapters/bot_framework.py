"""Bot Framework authentication without Microsoft: a local OpenID metadata service, our own signing
key, and outgoing credentials that hand out a fixed token.

botbuilder's real JWT code checks the tokens made here against the local metadata (served from a
thread: botbuilder fetches it with blocking `requests` on the event loop), so an app set up with
`BotFramework.teams_options()` runs with authentication on, as in Teams, and reaches nothing
outside this machine.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from botframework.connector.auth import ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from msrest.authentication import BasicTokenAuthentication

APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
KID = "test-key"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY, FOREIGN_KEY = _key(), _key()


class OpenIdMetadata(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the stdlib's name)
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/openid":
            body = {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}
        elif self.path == "/keys":
            jwk = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
            body = {"keys": [{**jwk, "kid": KID, "use": "sig", "endorsements": ["msteams"]}]}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        return None


class TestCredentials(ServiceClientCredentialsFactory):
    """Our app id, and a fixed outgoing token instead of a call to login.microsoftonline.com."""

    made = 0

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        TestCredentials.made += 1
        return BasicTokenAuthentication({"access_token": "outgoing-test-token"})


def token(*, key=SIGNING_KEY, kid=KID, service_url: str | None, **claims) -> str:
    """A channel token as the Bot Framework signs it; `service_url=None` leaves that claim out."""
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": APP_ID, "nbf": now - 60, "exp": now + 3600, **claims}
    if service_url is not None:
        payload["serviceurl"] = service_url
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


@dataclass(frozen=True)
class BotFramework:
    metadata_url: str

    def teams_options(self) -> dict:
        """What `setup_teams` (or `create_app(teams_options=...)`) needs to authenticate locally."""
        return {"credentials_factory": TestCredentials(), "config_overrides": {
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": self.metadata_url,
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": self.metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": ISSUER}}

    @staticmethod
    def settings() -> dict:
        return {"microsoft_app_id": APP_ID, "microsoft_app_password": "secret"}

    @staticmethod
    def headers(*, service_url: str) -> dict:
        return {"Authorization": f"Bearer {token(service_url=service_url)}"}


def serve_metadata() -> Iterator[BotFramework]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OpenIdMetadata)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield BotFramework(metadata_url=f"http://127.0.0.1:{server.server_port}/openid")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
