#!/usr/bin/env bash
# Create the environment of the MCP SDK scripts from the package registries
# (PyPI, npm), outside the repository's tracked files: $MCP_ENV (default
# target/mcp-env). Idempotent. Needs python3 (with venv) and, for the
# TypeScript clients, node and npm.
#
#   py/   PyPI mcp 2.3.0  (MCP 2026-07-28 + 2025 dual-era server and client)
#   py1/  PyPI mcp 1.30.0 (MCP 2025-11-25 only)
#   node/ npm @modelcontextprotocol/sdk 1.32.2 and @modelcontextprotocol/client 2.4.0
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
env="${MCP_ENV:-$root/target/mcp-env}"
mkdir -p "$env"
[ -x "$env/py/bin/python" ] || python3 -m venv "$env/py"
[ -x "$env/py1/bin/python" ] || python3 -m venv "$env/py1"
"$env/py/bin/pip" install -q -r "$here/requirements-py.txt"
"$env/py1/bin/pip" install -q -r "$here/requirements-py1.txt"
if command -v npm >/dev/null; then
  mkdir -p "$env/node"
  cp "$here/node-package.json" "$env/node/package.json"
  (cd "$env/node" && npm install --no-audit --no-fund --silent)
else
  echo "npm not found: the TypeScript SDK clients are skipped" >&2
fi
echo "$env"
