#!/usr/bin/env bash
# End-to-end test of the workbench views in a real terminal (tmux): open a folder of trace files,
# filter the list with /, open the stats (%), regroup by model, list a group's spans and open one
# in its trace, open the sessions (@) and a session's thread, open a turn's trace, rank the LLM
# calls (L), go back level by level, quit, and check the terminal came back as it was.
#
# Usage: Tests/e2e/workbench.sh PATH/TO/spanscope   (needs tmux; a few seconds)
set -euo pipefail

bin=${1:?usage: $0 PATH/TO/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v tmux >/dev/null || { echo "workbench.sh: tmux is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "workbench.sh: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d)
server="views-workbench-$$"
. "$root/Tests/e2e/tmux-lib.sh"

# The folder: two bundled runs of one conversation (gen_ai.conversation.id conv-7f3a91), the RAG
# sample, and a two-turn support conversation (OpenInference session.id) written here.
mkdir "$work/traces"
cp "$root/SampleTraces/agent-parallel-tools.otlp.jsonl" "$root/SampleTraces/agent-parallel-tools-after.otlp.jsonl" \
   "$root/SampleTraces/rag-pipeline.otlp.json" "$work/traces/"
span() {  # trace span parent name start_ms end_ms attributes-json [status-json]
    local base=1714564800000
    printf '{"traceId":"%s","spanId":"%s","parentSpanId":"%s","name":"%s","kind":1,"startTimeUnixNano":"%s000000","endTimeUnixNano":"%s000000","attributes":[%s],"status":%s}' \
        "$1" "$2" "$3" "$4" "$((base + $5))" "$((base + $6))" "$7" "${8:-{\}}"
}
attr() { printf '{"key":"%s","value":{"%s":%s}}' "$1" "$2" "$3"; }
t1=5e5510a1000000000000000000000001
t2=5e5510a2000000000000000000000002
llm() { echo "$(attr gen_ai.operation.name stringValue '"chat"'),$(attr gen_ai.request.model stringValue '"gpt-4.1-mini"'),$(attr gen_ai.usage.input_tokens intValue "\"$1\""),$(attr gen_ai.usage.output_tokens intValue "\"$2\"")"; }
{
    printf '{"resourceSpans":[{"resource":{"attributes":[%s]},"scopeSpans":[{"spans":[' "$(attr service.name stringValue '"support"')"
    span $t1 b000000000000001 "" chat_turn 0 1500 \
        "$(attr session.id stringValue '"support-42"'),$(attr input.value stringValue '"Where is my order 1234?"'),$(attr output.value stringValue '"It ships tomorrow."')"
    printf ','
    span $t1 b000000000000002 b000000000000001 "chat gpt-4.1-mini" 100 1400 "$(llm 800 40)"
    printf ','
    span $t2 c000000000000001 "" chat_turn 60000 63000 \
        "$(attr session.id stringValue '"support-42"'),$(attr input.value stringValue '"Can you check again?"'),$(attr output.value stringValue '"Sorry, try again later."')"
    printf ','
    span $t2 c000000000000002 c000000000000001 lookup_order 60100 61100 \
        "$(attr gen_ai.operation.name stringValue '"execute_tool"'),$(attr gen_ai.tool.name stringValue '"lookup_order"')" \
        '{"code":2,"message":"order service timeout"}'
    printf ','
    span $t2 c000000000000003 c000000000000001 "chat gpt-4.1-mini" 61200 62900 "$(llm 1200 90)"
    printf ']}]}]}\n'
} > "$work/traces/support.otlp.json"

write_wrapper

start_session

step="open the folder: the trace list"
run "clear; ./explore workbench traces"
wait_for "traces  "
total=$(pane | sed -n 1p | grep -oE '[0-9]+ traces' | head -1 | cut -d' ' -f1)
[ -n "$total" ] && [ "$total" -ge 4 ] || fail "expected at least 4 traces, saw '${total:-none}'"

step="filter the list with a query"
keys / 
wait_for "filter /"
keys -l "session=support-42"
keys Enter
wait_for "2 of $total traces match"

step="stats over the filtered traces, by model, a group's spans, one opened in its trace"
keys %
wait_for "Stats by name  2 of $total traces matching session=support-42"
keys b
wait_for "Stats by model"
pane | grep -qE '^ gpt-4.1-mini +2 ' || fail "gpt-4.1-mini with 2 calls missing from the stats"
keys Enter
wait_for "Stats by model › gpt-4.1-mini  2 calls, slowest first"
keys Enter
wait_for "chat_turn"
wait_gone "Stats by model"
keys Escape
wait_for "Stats by model › gpt-4.1-mini"
keys BSpace
wait_for "Stats by model  2 of"
keys Escape
wait_for "2 of $total traces match"
keys Escape
wait_for "filter cleared"

step="sessions, a session's thread, a turn's trace"
keys @
wait_for "Sessions  $total traces · 2 sessions"
wait_for "conv-7f3a91"
keys Enter
wait_for "Session support-42"
wait_for "Where is my order 1234?"
wait_for "lookup_order"
keys j Enter
wait_for "chat_turn"
wait_gone "Session support-42"
keys Escape
wait_for "Session support-42"
keys Escape Escape
wait_for "$total traces"

step="LLM calls ranked, sorted by latency, one opened with its details"
keys L
wait_for "LLM calls  $total traces"
keys s
wait_for "sorted by latency ↓"
keys Enter
wait_for "LLM call · "
keys Escape Escape
wait_for "LLM calls  $total traces"
keys Escape
wait_for "$total traces"

step="quit"
quit_and_check workbench
echo "workbench.sh: all steps passed"
