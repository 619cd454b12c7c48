#!/usr/bin/env bash
# End-to-end check of `spanscope listen` with real clients: the OpenTelemetry Python SDK's
# OTLP/HTTP exporter (protobuf, gzip, configured through the environment as the README says)
# and its Zipkin JSON exporter send GenAI spans to `spanscope listen --no-ui --save`; the saved
# file must hold every span with its tree, status and tokens.
#
# Usage: Tests/e2e/live.sh path/to/spanscope
# The exporters are installed, at the versions pinned in live-requirements.txt, into a venv in
# .build-venv/ (gitignored; reused while the pins do not change). On a developer machine it
# skips (exit 0) when the package index cannot be reached and the venv is not already there;
# in CI (CI set to true, as .ci/run does) that is a failure, so the check cannot vanish there.
set -uo pipefail
bin=${1:?usage: live.sh path/to/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/pyenv-lib.sh"

echo "spanscope listen end-to-end (OpenTelemetry Python exporters)"
use_venv otel-e2e live-requirements.txt opentelemetry-sdk
started=$(date +%s)

# The receiver on a free loopback port; its first line names the port.
"$bin" listen --no-ui --port 0 --save "$work/saved.jsonl" > "$work/listen.log" 2>&1 &
listener=$!
background+=("$listener")
port=$(listen_port "$work/listen.log" "$listener" "listening on")
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
saved_matches_sent "$work/saved.jsonl" "$work/expected.json"
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
stops_cleanly "$listener" "$work/listen.log" "stops it"

# The explorer on live data, in tmux: a trace appears, opens, grows; the selection stays put.
post_json() { # port body
  python3 - "$1" "$2" <<'PY'
import sys, urllib.request
r = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/traces", data=sys.argv[2].encode(),
                           headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(r, timeout=10).read()
PY
}
span_json() { # id parent name start_ms
  local parent=""
  [ -n "$2" ] && parent="\"parentSpanId\":\"$2\","
  printf '{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"%s",%s"name":"%s","startTimeUnixNano":"%s000000","endTimeUnixNano":"%s000000"}' \
    "$1" "$parent" "$3" "$((1700000000000 + $4))" "$((1700000000000 + $4 + 5))"
}
request_json() { printf '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ui-e2e"}}]},"scopeSpans":[{"spans":[%s]}]}]}' "$1"; }
if command -v tmux >/dev/null; then
  tmsock="spanscope-live-$$"
  tm() { tmux -L "$tmsock" "$@"; }
  pane() { tm capture-pane -p -t ui; }
  wait_pane() { # text
    for _ in $(seq 50); do pane | grep -qF -- "$1" && return 0; sleep 0.1; done
    return 1
  }
  tm new-session -d -s ui -x 100 -y 16 "$bin listen --port 0 --save $work/ui.jsonl; echo exit=\$? > $work/ui.exit; sleep 60"
  if wait_pane "waiting for spans on http://127.0.0.1:"; then
    uiport=$(pane | sed -n 's/^● live http:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p' | head -1)
    post_json "$uiport" "$(request_json "$(span_json 00000000000000a1 "" agent 0),$(span_json 00000000000000b1 00000000000000a1 'step one' 20)")"
    if wait_pane "agent"; then
      tm send-keys -t ui Enter
      wait_pane "step one" && tm send-keys -t ui j
      wait_pane "agent › step one"
      post_json "$uiport" "$(request_json "$(span_json 00000000000000b0 00000000000000a1 'step zero' 10),$(span_json 00000000000000b2 00000000000000a1 'step two' 30)")"
      if wait_pane "step two" && pane | grep -qF "step zero" && pane | tail -1 | grep -qF "agent › step one" \
         && pane | head -1 | grep -qF "4 spans"; then
        pass "explorer: the open trace grew to 4 spans and the selection stayed on its span"
      else
        fail "explorer after the trace grew:"$'\n'"$(pane)"
      fi
    else
      fail "explorer never showed the first trace:"$'\n'"$(pane)"
    fi
    tm send-keys -t ui q
    for _ in $(seq 50); do [ -s "$work/ui.exit" ] && break; sleep 0.1; done
    if [ "$(cat "$work/ui.exit" 2>/dev/null)" = "exit=0" ] && "$bin" summary "$work/ui.jsonl" 2>&1 | grep -q "4 spans"; then
      pass "explorer: q quits (exit 0) and the saved file holds the 4 spans"
    else
      fail "explorer quit: $(cat "$work/ui.exit" 2>/dev/null); saved: $("$bin" summary "$work/ui.jsonl" 2>&1 | head -3)"
    fi
  else
    fail "explorer did not start:"$'\n'"$(pane)"
  fi
  tm kill-server 2>/dev/null
else
  echo "  skip explorer part: tmux is not installed"
fi

# A non-loopback address needs --allow-remote.
out=$("$bin" listen --no-ui --host 0.0.0.0 --port 0 2>&1); status=$?
if [ $status -ne 0 ] && grep -q "needs --allow-remote" <<< "$out"; then
  pass "--host 0.0.0.0 without --allow-remote is refused"
else
  fail "--host 0.0.0.0 without --allow-remote: exit $status: $out"
fi

finish "live end-to-end"
