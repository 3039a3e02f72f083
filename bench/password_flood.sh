#!/usr/bin/env bash
# A plain read's latency while eight clients flood observees-server with correct-password checks
# (issue 17 item 8): wrk reads GET /api/v1/users/self/observees on one connection, first alone, then
# while wrk sends linking-by-login requests (real Argon2id, the demo fixture's Sam) on eight more.
# Prints p50 and p99 of both runs, their ratio and the verdict against the goal (p99 within 2x), and
# the flood's checks per second and 503s; writes the figures as TSV rows to OUT (report.py's format).
#   bench/password_flood.sh SERVER_BINARY FIXTURE OUT.tsv [SECONDS]
set -euo pipefail
server_binary=$1
fixture=$2
out=$3
seconds=${4:-${OBSERVEES_BENCH_WRK_SECONDS:-5}}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

"$server_binary" --db ":memory:" --seed "$fixture" --listen 127.0.0.1:0 --threads 2 \
  >"$work/server.out" 2>"$work/server.err" &
server=$!
for _ in $(seq 1 300); do
  grep -q '^listening on' "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/server.out" | head -1)
[ -n "$url" ] || { echo "observees-server did not start"; cat "$work/server.err"; exit 1; }
read_url="$url/api/v1/users/self/observees"
cat >"$work/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "observee[unique_id]=sam&observee[password]=sam-demo-password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Bearer demo-parent-token"
LUA

# wrk's latency percentile line ("99%  1.23ms") in microseconds.
percentile() {
  awk -v p="$2" '$1 == p {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    m = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : (u == "m") ? 60000000 : 0;
    printf "%.1f", v * m}' "$1"
}

wrk -t1 -c1 -d"${seconds}s" --latency -H 'Authorization: Bearer demo-parent-token' "$read_url" >"$work/alone.txt"
wrk -t1 -c8 -d"$((seconds + 2))s" -s "$work/flood.lua" "$read_url" >"$work/flood.txt" &
flood=$!
sleep 1  # the flood is under way before the read starts
wrk -t1 -c1 -d"${seconds}s" --latency -H 'Authorization: Bearer demo-parent-token' "$read_url" >"$work/during.txt"
wait "$flood"

p50_alone=$(percentile "$work/alone.txt" 50%)
p99_alone=$(percentile "$work/alone.txt" 99%)
p50_during=$(percentile "$work/during.txt" 50%)
p99_during=$(percentile "$work/during.txt" 99%)
checks=$(awk '$1 == "Requests/sec:" {print $2}' "$work/flood.txt")
refused=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/flood.txt")
ratio=$(awk -v a="$p99_during" -v b="$p99_alone" 'BEGIN {printf "%.2f", a / b}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 2.0) ? "met" : "MISSED"}')
echo "  read alone:          p50 ${p50_alone} us, p99 ${p99_alone} us"
echo "  read during a flood: p50 ${p50_during} us, p99 ${p99_during} us (8 clients, ${checks} password checks/s, ${refused:-0} answered 503)"
echo "  p99 during / alone: ${ratio}x (goal: within 2x): ${verdict}"
printf 'flood\tread_alone\tp50_us\t%s\nflood\tread_alone\tp99_us\t%s\nflood\tread_during\tp50_us\t%s\nflood\tread_during\tp99_us\t%s\nflood\tflood\tchecks_per_s\t%s\nflood\tflood\trefused\t%s\n' \
  "$p50_alone" "$p99_alone" "$p50_during" "$p99_during" "$checks" "${refused:-0}" >"$out"
