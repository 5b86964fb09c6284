#!/usr/bin/env bash
# Render the HTML report of a bundled fixture site in headless Chromium and
# save a screenshot, to look at the page as a site owner would.
#
#   scripts/screenshot-html.sh [SITE] [OUT.png] [WIDTH,HEIGHT] [MEASURE.json]
#
# SITE is a bundled site (default classic-oauth; see fixtures/sites/),
# OUT.png defaults to target/screenshots/SITE.png. Needs `chromium`
# (Debian: apt-get install -y chromium). With MEASURE.json, the page is
# also laid out at the same size with a measuring script added (to a copy
# without the report's Content-Security-Policy, which forbids scripts), and
# what it measured is written there as JSON: the viewport, the page's
# scroll width, the top-fixes block's box and the grade badge's colours
# (tests/screenshot.rs checks them).
# Everything stays on loopback: the site is served on 127.0.0.1 by
# examples/serve_sites.rs, and Chromium opens a file:// URL with networking
# features off (the page loads no external assets anyway).
set -euo pipefail
cd "$(dirname "$0")/.."

site="${1:-classic-oauth}"
out="${2:-target/screenshots/$site.png}"
size="${3:-1280,2400}"
measure="${4:-}"

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

browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/profile-$1" --window-size="$size" "${@:2}"
}

if [ -z "$measure" ]; then
  browser shot --screenshot="$(realpath "$out")" "file://$work/report.html" >/dev/null 2>&1
  echo "$out"
  exit 0
fi

# Measuring: the report, without its Content-Security-Policy (which forbids
# scripts) and with a script at the end of its body, is laid out in an
# iframe of exactly WIDTH×HEIGHT (a window cannot be narrower than 500 px
# here); the script posts what it measured to the outer page, which shows
# it, and --dump-dom prints the outer page.
width="${size%,*}"
height="${size#*,}"
sed -e '/Content-Security-Policy/d' "$work/report.html" \
  | sed -e 's#</body>#<script>\n(function () {\n  var r = { innerWidth: window.innerWidth, innerHeight: window.innerHeight,\n    scrollWidth: document.documentElement.scrollWidth };\n  var f = document.getElementById("top-fixes");\n  if (f) { var b = f.getBoundingClientRect(); r.fixesTop = b.top; r.fixesBottom = b.bottom;\n    var li = f.querySelector("li"); if (li) { r.firstFixBottom = li.getBoundingClientRect().bottom; } }\n  var g = document.querySelector(".grade");\n  if (g) { var s = getComputedStyle(g); r.gradeColor = s.color; r.gradeBackground = s.backgroundColor; r.gradeText = g.textContent; }\n  parent.postMessage(JSON.stringify(r), "*");\n})();\n</script></body>#' \
  > "$work/page.html"
cat > "$work/measure.html" <<HTML
<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
<script>window.addEventListener("message", function (e) { document.getElementById("measurements").textContent = e.data; });</script>
<iframe src="page.html" style="border:0;display:block;width:${width}px;height:${height}px"></iframe>
<pre id="measurements"></pre>
</body></html>
HTML
# The screenshot shows the iframe, the page at exactly WIDTH×HEIGHT.
shot_size="$(( width < 500 ? 500 : width )),${height}"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$work/profile-shot" --window-size="$shot_size" \
  --virtual-time-budget=3000 --screenshot="$(realpath "$out")" "file://$work/measure.html" >/dev/null 2>&1
echo "$out"
browser measure --virtual-time-budget=3000 --dump-dom "file://$work/measure.html" 2>/dev/null \
  | sed -n 's#.*<pre id="measurements">\(.*\)</pre>.*#\1#p' > "$measure"
[ -s "$measure" ] || { echo "chromium measured nothing" >&2; exit 2; }
echo "$measure"
