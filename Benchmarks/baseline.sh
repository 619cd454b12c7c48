#!/usr/bin/env bash
# Builds a release `spanscope` from another commit (default: main) for side-by-side benchmark runs,
# with today's bench-query command file laid over it so both builds time the same things through
# the same public API. Prints the binary's path.
#
#   Benchmarks/baseline.sh [REF]      then: SPANSCOPE_BASELINE=<printed path> Benchmarks/run.sh ...
#
# The tree is exported under bench-out/baseline-src (not a worktree: nothing is checked out or
# committed there) and built in release mode into .build-baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-main}
src=bench-out/baseline-src
commit=$(git rev-parse --verify "$ref^{commit}")
mkdir -p "$src"
if [ "$(cat "$src/.commit" 2>/dev/null)" != "$commit" ]; then
  rm -rf "$src"; mkdir -p "$src"
  git archive "$commit" | tar -x -C "$src"
  echo "$commit" > "$src/.commit"
fi
cp Sources/spanscope/BenchQueryCommand.swift "$src/Sources/spanscope/BenchQueryCommand.swift"
[ -f Package.resolved ] && cp Package.resolved "$src/"
swift build -c release --product spanscope --package-path "$src" --scratch-path .build-baseline >&2 \
  || { echo "baseline.sh: release build of $ref failed" >&2; exit 1; }
echo "$PWD/.build-baseline/release/spanscope"
