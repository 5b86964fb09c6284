#!/usr/bin/env python3
"""Print the verdicts of an agentready JSON report (stdin) that the MCP scripts show."""
import json
import sys

r = json.load(sys.stdin)
print("\n==", r["target"]["url"], "score", r["score"], "grade", r["grade"])
for c in r["checks"]:
    if c["outcome"] in ("pass", "warn", "fail", "info"):
        print("  %-5s %s" % (c["outcome"], c["id"]))
cc = next(c for c in r["checks"] if c["id"] == "client-compatibility")
data = cc.get("data") or {}
for e in data.get("mcp", []):
    print("  MCP endpoint %s: era %s (%s), versions %s"
          % (e["url"], e["era"], e.get("answer"), e["supported_versions"]))
for p in data.get("clients", []):
    print("  %-24s %s" % (p["profile"], p["reason"][:150]))
