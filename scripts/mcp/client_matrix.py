#!/usr/bin/env python3
"""Check agentready's client-compatibility matrix against the official MCP SDK clients.

Loopback only. Starts real MCP SDK servers (PyPI mcp 2.3.0 and 1.30.0), static
auth-discovery setups (static_site.py) and, with --fixtures, the bundled fixture
sites (`cargo run --example serve_sites`); scans each with agentready; drives the
official SDK clients headlessly against each (drive_py.py, drive_ts.mjs: they stop
where a human would open the authorization URL); compares.

    python3 scripts/mcp/client_matrix.py [--agentready target/debug/agentready]
        [--fixtures] [--only NAME...] [--json out.jsonl]

Environment: MCP_ENV (default target/mcp-env, made by scripts/mcp/setup.sh), or
MCP_PY / MCP_PY1 / MCP_NODE_DIR to point at existing environments.

Which profile each client is compared with (its default era in the drivers):
  PyPI mcp 2.3.0 (auto: server/discover, falls back)        -> mcp-2026-07-28
  npm @modelcontextprotocol/client 2.4.0 (auto negotiation)  -> mcp-2026-07-28
  PyPI mcp 1.30.0                                            -> mcp-2025-11-25
  npm @modelcontextprotocol/sdk 1.32.2                       -> mcp-2025-11-25
A client "connects" when it reached the authorization URL (protected) or listed tools
(public); a profile "connects" when agentready's data.clients says so. A profile that
is "not verified" (null) is counted apart, never as agreement.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ENV = os.environ.get("MCP_ENV", os.path.join(ROOT, "target", "mcp-env"))
PY = os.environ.get("MCP_PY", os.path.join(ENV, "py", "bin", "python"))
PY1 = os.environ.get("MCP_PY1", os.path.join(ENV, "py1", "bin", "python"))
NODE_DIR = os.environ.get("MCP_NODE_DIR", os.path.join(ENV, "node"))

# The static setups of static_site.py compared here (others are in its list).
STATIC = [
    "prm-challenge", "prm-root-only", "no-prm", "dcr-only", "cimd-only", "no-registration",
    "localhost-resource", "origin-resource", "other-port-resource", "oidc-only", "as-path",
    "issuer-mismatch", "no-s256", "prm-500", "scope-in-challenge", "bad-challenge-url",
    "as-trailing-slash",
]
# Protected fixture sites only: a public fixture site answers every MCP request
# with one static body, so a client's `tools/list` after the handshake cannot
# succeed there (the real SDK servers above cover public servers of both eras).
FIXTURES = [
    "agent-ready", "god-mode-scopes", "mcp-2026-protected", "mcp-legacy-oauth",
    "mcp-resource-mismatch",
]

PROCS = []


def start(cmd, log):
    f = open(log, "w")
    p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=HERE, start_new_session=True)
    PROCS.append(p)
    return p


def stop_all():
    for p in PROCS:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in PROCS:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def drivers():
    out = []
    if os.path.exists(PY):
        out.append(("py mcp 2.3.0", [PY, "drive_py.py"], "mcp-2026-07-28"))
    if os.path.exists(PY1):
        out.append(("py mcp 1.30.0", [PY1, "drive_py.py"], "mcp-2025-11-25"))
    if os.path.exists(os.path.join(NODE_DIR, "node_modules")):
        out.append(("ts sdk 1.32.2", ["node", "drive_ts.mjs", "--pkg", "sdk"], "mcp-2025-11-25"))
        out.append(("ts client 2.4.0", ["node", "drive_ts.mjs", "--pkg", "client"], "mcp-2026-07-28"))
    return out


def drive(cmd, url):
    env = dict(os.environ, MCP_NODE_DIR=NODE_DIR)
    try:
        r = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=60, cwd=HERE, env=env)
        line = (r.stdout.strip().splitlines() or ["{}"])[-1]
        d = json.loads(line)
    except Exception as e:  # noqa: BLE001 - a driver crash is a result
        return {"connects": None, "why": f"driver error: {e}"}
    return {
        "connects": bool(d.get("connects_to_authorization_step")),
        "why": d.get("failed_step") or d.get("registration") or d.get("era") or "",
        "reason": d.get("reason"),
    }


def scan(agentready, url):
    r = subprocess.run(
        [agentready, "scan", url, "--format", "json"], capture_output=True, text=True, timeout=120
    )
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        return None, {}
    check = next((c for c in report["checks"] if c["id"] == "client-compatibility"), None)
    data = (check or {}).get("data") or {}
    profiles = {c["profile"]: c for c in data.get("clients", [])}
    return check, profiles


def wait_port(port, timeout=20):
    import socket

    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agentready", default=os.path.join(ROOT, "target", "debug", "agentready"))
    ap.add_argument("--fixtures", action="store_true", help="also the bundled fixture sites")
    ap.add_argument("--only", nargs="*", help="target names to run")
    ap.add_argument("--json", help="write one JSON line per (target, client)")
    args = ap.parse_args()
    os.makedirs(os.path.join(ENV, "logs"), exist_ok=True)
    logs = os.path.join(ENV, "logs")
    targets = []  # (name, url)
    try:
        if os.path.exists(PY):
            start([PY, "py_server.py", "8501", "public"], f"{logs}/py2-public.log")
            start([PY, "py_server.py", "8503", "protected"], f"{logs}/py2-protected.log")
            start([sys.executable, "static_site.py", "8504", "as"], f"{logs}/as-8504.log")
            start([PY, "py_server.py", "8505", "protected-sdkas"], f"{logs}/py2-sdkas.log")
            targets += [
                ("real mcp 2.3.0 public", "http://127.0.0.1:8501/mcp", 8501),
                ("real mcp 2.3.0 protected (static AS)", "http://127.0.0.1:8503/mcp", 8503),
                ("real mcp 2.3.0 protected (SDK AS, DCR)", "http://127.0.0.1:8505/mcp", 8505),
            ]
        if os.path.exists(PY1):
            start([PY1, "py_server.py", "8511", "public"], f"{logs}/py1-public.log")
            start([PY1, "py_server.py", "8515", "protected-sdkas"], f"{logs}/py1-sdkas.log")
            targets += [
                ("real mcp 1.30.0 public", "http://127.0.0.1:8511/mcp", 8511),
                ("real mcp 1.30.0 protected (SDK AS, DCR)", "http://127.0.0.1:8515/mcp", 8515),
            ]
        port = 8600
        for sc in STATIC:
            start([sys.executable, "static_site.py", str(port), sc], f"{logs}/s-{sc}.log")
            targets.append((f"static {sc}", f"http://127.0.0.1:{port}/mcp", port))
            port += 2
        if args.fixtures:
            p = subprocess.Popen(
                ["cargo", "run", "--quiet", "--locked", "--example", "serve_sites", "--"] + FIXTURES,
                stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
            )
            PROCS.append(p)
            for _ in FIXTURES:
                name, url = p.stdout.readline().split()
                if not url.rstrip("/").endswith("/mcp"):
                    url = url.rstrip("/") + "/mcp"
                targets.append((f"fixture {name}", url, None))
        for name, _, port in targets:
            if port and not wait_port(port):
                print(f"{name}: server did not start", file=sys.stderr)
        if args.only:
            targets = [t for t in targets if any(o in t[0] for o in args.only)]
        rows = []
        agree = disagree = unverified = 0
        out = open(args.json, "w") if args.json else None
        for name, url, _ in targets:
            check, profiles = scan(args.agentready, url)
            verdict = check["outcome"] if check else "?"
            for client, cmd, profile in drivers():
                d = drive(cmd, url)
                p = profiles.get(profile, {})
                mine = p.get("connects")
                if mine is None or d["connects"] is None:
                    state = "not verified"
                    unverified += 1
                elif mine == d["connects"]:
                    state = "agree"
                    agree += 1
                else:
                    state = "DIFFER"
                    disagree += 1
                rows.append((name, verdict, client, profile, d, p, state))
                if out:
                    out.write(json.dumps({
                        "target": name, "url": url, "check": verdict, "client": client,
                        "client_connects": d["connects"], "client_why": d.get("reason") or d["why"],
                        "profile": profile, "profile_connects": mine,
                        "profile_reason": p.get("reason"), "state": state,
                    }) + "\n")
        for name, verdict, client, profile, d, p, state in rows:
            c = {True: "connects", False: "fails", None: "?"}[d["connects"]]
            m = {True: "connects", False: "fails", None: "not verified"}[p.get("connects")]
            print(f"{state:12} {name:42} {client:16} {c:9} | {profile} {m}: {p.get('reason', '')[:110]}")
            if state == "DIFFER":
                print(f"{'':12} {'':42} client says: {(d.get('reason') or d['why'] or '')[:150]}")
        total = agree + disagree + unverified
        print(f"\n{len(targets)} setups x {len(drivers())} clients = {total} runs: "
              f"{agree} agree, {disagree} differ, {unverified} not verified by agentready")
        return 0
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
