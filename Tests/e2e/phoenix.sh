#!/usr/bin/env bash
# End-to-end check of Phoenix as a source and as a destination: a real `phoenix serve` (on free
# loopback ports, in a temporary working directory, stopped at the end) receives two GenAI traces
# from the OpenTelemetry Python SDK, and `spanscope summary phoenix+http://…/PROJECT` must read
# them back with their tree, tokens and errors; AITracing's OTLP/HTTP exporter
# (`seed-example --otlp-endpoint`) sends the seed scenario to it, and spanscope reads that back too.
# The explorer opens on the project in tmux: its list is the search, Enter fetches a trace, R searches again.
#
# Usage: Tests/e2e/phoenix.sh path/to/spanscope path/to/seed-example
# arize-phoenix and the SDK are installed, at the versions pinned in phoenix-requirements.txt
# (about 850 MB), into .build-venv/phoenix-e2e (gitignored; reused while the pins do not change).
# Skips (exit 0) when the package index cannot be reached and the venv is not already there,
# except in CI (CI=true), where that fails.
set -uo pipefail
bin=${1:?usage: phoenix.sh path/to/spanscope path/to/seed-example}
seed=${2:?usage: phoenix.sh path/to/spanscope path/to/seed-example}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
seed=$(cd "$(dirname "$seed")" && pwd)/$(basename "$seed")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/pyenv-lib.sh"
# The explorer runs in its own tmux server, stopped on exit with everything else.
tsock="spanscope-phoenix-e2e-$$"
tmx() { tmux -L "$tsock" "$@"; }
trap 'tmx kill-server 2>/dev/null; cleanup' EXIT

echo "Phoenix as a source and a destination (arize-phoenix, OpenTelemetry Python SDK, AITracing)"
use_venv phoenix-e2e phoenix-requirements.txt arize-phoenix
started=$(date +%s)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); grpcport=$(free_port)
mkdir -p "$work/phoenix"
PHOENIX_WORKING_DIR="$work/phoenix" PHOENIX_HOST=127.0.0.1 PHOENIX_PORT=$port PHOENIX_GRPC_PORT=$grpcport \
  PHOENIX_TELEMETRY_ENABLED=false "$venv/bin/phoenix" serve > "$work/phoenix.log" 2>&1 &
phoenix=$!
background+=("$phoenix")
base="http://127.0.0.1:$port"
ready=""
# Importing Phoenix and migrating its database takes a while on a busy two-core machine.
for _ in $(seq 600); do
  if curl -s -o /dev/null -w '%{http_code}' "$base/healthz" 2>/dev/null | grep -q 200; then ready=1; break; fi
  kill -0 "$phoenix" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  fail "phoenix serve did not start: $(tail -5 "$work/phoenix.log")"
  exit 1
fi
pass "phoenix serve on port $port ($(( $(date +%s) - started )) s to start)"

if "$venv/bin/python" "$here/phoenix_send.py" "$base" e2e "$work/expected.json" > "$work/send.log" 2>&1; then
  pass "$(tail -1 "$work/send.log")"
else
  fail "phoenix_send.py: $(cat "$work/send.log")"
fi

"$bin" summary --format json "phoenix+$base/e2e" > "$work/summary.json" 2> "$work/summary.err"
status=$?
if [ $status -eq 0 ]; then pass "spanscope summary phoenix+$base/e2e"; else fail "summary (exit $status): $(cat "$work/summary.err")"; fi
if out=$("$venv/bin/python" "$here/phoenix_check.py" "$work/expected.json" "$work/summary.json"); then
  pass "$(tail -1 <<< "$out"): counts, roots, errors, LLM calls and tokens match"
else
  fail "read back differs from what was sent:"$'\n'"$out"
fi

out=$("$bin" check "phoenix+$base/e2e" 2>&1); status=$?
if [ $status -eq 0 ] && grep -q "Phoenix API, 2 traces, 6 spans, 3 LLM calls" <<< "$out"; then
  pass "spanscope check: $out"
else
  fail "check (exit $status): $out"
fi

out=$("$bin" summary "phoenix+$base/nope" 2>&1); status=$?
if [ $status -eq 1 ] && [ "$(wc -l <<< "$out")" -eq 1 ] && grep -q "Phoenix has no project nope" <<< "$out"; then
  pass "a missing project is a one-line error: $out"
else
  fail "missing project: exit $status: $out"
fi

# The explorer on Phoenix: the list is the search (root spans only), Enter fetches the whole
# trace off the UI thread, Esc goes back to the list, R searches again.
shows() {
  for _ in $(seq "${2:-100}"); do tmx capture-pane -p -t x 2>/dev/null | grep -qF -- "$1" && return 0; sleep 0.1; done
  return 1
}
screen() { tmx capture-pane -p -t x 2>/dev/null | sed 's/^/       /'; }
tmx -f /dev/null new-session -d -s x -x 120 -y 20 \
  "env TERM=tmux-256color LANG=C.UTF-8 '$bin' 'phoenix+$base/e2e'; echo exited \$?; sleep 60"
if shows "support agent" 600 && shows "classify ticket"; then
  pass "open phoenix+$base/e2e lists both traces from the root-span search"
else
  fail "the explorer's list:"$'\n'"$(screen)"
fi
tmx send-keys -t x Enter
# Either trace may be first in the list; a tree with children shows only once the trace was fetched.
if shows "└──" 300 && shows " · trace " 10; then
  pass "Enter fetched the selected trace: its tree shows ($(tmx capture-pane -p -t x | sed -n 's/^ *\([a-z ]*\)  .* · \([0-9]* spans\) .*/\1, \2/p' | head -1))"
else
  fail "Enter on a listed trace:"$'\n'"$(screen)"
fi
tmx send-keys -t x Escape R
if shows "2 traces found" 300; then pass "R searched Phoenix again: 2 traces found"; else fail "R:"$'\n'"$(screen)"; fi
tmx send-keys -t x q
if shows "exited 0" 100; then pass "the explorer quit cleanly"; else fail "quitting the explorer:"$'\n'"$(screen)"; fi
tmx kill-server 2>/dev/null

# AITracing's exporter into Phoenix: the seed scenario's trace lands in the default project.
if "$seed" --otlp-endpoint "$base/v1/traces" > "$work/seed.log" 2>&1; then
  pass "seed-example --otlp-endpoint $base/v1/traces: $(head -1 "$work/seed.log")"
else
  fail "seed-example: $(cat "$work/seed.log")"
fi
spans=$(sed -n 's/^recorded trace [0-9a-f]*: \([0-9]*\) spans.*/\1/p' "$work/seed.log")
trace=$(sed -n 's/^recorded trace \([0-9a-f]*\): .*/\1/p' "$work/seed.log")
ok=""
for _ in $(seq 60); do
  "$bin" summary --format json "phoenix+$base/default/trace/$trace" > "$work/seed.json" 2> "$work/seed.err" \
    && python3 - "$work/seed.json" "$spans" <<'PY' && { ok=1; break; }
import json, sys
t = json.load(open(sys.argv[1]))["traces"]
sys.exit(0 if len(t) == 1 and t[0]["span_count"] == int(sys.argv[2]) and t[0]["llm_calls"] == 3
         and t[0]["root"] == "process_request" and t[0]["prompt_tokens"] > 0 else 1)
PY
  sleep 0.5
done
if [ -n "$ok" ]; then
  pass "the seed trace reads back from Phoenix: $spans spans, 3 LLM calls, root process_request"
else
  fail "seed trace from Phoenix: $(cat "$work/seed.json" "$work/seed.err" 2>/dev/null | head -c 600)"
fi

kill -TERM "$phoenix" 2>/dev/null
for _ in $(seq 100); do kill -0 "$phoenix" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$phoenix" 2>/dev/null; then fail "phoenix still running 10 s after SIGTERM"; else pass "phoenix stopped"; phoenix=""; fi

finish "Phoenix end-to-end"
