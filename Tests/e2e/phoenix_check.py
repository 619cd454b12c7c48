"""Compares `spanscope summary --format json` of a Phoenix project with what was sent.

Usage: phoenix_check.py EXPECTED_JSON SUMMARY_JSON
"""
import json
import sys

expected = json.load(open(sys.argv[1]))
summary = {t["trace_id"]: t for t in json.load(open(sys.argv[2]))["traces"]}
problems = []
if set(summary) != set(expected):
    problems.append(f"traces {sorted(summary)}, sent {sorted(expected)}")
for trace_id, want in expected.items():
    got = summary.get(trace_id)
    if got is None:
        continue
    for key, value in want.items():
        if got.get(key) != value:
            problems.append(f"trace {trace_id} ({want['root']}): {key} is {got.get(key)!r}, sent {value!r}")
for p in problems:
    print("phoenix_check:", p)
print(f"phoenix_check: {len(expected)} traces compared, {len(problems)} problems")
sys.exit(1 if problems else 0)
