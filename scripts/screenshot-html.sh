#!/usr/bin/env bash
# Render the HTML report of a bundled fixture site in headless Chromium and
# save a screenshot, to look at the page as a site owner would.
#
#   scripts/screenshot-html.sh [SITE] [OUT.png] [WIDTH,HEIGHT]
#
# SITE is a bundled site (default classic-oauth; see fixtures/sites/),
# OUT.png defaults to target/screenshots/SITE.png. Needs `chromium`
# (Debian: apt-get install -y chromium). Not part of CI, which has no browser.
# Everything stays on loopback: the site is served on 127.0.0.1 by
# examples/serve_sites.rs, and Chromium opens a file:// URL with networking
# features off (the page loads no external assets anyway).
set -euo pipefail
cd "$(dirname "$0")/.."

site="${1:-classic-oauth}"
out="${2:-target/screenshots/$site.png}"
size="${3:-1280,2400}"

command -v chromium >/dev/null || { echo "chromium is not installed" >&2; exit 2; }
cargo build --quiet --locked --bin agentready --example serve_sites
mkdir -p "$(dirname "$out")"
work="$(mktemp -d)"

target/debug/examples/serve_sites "$site" > "$work/sites.txt" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  [ -s "$work/sites.txt" ] && break
  sleep 0.1
done
origin="$(awk -v s="$site" '$1 == s { print $2 }' "$work/sites.txt")"
[ -n "$origin" ] || { echo "the fixture server did not start" >&2; exit 2; }

# The gate may fail (exit 1): that is part of what the page shows.
target/debug/agentready scan "$origin" --format html -o "$work/report.html" || true

chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run \
  --user-data-dir="$work/profile" --screenshot="$(realpath "$out")" \
  --window-size="$size" "file://$work/report.html" >/dev/null 2>&1
echo "$out"
