#!/usr/bin/env bash
# The batch benchmark: N distinct virtual-host targets on one loopback
# server, scanned by `agentready batch`, then the same server and request
# mix driven by wrk. Prints targets/s, requests/s, requests per target,
# duplicate requests, peak RSS, wrk's requests/s and the ratio.
#
#   bench/run.sh                 # N=10000 targets, 1000 in flight
#   N=20000 CONCURRENCY=500 WRK_SECONDS=20 bench/run.sh
#
# Also replays the same requests with reqwest alone and with bare hyper
# (examples/bench_floor.rs): the floors of the HTTP stack itself; and times
# the scanner's own work per target without the network
# (examples/bench_evaluate.rs) against the CPU budget a ratio of 0.5 leaves.
# Needs wrk (apt-get install -y wrk) and GNU time (/usr/bin/time).
# Loopback only; figures go to bench/out/ (not committed); the results file
# itself (~70 KB per target) is deleted unless KEEP_RESULTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
CONCURRENCY=${CONCURRENCY:-1000}
PER_HOST=${PER_HOST:-1}
WRK_SECONDS=${WRK_SECONDS:-15}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-128}
OUT=bench/out
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 2; }

cargo build --release --locked --bin agentready --example bench_server --example bench_floor --example bench_evaluate >&2
BIN=target/release/agentready

target/release/examples/bench_server > "$OUT/server.txt" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$OUT/server.txt" 2>/dev/null && break; sleep 0.05; done
PORT=$(awk '/listening/ {print $2}' "$OUT/server.txt")
CTL="http://127.0.0.1:$PORT/__bench"
SITES=$(curl -s "$CTL/targets?n=1000" | sed -E 's#^http://t[0-9]+\.bench\.test:[0-9]+##' | sort -u | wc -l)
curl -s "$CTL/targets?n=$N" > "$OUT/targets.txt"
rm -f "$OUT/results.jsonl" "$OUT/results.jsonl.meta.json"

# CPU seconds the server has used so far (utime + stime).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$SERVER/stat"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
S0=$(server_cpu)
/usr/bin/time -v -o "$OUT/time.txt" "$BIN" batch "$OUT/targets.txt" -o "$OUT/results.jsonl" \
  --resolve "*.bench.test:127.0.0.1" --loopback-only --quiet \
  --concurrency "$CONCURRENCY" --per-host "$PER_HOST" || true
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
S1=$(server_cpu)
curl -s "$CTL/stats" > "$OUT/server-stats.json"
curl -s "$CTL/requests" > "$OUT/requests.tsv"

# wrk against the same server, the same paths, methods and bodies.
S2=$(server_cpu)
BENCH_REQUESTS="$OUT/requests.tsv" BENCH_PORT=$PORT BENCH_HOSTS=$N BENCH_SITES=$SITES \
  /usr/bin/time -f "%U %S" -o "$OUT/wrk-time.txt" wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" -s bench/wrk.lua "http://127.0.0.1:$PORT/" > "$OUT/wrk.txt"

S3=$(server_cpu)

# The floor: the same requests over the same hosts sent by reqwest alone
# (agentready's HTTP stack, no planning, evaluation or report), then by
# hyper's bare connection API (one connection per host, no pool), so the
# figures say how much of the gap to wrk is the HTTP stack itself.
curl -s -XPOST "$CTL/reset" > /dev/null
F0=$(server_cpu)
/usr/bin/time -f "%U %S" -o "$OUT/floor-time.txt" target/release/examples/bench_floor \
  "$OUT/requests.tsv" "$PORT" "$N" "$SITES" "$CONCURRENCY" "$PER_HOST" > "$OUT/floor.txt"
F1=$(server_cpu)
FLOOR_HYPER=1 /usr/bin/time -f "%U %S" -o "$OUT/floor-hyper-time.txt" target/release/examples/bench_floor \
  "$OUT/requests.tsv" "$PORT" "$N" "$SITES" "$CONCURRENCY" 1 > "$OUT/floor-hyper.txt"
F2=$(server_cpu)
target/release/examples/bench_evaluate > "$OUT/evaluate.txt"

python3 - "$OUT" "$N" "$CONCURRENCY" "$LOAD_BEFORE" "$LOAD_AFTER" "$S0" "$S1" "$S2" "$S3" "$F0" "$F1" "$F2" <<'PY'
import json, re, sys
out, n, conc, load_before, load = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
s0, s1, s2, s3, f0, f1, f2 = map(float, sys.argv[6:13])
meta = json.load(open(f"{out}/results.jsonl.meta.json"))
server = json.load(open(f"{out}/server-stats.json"))
timev = open(f"{out}/time.txt").read()
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timev).group(1))
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", timev)
wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", timev).group(1)) + \
      float(re.search(r"System time \(seconds\): ([\d.]+)", timev).group(1))
wrk = open(f"{out}/wrk.txt").read()
wrk_rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
wrk_total = int(re.search(r"(\d+) requests in", wrk).group(1))
wrk_cpu = sum(map(float, open(f"{out}/wrk-time.txt").read().split()))
lines = sum(1 for _ in open(f"{out}/results.jsonl"))
c = meta["counts"]
req = server["requests"]
rps = req / wall
print(f"targets                 {n} ({conc} in flight, per-host {meta['options']['per_host']})")
print(f"reports written         {lines} ({c['complete']} complete, {c['incomplete']} incomplete)")
print(f"wall time               {wall:.2f} s (agentready CPU {cpu:.1f} s)")
print(f"targets/s               {n / wall:.0f}")
print(f"requests (server count) {req} ({meta['requests']['requests']} by agentready's count)")
print(f"requests/s              {rps:.0f}")
print(f"requests per target     {req / n:.2f}")
print(f"duplicate requests      {server['duplicate_keys']} keys requested more than once (max {server['max_per_key']} per key)")
print(f"peak RSS                {rss_kb / 1024:.0f} MB")
print(f"wrk requests/s          {wrk_rps:.0f} (same server, same request mix)")
print(f"ratio                   {rps / wrk_rps:.2f} (agentready requests/s ÷ wrk requests/s)")
us = lambda cpu_s, reqs: cpu_s / reqs * 1e6
print(f"CPU per request         agentready {us(cpu, req):.0f} µs + server {us(s1 - s0, req):.0f} µs"
      f"  vs  wrk {us(wrk_cpu, wrk_total):.0f} µs + server {us(s3 - s2, wrk_total):.0f} µs")
def floor(name, label, cpu0, cpu1):
    m = re.search(r"requests (\d+) seconds ([\d.]+)", open(f"{out}/{name}.txt").read())
    fr, fs = int(m.group(1)), float(m.group(2))
    fcpu = sum(map(float, open(f"{out}/{name}-time.txt").read().split()))
    print(f"{label:<24}{fr / fs:.0f} requests/s, ratio {fr / fs / wrk_rps:.2f}, CPU per request"
          f" {us(fcpu, fr):.0f} µs + server {us(cpu1 - cpu0, fr):.0f} µs")
    return us(fcpu, fr), us(cpu1 - cpu0, fr)
floor("floor", "floor: reqwest alone", f0, f1)
hyper = floor("floor-hyper", "floor: bare hyper", f1, f2)
# What a ratio of 0.5 leaves for the scanner: client and server share the
# cores, so at half wrk's rate a request may cost cores / (wrk / 2) of CPU
# in all; the bare HTTP client and the server take their floor's share.
import os
cores = os.cpu_count() or 2
budget = cores * 1e6 / (wrk_rps / 2)
left = budget - hyper[0] - hyper[1]
m = re.search(r"mean evaluate ([\d.]+) us serialize ([\d.]+) us", open(f"{out}/evaluate.txt").read())
ev_us, ser_us = float(m.group(1)), float(m.group(2))
print(f"budget for ratio 0.5    {budget:.0f} µs CPU per request ({cores} cores at half wrk's rate); bare hyper"
      f" and the server take {hyper[0]:.0f} + {hyper[1]:.0f}, leaving {left:.0f} µs per request ="
      f" {left * req / n:.0f} µs per target for all of the scanner's work")
print(f"scanner work per target evaluate {ev_us:.0f} µs + report line {ser_us:.0f} µs (no network, warm caches;"
      f" examples/bench_evaluate.rs), before planning, the HTTP client's bookkeeping and scheduling")
print(f"load average            {load_before} before, {load} after the batch (2 cores, shared)")
PY
# The results file is ~70 KB per target (~700 MB for 10,000): kept only on request.
[ "${KEEP_RESULTS:-0}" = 1 ] || rm -f "$OUT/results.jsonl"
