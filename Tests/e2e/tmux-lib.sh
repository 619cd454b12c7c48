# Shared by the tmux end-to-end scripts (explorer.sh, compare.sh, hardening.sh, polish.sh): an isolated tmux server,
# waiting for text on the pane, sending keys, and checking the terminal came back as it was.
# The including script sets `server` (a tmux socket name), `work` (a scratch folder) and `bin`
# (the spanscope binary) first, and `step` as it goes (named in failures). Optional: `wait_tries` (default tries of wait_for,
# 0.1 s each), `restore_tries` (of check_restored), `ignore_size=1` (check_restored compares
# terminal modes but not rows and columns, for scripts that resize).

tm() { tmux -L "$server" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; sleep 0.2; rm -rf "$work" 2>/dev/null || true; }
trap cleanup EXIT

step="start"
fail() {
    echo "FAIL [$step]: $*" >&2
    echo "---- pane ----" >&2
    tm capture-pane -p -t t >&2 || true
    exit 1
}
pane() { tm capture-pane -p -t t; }
# wait_for TEXT [TRIES]: waits TRIES × 0.1 s (default `wait_tries`, else 5 s) for TEXT on screen.
wait_for() {
    local i
    for i in $(seq "${2:-${wait_tries:-50}}"); do
        pane | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    fail "never saw: $1"
}
wait_gone() {
    local i
    for i in $(seq 50); do
        pane | grep -qF -- "$1" || return 0
        sleep 0.1
    done
    fail "still showing: $1"
}
keys() { tm send-keys -t t "$@"; }
alternate() { tm display -p -t t '#{alternate_on}'; }
# Types a command line into the pane's shell.
run() { keys "$1" Enter; }

# write_wrapper [loading]: $work/explore NAME ARGS… runs `$bin ARGS…` and leaves NAME.before and
# NAME.after (`stty -a` just before and just after), NAME.err and NAME.code, then prints
# "done NAME CODE". It is not interactive, because an interactive shell repairs terminal modes on
# its own and would hide a broken restore. It ignores SIGINT so that it outlives a Ctrl-C (the
# explorer installs its own handler over the inherited "ignore"). With `loading` it catches
# SIGINT with a trap that does nothing instead: unlike an ignored signal a trap is not inherited,
# so the explorer gets SIGINT's default action as it would from a shell (which matters while it
# loads, before its own handler is installed); and standard error stays on the terminal, where
# the loading line is drawn.
write_wrapper() {
    local trap="trap '' INT" stderr=' 2> "$name.err"'
    if [ "${1:-}" = loading ]; then trap="trap ':' INT"; stderr=""; fi
    cat > "$work/explore" <<WRAPPER
#!/usr/bin/env bash
name=\$1; shift
stty -a > "\$name.before"
$trap
'$bin' "\$@"$stderr
echo \$? > "\$name.code"
stty -a > "\$name.after"
echo "done \$name \$(cat "\$name.code")"
WRAPPER
    chmod +x "$work/explore"
}

# start_session: a 100×30 pane running a bare shell in $work, with title changes and clipboard
# writes allowed so that a leak would show; records the title before anything runs.
start_session() {
    tm -f /dev/null new-session -d -s t -x 100 -y 30 \
        "env -i PATH=$PATH HOME=$work TERM=tmux-256color LANG=C.UTF-8 PS1='$ ' bash --norc --noprofile"
    tm set -g set-clipboard on
    tm set -g allow-rename on
    wait_for '$'
    run "cd $work && printf 'ready\\n'"
    wait_for "ready"
    title_before=$(tm display -p -t t '#{pane_title}')
}

# quit_and_check NAME: `q` ends run NAME with status 0, the terminal is restored (check_restored)
# and the run wrote nothing to standard error.
quit_and_check() {
    keys q
    check_restored "$1" 0
    [ ! -s "$work/$1.err" ] || fail "stderr not empty: $(cat "$work/$1.err")"
}

# check_restored NAME CODE: run NAME ended with status CODE, the alternate screen is off and
# `stty -a` is as before.
check_restored() {
    wait_for "done $1 $2" "${restore_tries:-50}"
    [ "$(alternate)" = 0 ] || fail "still in the alternate screen"
    if [ "${ignore_size:-0}" = 1 ]; then
        sed -i 's/rows [0-9]*; columns [0-9]*;//' "$work/$1.before" "$work/$1.after"
    fi
    cmp -s "$work/$1.before" "$work/$1.after" || { diff "$work/$1.before" "$work/$1.after" >&2 || true; fail "stty -a differs"; }
}

# The explorer's pid: the process named like the binary (`$bin`) among the wrapper's children.
# The wrapper, a child of the pane's shell, also runs `stty` before and after the explorer, so
# "the wrapper's first child" could be stty's pid; before the exec the child is still a bash.
explorer_pid() {
    local wrapper i pid name
    name=$(basename "$bin" | cut -c1-15)
    for i in $(seq 250); do
        wrapper=$(pgrep -P "$(tm display -p -t t '#{pane_pid}')" | head -1 || true)
        pid=$([ -n "$wrapper" ] && pgrep -P "$wrapper" -x "$name" | head -1 || true)
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.02
    done
    fail "no explorer process"
}
