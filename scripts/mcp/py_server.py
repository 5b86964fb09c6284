#!/usr/bin/env python3
"""Minimal real MCP Python-SDK server over Streamable HTTP, loopback only.

    <venv>/bin/python py_server.py PORT [MODE] [--as-url URL] [--json] [--stateless]

Works with both SDK generations:
  * mcp 2.x (py/ venv, 2.3.0): `mcp.server.MCPServer`  - dual-era (2026-07-28 + 2025-xx)
  * mcp 1.x (py1/ venv, 1.30.0): `mcp.server.fastmcp.FastMCP` - handshake-era only (<= 2025-11-25)

MODE:
  public            no auth
  protected         SDK resource-server auth: a TokenVerifier (accepts the bearer token "good-token")
                    + AuthSettings(resource_server_url=http://127.0.0.1:PORT/mcp, issuer_url=--as-url).
                    The SDK then answers unauthenticated /mcp requests 401 with
                    `WWW-Authenticate: Bearer ... resource_metadata="http://127.0.0.1:PORT/.well-known/oauth-protected-resource/mcp"`
                    and serves that RFC 9728 document naming --as-url (default http://127.0.0.1:PORT+1,
                    i.e. run `python3 static_site.py PORT+1 as` next to it).
  protected-sdkas   same, but the AS is the SDK's own built-in one (in-memory provider, DCR enabled,
                    auto-approving /authorize) mounted on the same origin; issuer http://127.0.0.1:PORT.

The MCP endpoint is always /mcp. Binds 127.0.0.1 only.
"""

import argparse
import secrets
import sys
import time
import warnings

import uvicorn

warnings.simplefilter("ignore")

try:  # mcp >= 2
    from mcp.server import MCPServer as _Server

    SDK_GEN = 2
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server

    SDK_GEN = 1

from importlib.metadata import version as _pkg_version

from mcp.server.auth.provider import AccessToken, AuthorizationCode, RefreshToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions

SCOPE = "mcp:tools"


class StaticTokenVerifier(TokenVerifier):
    """Accepts exactly one bearer token: 'good-token'."""

    def __init__(self, resource: str):
        self.resource = resource

    async def verify_token(self, token: str):
        if token == "good-token":
            return AccessToken(token=token, client_id="test-client", scopes=[SCOPE], expires_at=None,
                               resource=self.resource)
        return None


class InMemoryAS:
    """Minimal OAuthAuthorizationServerProvider (auto-approves, in-memory)."""

    def __init__(self, resource: str):
        self.resource = resource
        self.clients = {}
        self.codes = {}
        self.tokens = {"good-token": AccessToken(token="good-token", client_id="test-client", scopes=[SCOPE],
                                                 expires_at=None, resource=resource)}

    async def get_client(self, client_id):
        return self.clients.get(client_id)

    async def register_client(self, client_info):
        self.clients[client_info.client_id] = client_info

    async def authorize(self, client, params):
        code = secrets.token_urlsafe(16)
        self.codes[code] = AuthorizationCode(
            code=code, scopes=params.scopes or [SCOPE], expires_at=time.time() + 300, client_id=client.client_id,
            code_challenge=params.code_challenge, redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly, resource=params.resource,
        )
        sep = "&" if "?" in str(params.redirect_uri) else "?"
        state = f"&state={params.state}" if params.state else ""
        return f"{params.redirect_uri}{sep}code={code}{state}"

    async def load_authorization_code(self, client, authorization_code):
        return self.codes.get(authorization_code)

    async def exchange_authorization_code(self, client, authorization_code):
        from mcp.shared.auth import OAuthToken

        self.codes.pop(authorization_code.code, None)
        tok = secrets.token_urlsafe(16)
        self.tokens[tok] = AccessToken(token=tok, client_id=client.client_id, scopes=authorization_code.scopes,
                                       expires_at=None, resource=authorization_code.resource)
        return OAuthToken(access_token=tok, token_type="Bearer", expires_in=3600,
                          scope=" ".join(authorization_code.scopes))

    async def load_refresh_token(self, client, refresh_token):
        return None

    async def exchange_refresh_token(self, client, refresh_token, scopes):
        raise NotImplementedError

    async def load_access_token(self, token):
        return self.tokens.get(token)

    async def revoke_token(self, token):
        self.tokens.pop(getattr(token, "token", token), None)


def build(port: int, mode: str, as_url: str | None, json_response: bool, stateless: bool):
    base = f"http://127.0.0.1:{port}"
    resource = base + "/mcp"
    kwargs = {}
    if mode == "protected":
        auth = dict(issuer_url=as_url or f"http://127.0.0.1:{port + 1}", resource_server_url=resource,
                    required_scopes=[SCOPE])
        if SDK_GEN == 2:
            auth["validate_token_resource"] = False
        kwargs["auth"] = AuthSettings(**auth)
        kwargs["token_verifier"] = StaticTokenVerifier(resource)
    elif mode == "protected-sdkas":
        auth = dict(issuer_url=base, resource_server_url=resource, required_scopes=[SCOPE],
                    client_registration_options=ClientRegistrationOptions(enabled=True, valid_scopes=[SCOPE]))
        if SDK_GEN == 2:
            auth["validate_token_resource"] = False
        kwargs["auth"] = AuthSettings(**auth)
        kwargs["auth_server_provider"] = InMemoryAS(resource)
    elif mode != "public":
        raise SystemExit(f"unknown mode {mode!r}")

    if SDK_GEN == 2:
        server = _Server("agentready-test-server", version="0.0.1", **kwargs)
    else:
        server = _Server("agentready-test-server", host="127.0.0.1", port=port, json_response=json_response,
                         stateless_http=stateless, **kwargs)

    @server.tool()
    def echo(text: str) -> str:
        """Echo the text back."""
        return text

    if SDK_GEN == 2:
        app = server.streamable_http_app(json_response=json_response, stateless_http=stateless, host="127.0.0.1")
    else:
        app = server.streamable_http_app()
    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("mode", nargs="?", default="public", choices=["public", "protected", "protected-sdkas"])
    ap.add_argument("--as-url", default=None)
    ap.add_argument("--json", action="store_true", help="json_response=True (no SSE)")
    ap.add_argument("--stateless", action="store_true", help="stateless_http=True (legacy path)")
    a = ap.parse_args()
    app = build(a.port, a.mode, a.as_url, a.json, a.stateless)
    sys.stderr.write(f"mcp {_pkg_version('mcp')} (gen {SDK_GEN}) mode={a.mode} on http://127.0.0.1:{a.port}/mcp\n")
    uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning")


if __name__ == "__main__":
    main()
