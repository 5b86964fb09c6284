#!/usr/bin/env python3
"""Tiny loopback-only static "MCP resource server + authorization server" for auth-discovery tests.

stdlib only. Binds 127.0.0.1 only.

    python3 static_site.py PORT SCENARIO

Every request is logged to stderr as one JSON line {"method","path","headers"...}.

Paths (BASE = http://127.0.0.1:PORT):
  /mcp                          MCP endpoint: always 401 (any method) with a per-scenario WWW-Authenticate
  /.well-known/...              per-scenario PRM / AS metadata documents
  /register                     DCR endpoint (201 + client_id) where the scenario has one
  /authorize, /token            exist only as URLs in metadata; /authorize answers 200 text, /token 400

Scenarios (see SCENARIOS below; `python3 static_site.py list` prints them):
  as                 AS metadata only (used as the external AS for py_server.py protected mode)
  prm-challenge      baseline: 401 names resource_metadata (path-suffixed PRM), AS supports CIMD + DCR
  prm-root-only      401 without resource_metadata; PRM only at /.well-known/oauth-protected-resource
                     (root), its `resource` is the path resource BASE/mcp
  no-prm             401 `Bearer` only; no PRM anywhere; AS metadata at the server origin
  dcr-only           like prm-challenge, AS has registration_endpoint but no CIMD flag
  cimd-only          like prm-challenge, AS has client_id_metadata_document_supported but no registration_endpoint
  no-registration    AS has neither (client would need pre-registration)
  localhost-resource PRM `resource` is http://localhost:PORT/mcp (client is given 127.0.0.1)
  origin-resource    PRM `resource` is BASE (no path) - a prefix of BASE/mcp
  other-port-resource PRM `resource` is http://127.0.0.1:(PORT+1)/mcp (different origin)
  oidc-only          AS metadata only at /.well-known/openid-configuration
  as-path            AS issuer BASE/tenant1, metadata at /.well-known/oauth-authorization-server/tenant1
  issuer-mismatch    AS metadata `issuer` is https://other.example (differs from the URL it came from)
  no-s256            AS advertises code_challenge_methods_supported ["plain"] only
  prm-500            path PRM answers 500, root PRM answers 200
  scope-in-challenge like prm-challenge but 401 scope="files:read" differs from PRM scopes_supported
  bad-challenge-url  401 resource_metadata points at a 404; the PRM exists at the path well-known URL
  as-trailing-slash  PRM authorization_servers ["BASE/"] but AS metadata issuer "BASE" (no slash)
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def as_metadata(issuer, *, dcr=True, cimd=True, s256=True, iss_param=True):
    md = {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"] if s256 else ["plain"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "scopes_supported": ["mcp:tools", "offline_access"],
    }
    if dcr:
        md["registration_endpoint"] = issuer + "/register"
    if cimd:
        md["client_id_metadata_document_supported"] = True
    if iss_param:
        md["authorization_response_iss_parameter_supported"] = True
    return md


def prm(resource, as_list, scopes=("mcp:tools",)):
    return {
        "resource": resource,
        "authorization_servers": list(as_list),
        "scopes_supported": list(scopes),
        "bearer_methods_supported": ["header"],
    }


def build(port, scenario):
    """Return (www_authenticate or None, {path: (status, json)}, register_enabled)."""
    base = f"http://127.0.0.1:{port}"
    res = base + "/mcp"
    prm_path = "/.well-known/oauth-protected-resource/mcp"
    prm_url = base + prm_path
    chall = f'Bearer resource_metadata="{prm_url}", scope="mcp:tools"'
    asm = "/.well-known/oauth-authorization-server"
    docs = {}
    www = chall
    dcr = True
    if scenario == "as":
        docs[asm] = as_metadata(base)
        www = None
    elif scenario == "prm-challenge":
        docs[prm_path] = prm(res, [base])
        docs[asm] = as_metadata(base)
    elif scenario == "prm-root-only":
        www = 'Bearer realm="mcp"'
        docs["/.well-known/oauth-protected-resource"] = prm(res, [base])
        docs[asm] = as_metadata(base)
    elif scenario == "no-prm":
        www = 'Bearer realm="mcp"'
        docs[asm] = as_metadata(base)
    elif scenario == "dcr-only":
        docs[prm_path] = prm(res, [base])
        docs[asm] = as_metadata(base, cimd=False)
    elif scenario == "cimd-only":
        docs[prm_path] = prm(res, [base])
        docs[asm] = as_metadata(base, dcr=False)
        dcr = False
    elif scenario == "no-registration":
        docs[prm_path] = prm(res, [base])
        docs[asm] = as_metadata(base, dcr=False, cimd=False)
        dcr = False
    elif scenario == "localhost-resource":
        docs[prm_path] = prm(f"http://localhost:{port}/mcp", [base])
        docs[asm] = as_metadata(base)
    elif scenario == "origin-resource":
        docs[prm_path] = prm(base, [base])
        docs[asm] = as_metadata(base)
    elif scenario == "other-port-resource":
        docs[prm_path] = prm(f"http://127.0.0.1:{port + 1}/mcp", [base])
        docs[asm] = as_metadata(base)
    elif scenario == "oidc-only":
        docs[prm_path] = prm(res, [base])
        md = as_metadata(base)
        md.update(
            {
                "jwks_uri": base + "/jwks.json",
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )
        docs["/.well-known/openid-configuration"] = md
    elif scenario == "as-path":
        issuer = base + "/tenant1"
        docs[prm_path] = prm(res, [issuer])
        docs[asm + "/tenant1"] = as_metadata(issuer)
    elif scenario == "issuer-mismatch":
        docs[prm_path] = prm(res, [base])
        md = as_metadata(base)
        md["issuer"] = "https://other.example"
        docs[asm] = md
    elif scenario == "no-s256":
        docs[prm_path] = prm(res, [base])
        docs[asm] = as_metadata(base, s256=False)
    elif scenario == "prm-500":
        www = 'Bearer realm="mcp"'
        docs[prm_path] = (500, {"error": "boom"})
        docs["/.well-known/oauth-protected-resource"] = prm(res, [base])
        docs[asm] = as_metadata(base)
    elif scenario == "scope-in-challenge":
        www = f'Bearer resource_metadata="{prm_url}", scope="files:read"'
        docs[prm_path] = prm(res, [base], scopes=("mcp:tools",))
        docs[asm] = as_metadata(base)
    elif scenario == "bad-challenge-url":
        www = f'Bearer resource_metadata="{base}/.well-known/wrong-place", scope="mcp:tools"'
        docs[prm_path] = prm(res, [base])
        docs[asm] = as_metadata(base)
    elif scenario == "as-trailing-slash":
        docs[prm_path] = prm(res, [base + "/"])
        docs[asm] = as_metadata(base)  # issuer has no trailing slash
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    norm = {p: (v if isinstance(v, tuple) else (200, v)) for p, v in docs.items()}
    return www, norm, dcr


SCENARIOS = [
    "as", "prm-challenge", "prm-root-only", "no-prm", "dcr-only", "cimd-only", "no-registration",
    "localhost-resource", "origin-resource", "other-port-resource", "oidc-only", "as-path",
    "issuer-mismatch", "no-s256", "prm-500", "scope-in-challenge", "bad-challenge-url", "as-trailing-slash",
]


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        print("\n".join(SCENARIOS))
        return
    port = int(sys.argv[1])
    scenario = sys.argv[2]
    www, docs, dcr = build(port, scenario)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # silence default logging
            pass

        def _log(self, body=b""):
            rec = {"t": round(time.time(), 3), "method": self.command, "path": self.path,
                   "headers": {k: v for k, v in self.headers.items()}}
            if body:
                rec["body"] = body.decode("utf-8", "replace")[:2000]
            sys.stderr.write(json.dumps(rec) + "\n")
            sys.stderr.flush()

        def _send(self, status, obj=None, headers=None, text=None):
            if obj is not None:
                data = json.dumps(obj).encode()
                ctype = "application/json"
            else:
                data = (text or "").encode()
                ctype = "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _route(self):
            body = self._body() if self.command in ("POST", "PUT") else b""
            self._log(body)
            path = self.path.split("?", 1)[0]
            if path == "/mcp" and www is not None:
                return self._send(401, {"error": "invalid_token", "error_description": "Authentication required"},
                                  {"WWW-Authenticate": www})
            if self.command == "GET" and path in docs:
                status, obj = docs[path]
                return self._send(status, obj)
            if path == "/register" and self.command == "POST" and dcr:
                try:
                    req = json.loads(body or b"{}")
                except ValueError:
                    return self._send(400, {"error": "invalid_client_metadata"})
                resp = dict(req)
                resp.update({"client_id": "dcr-client-123", "client_id_issued_at": int(time.time()),
                             "token_endpoint_auth_method": req.get("token_endpoint_auth_method", "none")})
                return self._send(201, resp)
            if path == "/authorize":
                return self._send(200, text="authorization page (static test AS)\n")
            if path == "/token":
                return self._send(400, {"error": "invalid_grant"})
            return self._send(404, {"error": "not_found"})

        do_GET = do_POST = do_DELETE = do_PUT = _route

    srv = ThreadingHTTPServer(("127.0.0.1", port), H)
    sys.stderr.write(json.dumps({"listening": f"http://127.0.0.1:{port}", "scenario": scenario}) + "\n")
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
