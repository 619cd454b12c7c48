#!/usr/bin/env bash
# End-to-end test of the explorer in a real terminal (tmux): keys and screens, and that the
# terminal comes back as it was after q, Ctrl-C, SIGTERM, SIGHUP, a crash signal and a
# hostile trace; and the message when standard output is not a terminal.
#
# Usage: Tests/e2e/explorer.sh PATH/TO/spanscope
# Builds nothing; run it after `swift build` (for example from .ci/run). Needs tmux. Takes a
# few seconds. On failure it names the step and prints the pane, and exits 1.
set -euo pipefail

bin=${1:?usage: $0 PATH/TO/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
sample="$root/SampleTraces/agent-parallel-tools.otlp.jsonl"
command -v tmux >/dev/null || { echo "explorer.sh: tmux is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "explorer.sh: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d)
server="spanscope-e2e-$$"
. "$root/Tests/e2e/tmux-lib.sh"

write_wrapper

start_session

step="no argument opens the bundled sample (run from another folder)"
# The sample is found by walking up from the executable, so this needs a binary inside the checkout.
case "$bin" in
    "$root"/*) run "clear; ./explore quit" ;;
    *) step="opens the sample (binary outside the checkout: no-argument case skipped)"; run "clear; ./explore quit '$sample'" ;;
esac
wait_for "invoke_agent travel_planner"
wait_for "? help"
[ "$(alternate)" = 1 ] || fail "not in the alternate screen"
pane | grep -qF "┃├──   chat claude-3-5-sonnet" || fail "tree row with the critical-path mark missing"
pane | grep -qE 'chat claude-3-5-sonnet +1\.6k +\$0\.0073 +2\.59s' || fail "token and cost badge missing"

step="side panel as an overlay at 100 columns"
pane | grep -qF "By model" && fail "side panel shown without asking at 100 columns"
keys p
wait_for "By model"
keys p
wait_gone "By model"

step="navigate"
keys j j
wait_for "invoke_agent travel_planner › run_tools"

step="collapse and expand"
keys Left
wait_gone "execute_tool search_flights"
wait_for "▸   run_tools"
keys Right
wait_for "execute_tool search_flights"

step="open an LLM call"
keys g j Enter
wait_for "LLM call · chat · claude-3-5-sonnet"
wait_for "Input messages (2)"
wait_for "1,342 prompt + 218 completion = 1,560 total"
keys PageDown
wait_for "critical path"
keys Escape
wait_for "tok      cost   time"

step="search"
keys / w e a t h e r
wait_for "/weather▏"
keys Enter
wait_for "matches for “weather”"
keys n
wait_for "match "

step="filter"
keys f
wait_for "filter “weather”"
keys Escape
wait_for "search cleared"

step="help"
keys '?'
wait_for "Trace view"
wait_for "jump to the next span on the critical path"
keys Escape
wait_gone "jump to the next span on the critical path"

step="resize to 40x12 and back"
tm resize-window -t t -x 40 -y 12
wait_for " Tree   Waterfall   Totals"
tm resize-window -t t -x 100 -y 30
wait_for "tok      cost   time"

step="q quits and restores the terminal"
keys q
check_restored quit 0

step="colours by default, none under NO_COLOR"
run "clear; ./explore colour '$sample'"
wait_for "invoke_agent travel_planner"
tm capture-pane -e -p -t t | grep -q $'\e\[[0-9;]*38;5;' || fail "no 256-colour codes on screen"
keys q
check_restored colour 0
run "clear; NO_COLOR=1 ./explore nocolour '$sample'"
wait_for "invoke_agent travel_planner"
if tm capture-pane -e -p -t t | grep -qE $'\e\[[0-9;]*(38;5;|3[0-7]m|3[0-7];|4[0-7]m)'; then
    fail "colour codes on screen under NO_COLOR"
fi
tm capture-pane -e -p -t t | grep -q $'\e\[[0-9;]*7m' || fail "no reverse video for the selection under NO_COLOR"
keys q
check_restored nocolour 0

step="Ctrl-C restores the terminal"
run "clear; ./explore int '$sample'"
wait_for "invoke_agent travel_planner"
keys C-c
check_restored int 130

step="SIGTERM restores the terminal"
run "clear; ./explore term '$sample'"
wait_for "invoke_agent travel_planner"
pid=$(explorer_pid)
[ -n "$pid" ] || fail "no explorer process"
kill -TERM "$pid"
check_restored term 143

step="SIGHUP restores the terminal"
run "clear; ./explore hup '$sample'"
wait_for "invoke_agent travel_planner"
kill -HUP "$(explorer_pid)"
check_restored hup 129

step="a crash signal (SIGSEGV) restores the terminal"
run "clear; ./explore segv '$sample'"
wait_for "invoke_agent travel_planner"
kill -SEGV "$(explorer_pid)"
check_restored segv 139

step="a hostile trace reaches the terminal inert"
cat > "$work/hostile.json" <<'JSON'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"evil\u001b]0;pwned-title\u0007"}}]},
"scopeSpans":[{"spans":[
{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root \u001b[2J\u001b[31mred","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000",
 "attributes":[{"key":"x\u001b]52;c;cHduZWQ=\u0007","value":{"stringValue":"clip\u001b]52;c;cHduZWQ=\u0007 \u202eevil"}}]},
{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203332","parentSpanId":"b7ad6b7169203331","name":"bell\u0007\u009b2J\u001b]2;pwned2\u001b\\ end","startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000500000000"}
]}]}]}
JSON
run "clear; ./explore hostile hostile.json"
wait_for "root ^[[2J^[[31mred"
wait_for "bell^G\\u{9B}2J^[]2;pwned2^[\\ end"
keys g d
wait_for "clip^[]52;c;cHduZWQ=^G \\u{202E}evil"
keys Escape q
check_restored hostile 0
[ "$(tm display -p -t t '#{pane_title}')" = "$title_before" ] || fail "the pane title changed"
[ -z "$(tm list-buffers 2>/dev/null)" ] || fail "a paste buffer was set (OSC 52 leaked)"

step="not a terminal: says so and points at spanscope summary"
set +e
"$bin" "$sample" > "$work/out.txt" 2> "$work/err.txt"
code=$?
set -e
[ "$code" = 1 ] || fail "exit status $code when standard output is not a terminal"
grep -qF "spanscope summary" "$work/err.txt" || fail "no pointer to spanscope summary: $(cat "$work/err.txt")"

echo "explorer e2e: all steps passed"
