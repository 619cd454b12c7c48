#!/usr/bin/env bash
# End-to-end check of `spanscope listen` over OTLP/gRPC with the OpenTelemetry Python SDK's gRPC
# exporter (plain, configured through the environment as the README says, and gzip), beside the
# HTTP receiver of the same process: the saved file must hold every span with its tree, status
# and tokens; bad calls get INVALID_ARGUMENT and UNIMPLEMENTED; SIGTERM stops both receivers.
#
# Usage: Tests/e2e/live-grpc.sh path/to/spanscope
# The exporter is installed, at the versions pinned in live-grpc-requirements.txt, into a venv in
# .build-venv/ (gitignored; reused while the pins do not change). Skips (exit 0) when the
# package index cannot be reached and the venv is not already there, except in CI (CI=true),
# where that fails.
set -uo pipefail
bin=${1:?usage: live-grpc.sh path/to/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/pyenv-lib.sh"

echo "spanscope listen over OTLP/gRPC end-to-end (OpenTelemetry Python gRPC exporter)"
use_venv otel-grpc-e2e live-grpc-requirements.txt opentelemetry-sdk
started=$(date +%s)

# Both receivers on free loopback ports; the first two lines name them.
"$bin" listen --no-ui --port 0 --grpc-port 0 --save "$work/saved.jsonl" > "$work/listen.log" 2>&1 &
listener=$!
background+=("$listener")
port=$(listen_port "$work/listen.log" "$listener" "listening on")
grpcport=$(listen_port "$work/listen.log" "$listener" "OTLP\/gRPC on")
if [ -z "$port" ] || [ -z "$grpcport" ]; then
  fail "listen did not start both receivers: $(head -5 "$work/listen.log")"
  exit 1
fi
pass "listen --no-ui: OTLP/HTTP on port $port, OTLP/gRPC on port $grpcport"

OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpcport" OTEL_EXPORTER_OTLP_INSECURE=true \
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE=10 OTEL_BSP_SCHEDULE_DELAY=100 \
  "$venv/bin/python" "$here/live_grpc_send.py" "http://127.0.0.1:$port" "$work/expected.json" > "$work/send.log" 2>&1
status=$?
if [ $status -eq 0 ]; then pass "$(tail -1 "$work/send.log")"; else fail "live_grpc_send.py (exit $status): $(cat "$work/send.log")"; fi

saved_matches_sent "$work/saved.jsonl" "$work/expected.json"

log=$(cat "$work/listen.log")
path='/opentelemetry.proto.collector.trace.v1.TraceService/Export'
plain=$(grep -c "^OK gRPC $path OTLP protobuf: " <<< "$log")
zipped=$(grep -c "^OK gRPC $path OTLP protobuf (gzip): " <<< "$log")
http=$(grep -c '^200 POST /v1/traces OTLP JSON: 1 span accepted' <<< "$log")
if [ "$plain" -ge 2 ] && [ "$zipped" -ge 1 ] && [ "$http" -eq 1 ]; then
  pass "one log line per call ($plain plain gRPC, $zipped gzip gRPC, $http HTTP)"
else
  fail "log lines: $plain plain, $zipped gzip, $http HTTP in: $log"
fi
if grep -q "^INVALID_ARGUMENT gRPC $path OTLP protobuf: invalid OTLP protobuf" <<< "$log" \
   && grep -q '^UNIMPLEMENTED gRPC /opentelemetry.proto.collector.metrics.v1.MetricsService/Export: ' <<< "$log"; then
  pass "refused calls are logged with their gRPC status"
else
  fail "no INVALID_ARGUMENT/UNIMPLEMENTED lines in: $log"
fi

stops_cleanly "$listener" "$work/listen.log" "stops both receivers"

# An explicit --grpc-port that is taken is an error; the default one taken only turns gRPC off.
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(20)' > "$work/holder.port" &
holder=$!
background+=("$holder")
for _ in $(seq 50); do [ -s "$work/holder.port" ] && break; sleep 0.1; done
taken=$(cat "$work/holder.port")
out=$(timeout 10 "$bin" listen --no-ui --port 0 --grpc-port "$taken" 2>&1); status=$?
if [ $status -eq 1 ] && grep -q "cannot listen for OTLP/gRPC on 127.0.0.1:$taken: the address is already in use" <<< "$out"; then
  pass "a --grpc-port in use is refused with a one-line error"
else
  fail "--grpc-port in use: exit $status: $out"
fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

finish "gRPC end-to-end"
