#!/usr/bin/env bash
# End-to-end checks of the spanscope command line (non-interactive commands).
# Usage: Tests/e2e/cli.sh path/to/spanscope
set -uo pipefail
bin=${1:?usage: cli.sh path/to/spanscope}
root=$(cd "$(dirname "$0")/../.." && pwd)
samples="$root/SampleTraces"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { printf '  ok   %s\n' "$1"; }
fail() { printf '  FAIL %s\n' "$1"; failures=$((failures + 1)); }
expect_status() { # name expected actual
  if [ "$2" = "$3" ]; then pass "$1 (exit $3)"; else fail "$1: expected exit $2, got $3"; fi
}
expect_match() { # name pattern text
  if printf '%s' "$3" | grep -qE -- "$2"; then pass "$1"; else fail "$1: no match for /$2/ in: $(printf '%s' "$3" | head -5)"; fi
}

echo "spanscope CLI end-to-end"

out=$("$bin" summary "$samples"/*.json* 2>&1); status=$?
expect_status "summary of every sample" 0 $status
expect_match "summary names the agent root" "invoke_agent travel_planner" "$out"
expect_match "summary shows the unpriced model" "llama-3.1-8b-instruct +1 +61 +29 +90 +unpriced" "$out"

out=$("$bin" summary --format json "$samples/rag-pipeline.otlp.json"); status=$?
expect_status "summary --format json" 0 $status
check=$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["traces"][0]
ok = d["span_count"] == 6 and d["llm_calls"] == 2 and d["total_tokens"] == 264 and abs(d["cost_usd"] - 6.555e-05) < 1e-12
print("good" if ok else "bad %r" % d)')
expect_match "summary JSON numbers" "^good$" "$check"

out=$(cat "$samples/seed-agent-tool.json" | "$bin" summary - 2>&1); status=$?
expect_status "summary from standard input" 0 $status
expect_match "stdin summary reads the seed trace" "process_request" "$out"

head -c 2000 "$samples/rag-pipeline.otlp.json" > "$work/cut.json"
out=$("$bin" check "$work/cut.json" 2>&1); status=$?
expect_status "check of a truncated file" 1 $status
expect_match "truncated: one line naming file, line and column" "^spanscope: $work/cut.json:[0-9]+:[0-9]+: truncated: unexpected end of file .*\(byte [0-9]+\)$" "$out"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && pass "truncated: exactly one line" || fail "truncated: more than one line"

out=$("$bin" summary "$work/missing.json" 2>&1); status=$?
expect_status "missing file" 1 $status
expect_match "missing file message" "^spanscope: $work/missing.json: no such file$" "$out"

out=$("$bin" check "$work" 2>&1); status=$?
expect_status "directory" 1 $status
expect_match "directory message" "is a directory without any trace file" "$out"

printf '' > "$work/empty.json"
out=$("$bin" check "$work/empty.json" 2>&1); status=$?
expect_status "empty file" 1 $status
expect_match "empty file message" "empty file" "$out"

printf '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":7,"startTimeUnixNano":"1"},{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203332","name":"ok","startTimeUnixNano":"1"}]}]}]}' > "$work/bad-span.json"
out=$("$bin" check "$work/bad-span.json" 2>&1); status=$?
expect_status "a bad span is skipped, check exits 1" 1 $status
expect_match "the good span is read" "1 trace, 1 span," "$out"
expect_match "the skipped span is named" "span skipped: 'name' must be a string" "$out"

for to in otlp otlp-jsonl seed; do
  "$bin" convert "$samples/agent-parallel-tools.otlp.jsonl" -o "$work/conv.$to" --to "$to" 2>/dev/null; status=$?
  expect_status "convert --to $to" 0 $status
  out=$("$bin" summary --format json "$work/conv.$to" 2>&1); status=$?
  expect_status "convert --to $to reads back" 0 $status
  tokens=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["traces"][0]["total_tokens"])')
  expect_match "convert --to $to keeps the tokens" "^3624$" "$tokens"
done

"$bin" generate --spans 3000 --traces 3 --seed 7 -o "$work/gen.json" 2>/dev/null; status=$?
expect_status "generate" 0 $status
"$bin" generate --spans 3000 --traces 3 --seed 7 -o "$work/gen2.json" 2>/dev/null; status=$?
expect_status "generate again with the same seed" 0 $status
cmp -s "$work/gen.json" "$work/gen2.json" && pass "generate is deterministic for a seed" || fail "generate differs for one seed"
out=$("$bin" check "$work/gen.json" 2>&1); status=$?
expect_status "generated file checks clean" 0 $status
expect_match "generated file has 3000 spans" "3 traces, 3000 spans" "$out"

# A session named only by the team's own attribute: --session-key makes session= see it in every
# command that filters (here calls, check and stats), and without it those traces have no session.
python3 - "$work/custom-session.json" <<'PY'
import json, sys
def span(trace, conv, tokens):
    return {"traceId": trace * 16, "spanId": trace * 8, "name": "chat gpt-4o", "kind": 3,
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
            "attributes": [{"key": k, "value": v} for k, v in [
                ("app.conversation", {"stringValue": conv}), ("gen_ai.request.model", {"stringValue": "gpt-4o"}),
                ("gen_ai.usage.input_tokens", {"intValue": str(tokens)}), ("gen_ai.usage.output_tokens", {"intValue": "10"})]]}
spans = [span("a", "conv-A", 100), span("b", "conv-A", 200), span("c", "conv-B", 300)]
json.dump({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "bot"}}]},
           "scopeSpans": [{"spans": spans}]}]}, open(sys.argv[1], "w"))
PY
out=$("$bin" calls --session-key app.conversation --where session=conv-A --format json "$work/custom-session.json" 2>&1); status=$?
expect_status "calls --session-key" 0 $status
expect_match "calls --session-key finds the session's two calls" '"calls": ?2[,}]' "$out"
out=$("$bin" calls --where session=conv-A --format json "$work/custom-session.json" 2>&1)
expect_match "calls without --session-key finds none" '"calls": ?0[,}]' "$out"
out=$("$bin" check --session-key app.conversation --where session=conv-A "$work/custom-session.json" 2>&1); status=$?
expect_status "check --where session= --session-key" 0 $status
expect_match "check counts the session's traces" "2 of 3 traces match" "$out"
out=$("$bin" stats --by session --session-key app.conversation "$work/custom-session.json" 2>&1); status=$?
expect_status "stats --by session --session-key" 0 $status
expect_match "stats groups by the team's attribute" "conv-A" "$out"

if [ $failures -gt 0 ]; then
  echo "$failures CLI check(s) failed"
  exit 1
fi
echo "all CLI checks passed"
