#!/usr/bin/env bash
# Makes .build-venv/bench with the peers pinned in Benchmarks/requirements.txt (reused while the
# pins do not change) and prints its python. .ci/run calls it before the benchmark smoke run;
# run.sh calls it too. Exits 1, saying why, when the peers cannot be installed: the benchmarks
# never fall back to whatever Python packages the machine happens to have.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.build-venv/bench"
requirements="$root/Benchmarks/requirements.txt"
if ! cmp -s "$requirements" "$venv/.requirements" 2>/dev/null; then
  rm -rf "$venv"
  mkdir -p "$root/.build-venv"
  python3 -m venv "$venv" >&2 || { echo "peers-venv.sh: python3 -m venv failed (python3-venv installed?)" >&2; exit 1; }
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --only-binary :all: \
       -r "$requirements" >&2; then
    rm -rf "$venv"
    echo "peers-venv.sh: cannot install Benchmarks/requirements.txt from the package index" >&2
    exit 1
  fi
  cp "$requirements" "$venv/.requirements"
fi
echo "$venv/bin/python"
