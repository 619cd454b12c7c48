#!/usr/bin/env bash
# End-to-end checks of `spanscope diff` and of `check`'s budgets (non-interactive).
# Usage: Tests/e2e/diff.sh path/to/spanscope
set -uo pipefail
bin=${1:?usage: diff.sh path/to/spanscope}
root=$(cd "$(dirname "$0")/../.." && pwd)
samples="$root/SampleTraces"
triage="$samples/openllmetry-triage-batch.otlp.jsonl"
agent="$samples/agent-parallel-tools.otlp.jsonl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { printf '  ok   %s\n' "$1"; }
fail() { printf '  FAIL %s\n' "$1"; failures=$((failures + 1)); }
expect_status() { if [ "$2" = "$3" ]; then pass "$1 (exit $3)"; else fail "$1: expected exit $2, got $3"; fi; }
expect_match() { if printf '%s' "$3" | grep -qE -- "$2"; then pass "$1"; else fail "$1: no match for /$2/ in: $(printf '%s' "$3" | head -5)"; fi; }
expect_lines() { n=$(printf '%s\n' "$3" | grep -c .); if [ "$n" = "$2" ]; then pass "$1 ($n lines)"; else fail "$1: expected $2 lines, got $n: $(printf '%s' "$3" | head -5)"; fi; }

echo "spanscope diff and budgets end-to-end"

out=$("$bin" diff "$triage@c1cf" "$triage@601d" 2>&1); status=$?
expect_status "diff of two traces of one file by id prefix" 0 $status
expect_match "totals first: duration A, B and the change" "^duration +952ms +30\.1s +\+29\.1s \(\+3055%\)$" "$out"
expect_match "the step counts" "steps: 0 same · 2 changed · 0 added · 0 removed" "$out"
expect_match "the LLM call's prompt diff" "^ +\+How do I add a second admin to our workspace\?$" "$out"
printf '%s' "$out" | grep -q $'\e' && fail "no colour when standard output is not a terminal" || pass "no colour when standard output is not a terminal"

out=$("$bin" diff --format json "$triage@c1cf" "$triage@601d"); status=$?
expect_status "diff --format json" 0 $status
check=$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ok = d["delta"]["error_count"] == 1 and d["delta"]["total_tokens"] == -82 and d["counts"]["changed"] == 2
for side in "ab":
    spans = [s[side]["span_id"] for s in d["steps"] if s[side]]
    ok = ok and len(spans) == len(set(spans)) == d[side]["span_count"]
    ok = ok and sum(s[side]["total_tokens"] for s in d["steps"] if s[side]) == d[side]["total_tokens"]
print("good" if ok else "bad")')
expect_match "JSON: delta, counts, every span once, tokens add up" "^good$" "$check"

out=$("$bin" diff --fail-on cost+10%,errors+0 "$triage@c1cf" "$triage@601d" 2>&1 >/dev/null); status=$?
expect_status "--fail-on with an extra error" 1 $status
expect_lines "one line per breach" 1 "$out"
expect_match "the breach in words" "^spanscope: regression: errors 1 vs 0 in A passes the allowed 0 by 1$" "$out"

"$bin" diff --fail-on duration+20%,errors+0 "$triage@601d" "$triage@c1cf" >/dev/null 2>&1; status=$?
expect_status "--fail-on when B is no worse" 0 $status

out=$("$bin" diff "$triage" "$agent" 2>&1); status=$?
expect_status "a file of several traces needs an id" 1 $status
expect_match "says how to name one" "holds 3 traces; name one as .*@ID" "$out"

out=$("$bin" diff "$triage@zzz" "$agent" 2>&1); status=$?
expect_status "an unknown id prefix" 1 $status
expect_lines "unknown prefix: one line" 1 "$out"

out=$("$bin" diff --threshold fast "$agent" "$agent" 2>&1); status=$?
expect_status "a bad threshold" 64 $status

out=$("$bin" diff "$agent" "$agent" 2>&1); status=$?
expect_status "a trace against itself" 0 $status
expect_match "everything the same" "steps: 14 same · 0 changed · 0 added · 0 removed" "$out"

out=$("$bin" diff --by name "$triage" "$triage" 2>&1); status=$?
expect_status "diff --by name of a batch against itself" 0 $status
expect_match "the LLM group, unchanged" "openai\.chat +3→3 " "$out"
out=$("$bin" diff --by model --format json "$triage" "$agent"); status=$?
check=$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
g = {x["key"]: x for x in d["groups"]}
print("good" if d["a"]["runs"] == 3 and g["gpt-4o-mini"]["b"] is None and g["claude-3-5-sonnet-20241022"]["a"] is None else "bad")')
expect_match "diff --by model JSON: groups on one side only" "^good$" "$check"

out=$("$bin" check --max-llm-calls 1 --max-errors 2 --junit "$work/junit.xml" "$agent" 2>&1); status=$?
expect_status "check with broken budgets" 1 $status
expect_match "LLM calls over budget" "over budget: .*agent-parallel-tools.otlp.jsonl: invoke_agent travel_planner \(942cb17b52518ec7bbfd2bd7c40ae1d8\): LLM calls 2 is over the limit 1 by 1 \(\+100%\)$" "$out"
expect_match "errors over budget" "errors 5 is over the limit 2 by 3 \(\+150%\)$" "$out"
check=$(python3 -c '
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
f = cases[0].find("failure")
print("good" if suite.get("tests") == "1" and suite.get("failures") == "1" and f is not None and len(f.text.splitlines()) == 2 else "bad")' "$work/junit.xml")
expect_match "JUnit: one testcase, one failure naming both limits" "^good$" "$check"

printf '{"default": {"max_cost": 1}, "roots": {"triage_ticket.workflow": {"max_duration": "10s"}}}' > "$work/budget.json"
out=$("$bin" check --budget "$work/budget.json" --junit "$work/triage.xml" "$triage" 2>&1); status=$?
expect_status "budget file: the 30 s triage run is over its root's limit" 1 $status
expect_match "the per-root duration limit" "triage_ticket.workflow \(601de8849c63e31e90620dfe4649cd19\): duration 30\.1s is over the limit 10\.0s by 20\.1s \(\+201%\)$" "$out"
check=$(python3 -c '
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
print(" ".join("F" if c.find("failure") is not None else "." for c in cases))' "$work/triage.xml")
expect_match "JUnit: three traces, the slow one failing" "^\. \. F$" "$check"

"$bin" check --max-cost 1 "$triage" >/dev/null 2>&1; status=$?
expect_status "check within budget" 0 $status
out=$("$bin" check --max-duration soon "$triage" 2>&1); status=$?
expect_status "a bad limit" 1 $status
expect_match "names the flag" "^spanscope: --max-duration: 'soon' is not a duration" "$out"

if [ $failures -gt 0 ]; then
  echo "$failures diff check(s) failed"
  exit 1
fi
echo "all diff checks passed"
