#!/bin/bash
# Instructions per `GET /llm-config/` in a server process, counted by
# valgrind's callgrind: a figure that does not move with what else the
# machine runs, unlike req/s and CPU time (docs/benchmarks.md, "The GET hot
# path, third round").
#
# usage: benches/server_instructions.sh SERVER_LOAD_BINARY serve-baseline|serve-llmcfg [N]
#
# SERVER_LOAD_BINARY is the built `server_load` bench
# (`cargo bench --no-run --bench server_load`, target/release/deps/server_load-*);
# its `serve-…` roles are the two servers the load bench compares. The server
# runs under callgrind, answers 300 warm-up requests, then the counters are
# zeroed and N (default 2000) requests are sent one after another over one
# keep-alive connection, `X-Instance-Id` rotating over the 1,000 seeded
# tenants; the dump's total over N is the figure. Counts user-space
# instructions only: the kernel's share (the TCP send, `fcntl` locks) is not
# in it. Under valgrind SHA-256 runs its portable code (no SHA extensions).
set -euo pipefail
bin=$1
role=$2
n=${3:-2000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/load.py" <<'PY'
import http.client, sys
host, port = sys.argv[1].rsplit(":", 1)
token, n = sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection(host, int(port))
for i in range(n):
    headers = {"X-Instance-Id": "tenant-%04d" % (i % 1000)}
    if token != "-":
        headers["Authorization"] = "Bearer " + token
    c.request("GET", "/llm-config/", headers=headers)
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit("HTTP %d: %r" % (r.status, body[:200]))
PY
# Created before the server starts, so the wait below never reads a file the
# background shell has not opened yet.
touch "$dir/out"
valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
    "$bin" "$role" "$dir" > "$dir/out" 2> "$dir/valgrind.log" &
server=$!
lines=1
[ "$role" = serve-llmcfg ] && lines=2
while [ "$(wc -l < "$dir/out")" -lt $lines ]; do sleep 0.5; done
addr=$(sed -n 1p "$dir/out")
token=-
[ $lines = 2 ] && token=$(sed -n 2p "$dir/out")
python3 "$dir/load.py" "$addr" "$token" 300
callgrind_control --zero $server > /dev/null
python3 "$dir/load.py" "$addr" "$token" "$n"
callgrind_control --dump $server > /dev/null
sleep 1
kill $server
wait $server 2> /dev/null || true
total=$(grep -h '^totals:' "$dir/cg.out.1" | awk '{print $2}')
echo "$role: $total instructions over $n requests, $((total / n)) per request"
if [ -n "${KEEP_PROFILE:-}" ]; then
    cp "$dir/cg.out.1" "$KEEP_PROFILE"
    echo "profile: $KEEP_PROFILE (callgrind_annotate --inclusive=yes)"
fi
