#!/usr/bin/env bash
# End-to-end test of the explorer's comparison in a real terminal (tmux): open two runs, mark
# one, compare, walk the differences, open an LLM call's diff, sort, go back, quit, and check
# the terminal came back as it was.
#
# Usage: Tests/e2e/compare.sh PATH/TO/spanscope   (needs tmux; a few seconds)
set -euo pipefail

bin=${1:?usage: $0 PATH/TO/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
before="$root/SampleTraces/agent-parallel-tools.otlp.jsonl"
after="$root/SampleTraces/agent-parallel-tools-after.otlp.jsonl"
command -v tmux >/dev/null || { echo "compare.sh: tmux is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "compare.sh: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d)
server="spanscope-compare-$$"
. "$root/Tests/e2e/tmux-lib.sh"
write_wrapper

start_session

step="open both runs: the trace list"
run "clear; ./explore compare '$before' '$after'"
wait_for "2 traces"
wait_for "m mark"

step="mark the first run, compare with the second"
# Both runs start at the same moment, so list order is file order: before, then after.
keys m
wait_for "marked as A"
keys j c
wait_for "compare A invoke_agent travel_planner 9.41s  B invoke_agent travel_planner 12.4s"
pane | grep -qE '^- .*execute_tool get_weather +403ms' || fail "removed tool row missing"
pane | grep -qE '^\+ .*chat claude-3-5-sonnet\[3\] +2\.90s +\+2\.90s +\+\$0\.0096' || fail "added LLM round with its deltas missing"

step="next difference, then the LLM call diff"
keys n
keys Enter
wait_for "compare · chat claude-3-5-sonnet"
wait_for "status      changed: prompt, answer, tokens, cost"
keys PageDown
wait_for "+You are a travel planning agent. Use the tools to check flights and hotels,"
keys Escape
wait_gone "compare · chat"

step="sort by time: the largest increases first"
keys s
wait_for "sorted by Δ time"
for i in $(seq 50); do pane | sed -n 4p | grep -qF "chat claude-3-5-sonnet[3]" && break; sleep 0.1; done
pane | sed -n 4p | grep -qF "chat claude-3-5-sonnet[3]" || fail "the added LLM round is not second after the root"
keys Escape
wait_for "2 traces"

step="quit"
quit_and_check compare
echo "compare.sh: all steps passed"
