#!/usr/bin/env bash
# observees-server under wrk on loopback (issue 19 items 1-2), on 2 serving threads: GET observees
# (a bearer token, a page of 10) and a trivial route (an unrouted GET the router answers 404 before any
# storage) at 1, 8 and 64 keep-alive connections, with the server's CPU per request (its utime+stime
# from /proc over the run, divided by the requests); and nginx from Debian answering a fixed
# `return 200` with 2 workers on a free loopback port, the socket path's limit. Prints each run, the
# ratios and the verdicts against the goals; writes wrk's outputs to OUT_DIR as wrk-ROUTE-C.txt and
# the CPU figures as OUT_DIR/http.tsv (report.py reads both).
#   bench/http_bench.sh SERVER_BINARY DATABASE OUT_DIR [SECONDS]
# DATABASE is one of observees_bench's (its observer "token-obs" lists 10 students).
set -euo pipefail
server_binary=$1
db=$2
out=$3
seconds=${4:-${OBSERVEES_BENCH_WRK_SECONDS:-5}}
work=$(mktemp -d)
server=
nginx_pid=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

"$server_binary" --db "$db" --listen 127.0.0.1:0 --fast-password-hashing --threads 2 \
  >"$work/server.out" 2>"$work/server.err" &
server=$!
for _ in $(seq 1 100); do
  grep -q '^listening on' "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/server.out" | head -1)
[ -n "$url" ] || { echo "observees-server did not start"; cat "$work/server.err"; exit 1; }
curl -fsS -H 'Authorization: Bearer token-obs' "$url/api/v1/users/self/observees?per_page=10" >/dev/null

# CPU seconds (user + system) the process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
rps() { awk '$1 == "Requests/sec:" {print $2}' "$1"; }
p99_ms() {
  awk '$1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    printf "%.3f", v * ((u == "us") ? 0.001 : (u == "ms") ? 1 : 1000)}' "$1"
}

# run NAME CONNECTIONS URL [wrk args...]: one wrk run, its CPU per request into http.tsv.
: >"$out/http.tsv"
run() {
  local name=$1 c=$2 target=$3
  shift 3
  local threads=$((c < 2 ? 1 : 2))
  local before after
  before=$(cpu_seconds "$server")
  wrk -t"$threads" -c"$c" -d"${seconds}s" --latency "$@" "$target" >"$out/wrk-$name-$c.txt"
  after=$(cpu_seconds "$server")
  local requests
  requests=$(awk '/requests in/ {print $1}' "$out/wrk-$name-$c.txt")
  awk -v n="$name/$c" -v a="$after" -v b="$before" -v r="$requests" \
    'BEGIN {printf "http\t%s\tcpu_us_per_request\t%.1f\n", n, (a - b) * 1e6 / r}' >>"$out/http.tsv"
}

for c in 1 8 64; do
  run observees "$c" "$url/api/v1/users/self/observees?per_page=10" -H 'Authorization: Bearer token-obs'
  run trivial "$c" "$url/bench-trivial"
done
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=

# nginx: the same wrk against `return 200`, 2 workers, no log.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:$port; location / { return 200 "ok"; } }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done
for c in 1 8 64; do
  wrk -t"$((c < 2 ? 1 : 2))" -c"$c" -d"${seconds}s" --latency "http://127.0.0.1:$port/" >"$out/wrk-nginx-$c.txt"
done
kill "$nginx_pid" 2>/dev/null || true
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=

for c in 1 8 64; do
  o=$(rps "$out/wrk-observees-$c.txt") t=$(rps "$out/wrk-trivial-$c.txt") n=$(rps "$out/wrk-nginx-$c.txt")
  cpu_o=$(awk -v k="observees/$c" '$2 == k {print $4}' "$out/http.tsv")
  cpu_t=$(awk -v k="trivial/$c" '$2 == k {print $4}' "$out/http.tsv")
  echo "  $c connection(s): observees $o req/s (p99 $(p99_ms "$out/wrk-observees-$c.txt") ms, ${cpu_o} us CPU/req)," \
    "trivial $t req/s (p99 $(p99_ms "$out/wrk-trivial-$c.txt") ms, ${cpu_t} us CPU/req), nginx $n req/s"
  awk -v o="$o" -v t="$t" -v n="$n" -v c="$c" 'BEGIN {
    printf "    observees / trivial %.2f%s; nginx / trivial %.2f (goal: within 1.5)\n", o / t,
      (c == 1) ? "" : " (goal: at least 0.6)", n / t }'
done
p99_64=$(p99_ms "$out/wrk-observees-64.txt")
awk -v p="$p99_64" 'BEGIN {printf "  p99 of observees at 64 connections: %s ms (goal: under 5): %s\n", p, (p < 5) ? "met" : "MISSED"}'
