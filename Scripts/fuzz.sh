#!/usr/bin/env bash
# Fuzzes every trace reader and header parser with libFuzzer (+ AddressSanitizer).
#
# Usage: Scripts/fuzz.sh SECONDS [TARGET...]
#   SECONDS  how long each target runs
#   TARGET   fuzz-seed-json fuzz-otlp-json fuzz-otlp-jsonl fuzz-zipkin-json fuzz-jaeger-json
#            fuzz-otlp-protobuf fuzz-decode fuzz-traceparent fuzz-tracestate fuzz-baggage
#            fuzz-seed-headers fuzz-explorer-keys (default: all)
#
# Builds the Scripts/Fuzz/ package (release, instrumented) into .build-fuzz/, seeds each target's corpus
# with SampleTraces/, Tests/TraceFormatsTests/Fixtures/ and Scripts/Fuzz/Seeds/, and keeps the corpora
# and any crashing inputs in fuzz-out/ (both folders are git-ignored). Prints one line per target
# with its executions, and exits 1 when a target crashed, hung (10 s per input), or went over
# 2 GB of memory: the input that did it is in fuzz-out/artifacts/. Reproduce one with
#   .build-fuzz/release/TARGET fuzz-out/artifacts/TARGET-crash-…
# and turn it into a regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:?usage: Scripts/fuzz.sh SECONDS [TARGET...]}
shift
all=(fuzz-seed-json fuzz-otlp-json fuzz-otlp-jsonl fuzz-zipkin-json fuzz-jaeger-json fuzz-otlp-protobuf
     fuzz-decode fuzz-traceparent fuzz-tracestate fuzz-baggage fuzz-seed-headers fuzz-explorer-keys)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

echo "fuzz: building the targets (first build takes a few minutes)" >&2
mkdir -p "$root/.build-fuzz"
# -enable-testing: the readers' own entry points are internal. lld: gold fails on this link
# (an internal error in its DWARF reader).
swift build --package-path "$root/Scripts/Fuzz" --scratch-path "$root/.build-fuzz" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld \
    >"$root/.build-fuzz/build.log" 2>&1 || { tail -40 "$root/.build-fuzz/build.log" >&2; exit 2; }
fuzzer="$root/.build-fuzz/release/spanscope-fuzz"

out="$root/fuzz-out"
mkdir -p "$out/artifacts" "$out/logs" "$out/seeds"

# Seeds: the protobuf fixture holds several request bodies, each after a 4-byte big-endian length.
proto_seeds="$out/seeds/protobuf"
if [ ! -d "$proto_seeds" ]; then
    mkdir -p "$proto_seeds"
    python3 - "$root/Tests/TraceFormatsTests/Fixtures/python-otel-otlp.binpb.list" "$proto_seeds" <<'PY'
import sys, struct
data = open(sys.argv[1], "rb").read()
i = n = 0
while i + 4 <= len(data):
    (size,) = struct.unpack(">I", data[i:i + 4])
    open(f"{sys.argv[2]}/body-{n}", "wb").write(data[i + 4:i + 4 + size])
    i += 4 + size
    n += 1
PY
fi
json_seeds="$out/seeds/json"
if [ ! -d "$json_seeds" ]; then
    mkdir -p "$json_seeds"
    cp SampleTraces/* "$json_seeds/"
    cp Tests/TraceFormatsTests/Fixtures/*.json Tests/TraceFormatsTests/Fixtures/*.jsonl "$json_seeds/"
    # Hostile variants of the wrapper shapes (issue 12): deep nesting, wrong types, fragments.
    cp Scripts/Fuzz/Seeds/formats/* "$json_seeds/"
fi

# Explorer seeds: each sample trace, a NUL, then a walk through the keys and sizes.
keys_seeds="$out/seeds/keys"
if [ ! -d "$keys_seeds" ]; then
    mkdir -p "$keys_seeds"
    for f in SampleTraces/*; do
        { cat "$f"; printf '\0'; head -c 120 /dev/urandom; } > "$keys_seeds/$(basename "$f")"
    done
fi

failed=0
printf '%-20s %12s %10s %8s  %s\n' target executions "exec/s" seconds result
for t in "${targets[@]}"; do
    case " ${all[*]} " in *" $t "*) ;; *) echo "fuzz: no target $t" >&2; exit 2 ;; esac
    corpus="$out/corpus/$t"
    mkdir -p "$corpus"
    dict=()
    case "$t" in
        fuzz-traceparent|fuzz-tracestate|fuzz-baggage|fuzz-seed-headers) seeds=("$root/Scripts/Fuzz/Seeds/headers") ;;
        fuzz-otlp-protobuf) seeds=("$proto_seeds") ;;
        fuzz-decode) seeds=("$json_seeds" "$proto_seeds"); dict=(-dict="$root/Scripts/Fuzz/json.dict") ;;
        fuzz-explorer-keys) seeds=("$keys_seeds"); dict=(-dict="$root/Scripts/Fuzz/json.dict") ;;
        *) seeds=("$json_seeds"); dict=(-dict="$root/Scripts/Fuzz/json.dict") ;;
    esac
    log="$out/logs/$t.log"
    start=$(date +%s)
    set +e
    # The Swift runtime's own crash reporter would hold the process up; libFuzzer reports instead.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 SPANSCOPE_FUZZ_TARGET="$t" \
        "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" "${dict[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1
    code=$?
    set -e
    took=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ "$code" = 0 ]; then
        result="ok ($(ls "$corpus" | wc -l) corpus inputs)"
    else
        failed=1
        result="FAILED: $(grep -m1 -E 'ERROR: |SUMMARY: |Fatal error|deadly signal|timeout|out-of-memory' "$log" | cut -c1-100) — see $log"
    fi
    printf '%-20s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$took" "$result"
done
exit $failed
