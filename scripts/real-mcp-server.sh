#!/usr/bin/env bash
# A REAL MCP 2026-07-28 server from a published SDK (PyPI mcp 2.3.0), on
# loopback, scanned by agentready; prints the verdicts that matter here.
#
#   scripts/real-mcp-server.sh            # creates target/mcp-env (pip) on first use
#   MCP_PY=/path/to/venv/bin/python scripts/real-mcp-server.sh   # an existing venv with mcp 2.3.0
#
# Three servers: public (dual-era: server/discover and initialize), protected
# by the SDK's resource-server auth with a static authorization server (CIMD,
# DCR, RFC 9207 iss), and protected with the SDK's own built-in authorization
# server (DCR only). Stops only the processes it started.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
env="${MCP_ENV:-$root/target/mcp-env}"
py="${MCP_PY:-$env/py/bin/python}"
if [ ! -x "$py" ]; then
  command -v python3 >/dev/null || { echo "python3 not found: skipped" >&2; exit 0; }
  mkdir -p "$env"
  python3 -m venv "$env/py"
  "$env/py/bin/pip" install -q -r "$here/mcp/requirements-py.txt"
  py="$env/py/bin/python"
fi
"$py" -c 'import importlib.metadata as m; v=m.version("mcp"); assert v.startswith("2."), v; print("PyPI mcp", v)'
(cd "$root" && cargo build --locked --quiet)
bin="$root/target/debug/agentready"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
cd "$here/mcp"
"$py" py_server.py 8701 public >/dev/null 2>&1 & pids+=($!)
"$py" py_server.py 8703 protected >/dev/null 2>&1 & pids+=($!)
python3 static_site.py 8704 as >/dev/null 2>&1 & pids+=($!)
"$py" py_server.py 8705 protected-sdkas >/dev/null 2>&1 & pids+=($!)
for port in 8701 8703 8704 8705; do
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
done
for url in http://127.0.0.1:8701/mcp http://127.0.0.1:8703/mcp http://127.0.0.1:8705/mcp; do
  "$bin" scan "$url" --format json 2>/dev/null | python3 print_verdicts.py || true
done
