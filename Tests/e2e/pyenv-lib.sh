# Shared by the end-to-end scripts that drive spanscope with real Python clients (live.sh,
# live-grpc.sh, phoenix.sh): counted checks, a scratch folder, background processes stopped on
# exit, a venv per pinned requirements file, and the start and stop of `spanscope listen`.
# The including script sets `here` (its own folder) and `root` (the repository) first, and
# appends the pid of every process it starts in the background to `background`.

failures=0
pass() { printf '  ok   %s\n' "$1"; }
fail() { printf '  FAIL %s\n' "$1"; failures=$((failures + 1)); }
work=$(mktemp -d)
background=()

# stop PID: SIGTERM, up to 5 s to exit, then SIGKILL.
stop() {
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
}
cleanup() {
  local pid
  for pid in "${background[@]}"; do kill -0 "$pid" 2>/dev/null && stop "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT

# use_venv NAME REQUIREMENTS PACKAGE: sets `venv` to .build-venv/NAME holding the pins of
# Tests/e2e/REQUIREMENTS, installed again only when the pins change (the venvs are large and
# slow to install). When the package index cannot be reached (PACKAGE is what it asks for), a
# developer machine skips the script, but CI (CI=true or 1, as .ci/run sets) fails it, so the
# check cannot vanish there.
use_venv() {
  venv="$root/.build-venv/$1"
  local requirements="$here/$2" stamp="$root/.build-venv/$1/.requirements"
  cmp -s "$requirements" "$stamp" 2>/dev/null && return 0
  rm -rf "$venv"
  python3 -m venv "$venv" || { fail "python3 -m venv"; exit 1; }
  if ! "$venv/bin/python" -m pip index versions "$3" >/dev/null 2>&1; then
    rm -rf "$venv"
    if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
      fail "PyPI (or the configured package index) is unreachable, so $3 cannot be installed (CI=$CI)"
      exit 1
    fi
    echo "  SKIP PyPI (or the configured package index) is unreachable, so $3 cannot be installed"
    exit 0
  fi
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"; then
    rm -rf "$venv"
    fail "pip install -r Tests/e2e/$2"
    exit 1
  fi
  cp "$requirements" "$stamp"
}

# listen_port LOG PID RECEIVER: the loopback port `listen` (PID, writing LOG) names for RECEIVER
# ("listening on" for OTLP/HTTP, "OTLP/gRPC on" for gRPC), waiting up to 10 s; empty if it never
# does or the process ends first.
listen_port() {
  local port=""
  for _ in $(seq 1 100); do
    # The log may not exist yet: the background shell opens it after this loop starts.
    port=$(sed -n "s/^spanscope: $3 http:\/\/127\.0\.0\.1:\([0-9]*\) .*/\1/p" "$1" 2>/dev/null)
    [ -n "$port" ] && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  printf '%s' "$port"
}

# stops_cleanly PID LOG WHAT: SIGTERM to `listen`; passes when it exits 0 within 5 s and its
# last log line says it stopped.
stops_cleanly() {
  kill -TERM "$1"
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    fail "listen still running 5 s after SIGTERM"
    return
  fi
  wait "$1"
  local status=$?
  if [ $status -eq 0 ] && tail -1 "$2" | grep -q '^spanscope: stopped after'; then
    pass "SIGTERM $3 cleanly: $(tail -1 "$2")"
  else
    fail "after SIGTERM: exit $status, last line: $(tail -1 "$2")"
  fi
}

# saved_matches_sent SAVED EXPECTED: `spanscope summary` reads the file `listen --save` wrote
# (`bin`), and live_check.py (in `venv`) finds in it every span the client recorded in EXPECTED.
saved_matches_sent() {
  "$bin" summary --format json "$1" > "$work/summary.json" 2> "$work/summary.err"
  local status=$? out
  if [ $status -eq 0 ]; then pass "spanscope summary reads the saved file"; else fail "summary (exit $status): $(cat "$work/summary.err")"; fi
  if out=$("$venv/bin/python" "$here/live_check.py" "$2" "$1" "$work/summary.json"); then
    pass "$(printf '%s' "$out" | tail -1)"
  else
    fail "saved spans differ from the ones sent:"$'\n'"$out"
  fi
}

# finish WHAT: the time since `started` and the verdict; exits 1 when a check failed.
finish() {
  echo "  ($(( $(date +%s) - started )) s without the install)"
  if [ $failures -gt 0 ]; then
    echo "$failures $1 check(s) failed"
    exit 1
  fi
  echo "all $1 checks passed"
}
