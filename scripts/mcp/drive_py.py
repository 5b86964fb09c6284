#!/usr/bin/env python3
"""Headless driver: run the official MCP Python SDK client's connect + OAuth discovery/registration
against SERVER_URL and stop at the point a human would be needed (opening the authorization URL).

    <venv>/bin/python drive_py.py SERVER_URL [--no-cimd] [--mode auto|legacy|2026-07-28] [--timeout S]

Prints ONE JSON line:
  {sdk, version, server_url, connects_to_authorization_step, failed_step, reason, steps:[...],
   authorization_url, client_id, registration, as_issuer, resource_param, scope_param, era, ...}

"connects" = (protected server) PRM/AS metadata found + a client_id (CIMD or DCR) + an authorization URL
built, or (unprotected server) an MCP session that could list tools.

Works with mcp 2.x (venv py/: `mcp.client.Client`, httpx2) and mcp 1.x (venv py1/: `streamablehttp_client`
+ `ClientSession.initialize`, httpx). Only loopback URLs are accepted.
"""

import argparse
import asyncio
import json
import sys
import warnings
from importlib.metadata import version as pkg_version
from urllib.parse import parse_qs, urlparse

warnings.simplefilter("ignore")
import logging

logging.disable(logging.CRITICAL)  # the SDK logs the (expected) stop exception with a traceback

try:
    import httpx2 as httpx  # mcp >= 2 uses the httpx2 fork

    GEN = 2
except ImportError:  # mcp 1.x
    import httpx

    GEN = 1

from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

CIMD_URL = "https://agentready.example/oauth/client-metadata.json"
REDIRECT = "http://127.0.0.1:33418/callback"


class StopAtAuthorization(Exception):
    pass


class MemStorage:
    def __init__(self):
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, info: OAuthClientInformationFull):
        self.client_info = info


class RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, steps):
        self.inner = httpx.AsyncHTTPTransport()
        self.steps = steps

    async def handle_async_request(self, request):
        host = request.url.host
        if host not in ("127.0.0.1", "localhost", "::1"):
            self.steps.append(f"{request.method} {request.url} -> BLOCKED (non-loopback)")
            raise httpx.ConnectError(f"blocked non-loopback request to {request.url}")
        rec = {"line": f"{request.method} {request.url}"}
        pv, mm = request.headers.get("mcp-protocol-version"), request.headers.get("mcp-method")
        if pv or mm:
            rec["line"] += f" [MCP-Protocol-Version={pv} Mcp-Method={mm}]"
        self.steps.append(rec)
        try:
            resp = await self.inner.handle_async_request(request)
        except Exception as e:
            rec["line"] += f" -> {type(e).__name__}"
            raise
        rec["line"] += f" -> {resp.status_code}"
        return resp

    async def aclose(self):
        await self.inner.aclose()


async def run(url, use_cimd, mode, timeout):
    steps = []
    out = {
        "sdk": "python:mcp",
        "version": pkg_version("mcp"),
        "server_url": url,
        "connects_to_authorization_step": False,
        "failed_step": None,
        "reason": None,
        "steps": steps,
        "authorization_url": None,
        "client_id": None,
        "registration": None,
        "as_issuer": None,
        "resource_param": None,
        "scope_param": None,
        "era": None,
        "offered_cimd_url": CIMD_URL if use_cimd else None,
    }
    recorded = {}

    async def redirect_handler(auth_url: str):
        recorded["url"] = auth_url
        raise StopAtAuthorization(auth_url)

    async def callback_handler():
        raise StopAtAuthorization("callback not available (headless)")

    kwargs = {}
    if use_cimd:
        kwargs["client_metadata_url"] = CIMD_URL
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="agentready-driver", redirect_uris=[REDIRECT], grant_types=["authorization_code", "refresh_token"],
            response_types=["code"], token_endpoint_auth_method="none",
        ),
        storage=MemStorage(),
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
        **kwargs,
    )
    error = None
    try:
        if GEN == 2:
            from mcp.client import Client
            from mcp.client.streamable_http import streamable_http_client

            http = httpx.AsyncClient(auth=provider, transport=RecordingTransport(steps), timeout=timeout)
            async with http:
                client = Client(streamable_http_client(url, http_client=http), mode=mode)
                async with client:
                    out["era"] = client.protocol_version
                    tools = await client.list_tools()
                    out["tools"] = [t.name for t in tools.tools]
        else:
            from mcp import ClientSession
            from mcp.client.streamable_http import streamablehttp_client

            def factory(headers=None, timeout=None, auth=None):
                return httpx.AsyncClient(headers=headers, timeout=timeout, auth=auth,
                                         transport=RecordingTransport(steps), follow_redirects=True)

            async with streamablehttp_client(url, auth=provider, httpx_client_factory=factory) as (r, w, _):
                async with ClientSession(r, w) as s:
                    init = await s.initialize()
                    out["era"] = init.protocolVersion
                    tools = await s.list_tools()
                    out["tools"] = [t.name for t in tools.tools]
    except BaseException as e:  # noqa: BLE001 - we report everything
        error = e

    ctx = provider.context
    if ctx.oauth_metadata is not None:
        out["as_issuer"] = str(ctx.oauth_metadata.issuer)
    if ctx.protected_resource_metadata is not None:
        out["prm_resource"] = str(ctx.protected_resource_metadata.resource)
        out["prm_authorization_servers"] = [str(a) for a in ctx.protected_resource_metadata.authorization_servers]
    if ctx.client_info is not None:
        out["client_id"] = ctx.client_info.client_id
        out["registration"] = "cimd" if ctx.client_info.client_id == CIMD_URL else "dcr"
    if "url" in recorded:
        q = parse_qs(urlparse(recorded["url"]).query)
        out["authorization_url"] = recorded["url"]
        out["resource_param"] = q.get("resource", [None])[0]
        out["scope_param"] = q.get("scope", [None])[0]
        out["connects_to_authorization_step"] = True
    elif out["era"] is not None and error is None:
        out["connects_to_authorization_step"] = True  # unprotected server: full session
        out["failed_step"] = None
    else:
        msg = _flatten(error) if error else "no authorization URL and no session"
        out["reason"] = msg
        got_401 = any(" -> 401" in s["line"] for s in steps if isinstance(s, dict))
        if not got_401:
            out["failed_step"] = "connect"
        elif "does not match expected" in msg:
            out["failed_step"] = "prm(resource-mismatch)"
        elif ctx.oauth_metadata is None and ctx.protected_resource_metadata is None and (
            "Protected resource" in msg or "protected resource" in msg
        ):
            out["failed_step"] = "prm"
        elif ctx.oauth_metadata is None:
            out["failed_step"] = "as_metadata"
        elif ctx.client_info is None:
            out["failed_step"] = "registration"
        else:
            out["failed_step"] = "authorization_url"
    out["steps"] = [s["line"] if isinstance(s, dict) else s for s in steps]
    return out


def _flatten(e):
    """Readable message for (possibly grouped) exceptions."""
    if isinstance(e, BaseExceptionGroup):
        return "; ".join(_flatten(x) for x in e.exceptions)
    cause = e.__cause__ or e.__context__
    s = f"{type(e).__name__}: {e}"
    if cause is not None and not str(e):
        s += f" (cause: {_flatten(cause)})"
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--no-cimd", action="store_true", help="do not offer a CIMD client_metadata_url")
    ap.add_argument("--mode", default="auto", help="mcp 2.x Client mode: auto | legacy | 2026-07-28")
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    host = urlparse(a.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("loopback URLs only")
    try:
        out = asyncio.run(asyncio.wait_for(run(a.url, not a.no_cimd, a.mode, a.timeout), a.timeout + 5))
    except asyncio.TimeoutError:
        out = {"sdk": "python:mcp", "version": pkg_version("mcp"), "server_url": a.url,
               "connects_to_authorization_step": False, "failed_step": "timeout", "reason": "driver timeout",
               "steps": []}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
