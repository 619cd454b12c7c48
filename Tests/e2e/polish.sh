#!/usr/bin/env bash
# End-to-end checks for issue 15 (explorer polish) and for the command-line options no other
# script covered: `open --trace`, `--prices`, `--no-color`, a trace read from standard input while
# keys come from the terminal, the file `x` writes, `listen --max-spans`, the mouse (wheel, click,
# double click) and OSC 52 copies (only with --osc52).
#
# Usage: Tests/e2e/polish.sh PATH/TO/spanscope
# Builds nothing; run it after `swift build` (for example from .ci/run). Needs tmux, curl and
# python3. On failure it names the step and prints the pane, and exits 1.
set -euo pipefail

bin=${1:?usage: $0 PATH/TO/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
agent="$root/SampleTraces/agent-parallel-tools.otlp.jsonl"
batch="$root/SampleTraces/openllmetry-triage-batch.otlp.jsonl"
for tool in tmux curl python3; do
    command -v "$tool" >/dev/null || { echo "polish.sh: $tool is not installed" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "polish.sh: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d)
server="spanscope-polish-$$"
. "$root/Tests/e2e/tmux-lib.sh"

write_wrapper

# sgr BUTTON COLUMN ROW [m]: sends an SGR (1006) mouse report, 1-based cell, press unless `m`.
sgr() { tm send-keys -t t -l $'\e'"[<$1;$2;$3${4:-M}"; }
# row_of TEXT: the 1-based screen row whose line holds TEXT.
row_of() { pane | grep -nF -- "$1" | head -1 | cut -d: -f1; }

start_session

step="open --trace opens that trace of several"
run "clear; ./explore trace --trace a14afc09b8f61a4be34880905fe2de34 '$batch'"
# The second trace's call took 90 tokens (the first 82, the third none).
wait_for "1 LLM · 90 tok"
keys q
check_restored trace 0

step="open --trace with an unknown id names the file and fails"
run "clear; ./explore notrace --trace ffffffffffffffffffffffffffffffff '$batch'"
wait_for "done notrace 1"
grep -qF "no trace id starts with" "$work/notrace.err" || fail "no message: $(cat "$work/notrace.err")"

step="--prices: a price file changes the cost"
cat > "$work/prices.json" <<'JSON'
{"claude-3-5-sonnet": {"input": 1000, "output": 1000, "source": "e2e"}}
JSON
run "clear; ./explore prices --prices prices.json '$agent'"
# 1,560 tokens at $1,000 per million.
wait_for "\$1.56"
keys q
check_restored prices 0

step="--no-color: no colour codes on screen"
run "clear; ./explore flagnocolour --no-color '$agent'"
wait_for "invoke_agent travel_planner"
if tm capture-pane -e -p -t t | grep -qE $'\e\[[0-9;]*(38;5;|3[0-7]m|3[0-7];|4[0-7]m)'; then
    fail "colour codes on screen with --no-color"
fi
keys q
check_restored flagnocolour 0

step="a trace from standard input, keys from the terminal"
run "clear; cat '$agent' | ./explore stdin -"
wait_for "invoke_agent travel_planner"
keys j j
wait_for "invoke_agent travel_planner › run_tools"
keys q
check_restored stdin 0

step="x writes the selected span as JSON"
run "clear; ./explore export '$agent'"
wait_for "invoke_agent travel_planner"
keys j x
wait_for "exported to $work/spanscope-span-"
file=$(ls "$work"/spanscope-span-*.json | head -1)
python3 - "$file" <<'PY' || fail "the exported file is not the span's JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exported_by"] == "spanscope", d
assert d["span"]["name"] == "chat claude-3-5-sonnet", d["span"]["name"]
PY
rm -f "$work"/spanscope-span-*.json
step="x in the LLM call view writes the same span"
keys Enter
wait_for "LLM call · chat · claude-3-5-sonnet"
keys x
wait_for "exported to $work/spanscope-span-"
ls "$work"/spanscope-span-*.json >/dev/null 2>&1 || fail "no file written from the details"
keys q
check_restored export 0

step="mouse: the wheel moves the selection (SGR reports, TERM=tmux-256color)"
run "clear; ./explore wheel --mouse '$agent'"
wait_for "invoke_agent travel_planner"
sgr 65 10 5
sgr 65 10 5
wait_for "invoke_agent travel_planner › run_tools"
sgr 64 10 5
wait_for "› chat claude-3-5-sonnet "
keys q
check_restored wheel 0
# Mouse reporting is off again: the pane no longer asks for mouse events.
[ "$(tm display -p -t t '#{mouse_any_flag}#{mouse_standard_flag}#{mouse_sgr_flag}')" = "000" ] \
    || fail "mouse reporting still on after quitting"

step="mouse: a click selects a row, a double click opens the call, a click on a tab switches"
run "clear; ./explore click --mouse '$agent'"
wait_for "invoke_agent travel_planner"
y=$(row_of "execute_tool get_weather")
sgr 0 12 "$y"; sgr 0 12 "$y" m
wait_for "› execute_tool get_weather "
sleep 0.5   # past the double-click time
y=$(row_of "chat claude-3-5-sonnet")
sgr 0 12 "$y"; sgr 0 12 "$y" m; sgr 0 12 "$y"; sgr 0 12 "$y" m
wait_for "LLM call · chat · claude-3-5-sonnet"
keys Escape
wait_for "tok      cost   time"
tm resize-window -t t -x 40 -y 12
wait_for " Tree   Waterfall   Totals"
sgr 0 22 2            # " Totals " starts at column 20 (1-based)
wait_for " in · out"
tm resize-window -t t -x 100 -y 30
wait_for "tok      cost   time"
keys q
ignore_size=1 check_restored click 0

step="y without --osc52 copies nothing and says how to allow it"
run "clear; ./explore nocopy '$agent'"
wait_for "invoke_agent travel_planner"
keys y
wait_for "not copied: clipboard copies are off"
keys q
check_restored nocopy 0
[ -z "$(tm list-buffers 2>/dev/null)" ] || fail "a paste buffer was set without --osc52"

step="y with --osc52 puts the span id on the clipboard (tmux set-clipboard on)"
run "clear; ./explore copy --osc52 '$agent'"
wait_for "invoke_agent travel_planner"
keys j y
wait_for "copied span id to the clipboard"
for i in $(seq 50); do [ -n "$(tm list-buffers 2>/dev/null)" ] && break; sleep 0.1; done
[ "$(tm show-buffer 2>/dev/null)" = "a1ca88e3444530c4" ] || fail "clipboard holds “$(tm show-buffer 2>/dev/null)”, not the span id"
keys q
check_restored copy 0

step="listen --max-spans evicts the oldest trace"
# The log exists before the first look: the background shell may not have opened it yet.
: > "$work/listen.out"
"$bin" listen --no-ui --port 0 --max-spans 3 > "$work/listen.out" 2> "$work/listen.err" &
listener=$!
for i in $(seq 100); do grep -q "listening on" "$work/listen.out" && break; kill -0 "$listener" 2>/dev/null || break; sleep 0.1; done
address=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/listen.out")
[ -n "$address" ] || { kill "$listener"; fail "listen printed no address: $(cat "$work/listen.out" "$work/listen.err")"; }
span() { printf '{"traceId":"%s","spanId":"%s","name":"s","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}' "$1" "$2"; }
post() {
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @- "$address/v1/traces" <<JSON
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"e2e"}}]},"scopeSpans":[{"spans":[$(span "$1" 00000000000000a1),$(span "$1" 00000000000000a2)]}]}]}
JSON
}
[ "$(post 0af7651916cd43dd8448eb211c80319c)" = 200 ] || { kill "$listener"; fail "first request refused"; }
[ "$(post 1af7651916cd43dd8448eb211c80319c)" = 200 ] || { kill "$listener"; fail "second request refused"; }
for i in $(seq 50); do [ "$(grep -c 'POST' "$work/listen.out")" -ge 2 ] && break; sleep 0.1; done
kill -TERM "$listener"; wait "$listener" || true
grep -qF "holding 1 trace, 2 spans, 1 evicted" "$work/listen.out" \
    || fail "no eviction past --max-spans 3: $(cat "$work/listen.out")"

echo "polish e2e: all steps passed"
