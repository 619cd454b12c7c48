#!/usr/bin/env bash
# An app that only records (AITracing) links no reader, no zlib and no UI: checks the built
# `tracing-bench` (an executable that depends on AITracing and TraceModel only) for the modules'
# symbols and the libraries it loads.
#
# Usage: Tests/e2e/recorder-links.sh PATH/TO/tracing-bench
set -euo pipefail
bin=${1:?usage: $0 PATH/TO/tracing-bench}
[ -x "$bin" ] || { echo "recorder-links.sh: $bin is not an executable" >&2; exit 2; }
command -v nm >/dev/null && command -v ldd >/dev/null || { echo "recorder-links.sh: needs nm and ldd" >&2; exit 2; }
failures=0
symbols=$(nm "$bin")
# Swift mangles a module name as its length and the name ($s12TraceFormats…).
for module in TraceFormats Explorer TerminalUI Reports LiveReceiver LocalHTTP; do
    n=$(grep -c "${#module}${module}" <<< "$symbols" || true)
    if [ "$n" -gt 0 ]; then echo "  FAIL $bin holds $n symbols of $module"; failures=$((failures + 1)); fi
done
n=$(grep -cwE "inflate|deflate|inflateInit2_|crc32" <<< "$symbols" || true)
if [ "$n" -gt 0 ]; then echo "  FAIL $bin holds $n zlib symbols"; failures=$((failures + 1)); fi
libs=$(ldd "$bin")
if grep -qE "libz\.|libncurses|libtinfo" <<< "$libs"; then
    echo "  FAIL $bin loads: $(grep -oE "(libz|libncurses[a-z]*|libtinfo)\.[^ ]*" <<< "$libs" | tr '\n' ' ')"
    failures=$((failures + 1))
fi
# The check can fail: the recorder's own module and the convention table are there.
grep -q "9AITracing" <<< "$symbols" || { echo "  FAIL no AITracing symbols in $bin: wrong binary?"; failures=$((failures + 1)); }
grep -q "16TraceConventions" <<< "$symbols" || { echo "  FAIL no TraceConventions symbols in $bin"; failures=$((failures + 1)); }
if [ $failures -gt 0 ]; then exit 1; fi
echo "recorder links: no reader, zlib or UI in $(basename "$bin")"
