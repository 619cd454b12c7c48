#!/usr/bin/env bash
# The generated input of the scale benchmarks (scale.sh, explorer-scale.sh), shared so one run
# writes one file:  Benchmarks/scale-input.sh GB SPANSCOPE_BINARY  -> prints the file's path.
#
# Collector-style OTLP JSON Lines, 1,000-span agent traces (about 0.72 KB per span: 1.4M spans per
# GB), seed 17. From 2 GB on, one gigabyte or so is generated and each trace is written
# `--copies` times with fresh trace and span ids (SPANSCOPE_GEN_COPIES overrides how many):
# generating span by span runs at tens of MB/s on a loaded machine, copying at disk speed.
# The file lives under bench-out/ (ignored by git); delete it when done.
set -euo pipefail
cd "$(dirname "$0")/.."
gb=$1 bin=$2
mkdir -p bench-out
read -r spans copies < <(python3 -c "
import sys
gb = float(sys.argv[1]); total = int(gb * 1400000)
copies = int(sys.argv[2]) if sys.argv[2] else (int(gb) if gb >= 2 else 1)
print(total // copies, copies)" "$gb" "${SPANSCOPE_GEN_COPIES:-}")
file="bench-out/scale-${gb}g-x${copies}.jsonl"
if [ ! -f "$file" ]; then
  start=$(date +%s%3N)
  "$bin" generate --spans "$spans" --traces $(( spans / 1000 > 0 ? spans / 1000 : 1 )) --seed 17 \
    --format otlp-jsonl --copies "$copies" -o "$file" >&2
  echo "generated $file in $(( $(date +%s%3N) - start )) ms" >&2
fi
echo "$file"
