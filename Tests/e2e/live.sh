#!/usr/bin/env bash
# End-to-end check of `spanscope listen` with real clients: the OpenTelemetry Python SDK's
# OTLP/HTTP exporter (protobuf, gzip, configured through the environment as the README says)
# and its Zipkin JSON exporter send GenAI spans to `spanscope listen --no-ui --save`; the saved
# file must hold every span with its tree, status and tokens.
#
# Usage: Tests/e2e/live.sh path/to/spanscope
# The exporters are installed, at the versions pinned in live-requirements.txt, into a venv in
# .build-venv/ (gitignored; reused while the pins do not change). Skips (exit 0) only when the
# package index cannot be reached and the venv is not already there.
set -uo pipefail
bin=${1:?usage: live.sh path/to/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/.build-venv/otel-e2e"
requirements="$here/live-requirements.txt"
work=$(mktemp -d)
listener=""
cleanup() {
  if [ -n "$listener" ] && kill -0 "$listener" 2>/dev/null; then kill -KILL "$listener" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
pass() { printf '  ok   %s\n' "$1"; }
fail() { printf '  FAIL %s\n' "$1"; failures=$((failures + 1)); }

echo "spanscope listen end-to-end (OpenTelemetry Python exporters)"

# The venv, installed once per set of pins.
stamp="$venv/.requirements"
if ! cmp -s "$requirements" "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" || { fail "python3 -m venv"; exit 1; }
  # Only an unreachable index is a reason to skip; anything else that fails is a failure.
  if ! "$venv/bin/python" -m pip index versions opentelemetry-sdk >/dev/null 2>&1; then
    rm -rf "$venv"
    echo "  SKIP PyPI (or the configured package index) is unreachable, so the OpenTelemetry exporters cannot be installed"
    exit 0
  fi
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"; then
    rm -rf "$venv"
    fail "pip install -r Tests/e2e/live-requirements.txt"
    exit 1
  fi
  cp "$requirements" "$stamp"
fi
started=$(date +%s)

# The receiver on a free loopback port; its first line names the port.
"$bin" listen --no-ui --port 0 --save "$work/saved.jsonl" > "$work/listen.log" 2>&1 &
listener=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^spanscope: listening on http:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$work/listen.log")
  [ -n "$port" ] && break
  kill -0 "$listener" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  fail "listen did not start: $(head -5 "$work/listen.log")"
  exit 1
fi
pass "listen --no-ui on port $port"

base="http://127.0.0.1:$port"
OTEL_EXPORTER_OTLP_ENDPOINT="$base" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_COMPRESSION=gzip \
  OTEL_EXPORTER_ZIPKIN_ENDPOINT="$base/api/v2/spans" OTEL_BSP_MAX_EXPORT_BATCH_SIZE=10 OTEL_BSP_SCHEDULE_DELAY=100 \
  "$venv/bin/python" "$here/live_send.py" "$base" "$work/expected.json" > "$work/send.log" 2>&1
status=$?
if [ $status -eq 0 ]; then pass "$(tail -1 "$work/send.log")"; else fail "live_send.py (exit $status): $(cat "$work/send.log")"; fi

# Every request was answered after its line reached the file, so the file is complete now,
# before the receiver stops.
"$bin" summary --format json "$work/saved.jsonl" > "$work/summary.json" 2> "$work/summary.err"
status=$?
if [ $status -eq 0 ]; then pass "spanscope summary reads the saved file"; else fail "summary (exit $status): $(cat "$work/summary.err")"; fi
if out=$("$venv/bin/python" "$here/live_check.py" "$work/expected.json" "$work/saved.jsonl" "$work/summary.json"); then
  pass "$(printf '%s' "$out" | tail -1)"
else
  fail "saved spans differ from the ones sent:"$'\n'"$out"
fi
"$bin" check "$work/saved.jsonl" > "$work/check.log" 2>&1
status=$?
if [ $status -eq 0 ]; then pass "spanscope check: the saved file reads cleanly"; else fail "check (exit $status): $(cat "$work/check.log")"; fi

log=$(cat "$work/listen.log")
otlp=$(grep -c '^200 POST /v1/traces OTLP protobuf (gzip): ' <<< "$log")
zipkin=$(grep -c '^202 POST /api/v2/spans Zipkin JSON: ' <<< "$log")
if [ "$otlp" -ge 2 ] && [ "$zipkin" -ge 1 ]; then
  pass "one log line per request ($otlp OTLP gzip, $zipkin Zipkin)"
else
  fail "log lines: $otlp OTLP, $zipkin Zipkin in: $log"
fi
if grep -q '^400 POST /v1/traces OTLP protobuf: invalid OTLP protobuf' <<< "$log" && grep -q '^415 POST /v1/traces: ' <<< "$log"; then
  pass "bad requests are logged with their status"
else
  fail "no 400/415 lines in: $log"
fi

# A clean stop on SIGTERM.
kill -TERM "$listener"
for _ in $(seq 1 50); do kill -0 "$listener" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$listener" 2>/dev/null; then
  fail "listen still running 5 s after SIGTERM"
else
  wait "$listener"
  status=$?
  listener=""
  if [ $status -eq 0 ] && tail -1 "$work/listen.log" | grep -q '^spanscope: stopped after'; then
    pass "SIGTERM stops it cleanly: $(tail -1 "$work/listen.log")"
  else
    fail "after SIGTERM: exit $status, last line: $(tail -1 "$work/listen.log")"
  fi
fi

# A non-loopback address needs --allow-remote.
out=$("$bin" listen --no-ui --host 0.0.0.0 --port 0 2>&1); status=$?
if [ $status -ne 0 ] && grep -q "needs --allow-remote" <<< "$out"; then
  pass "--host 0.0.0.0 without --allow-remote is refused"
else
  fail "--host 0.0.0.0 without --allow-remote: exit $status: $out"
fi

echo "  ($(( $(date +%s) - started )) s without the install)"
if [ $failures -gt 0 ]; then
  echo "$failures live end-to-end check(s) failed"
  exit 1
fi
echo "all live end-to-end checks passed"
