# Helpers for tern's interface tests: the real binary in a detached tmux
# session of a fixed size, driven with send-keys and read with
# capture-pane.  Sources the integration helpers (t_setup, t_certs,
# t_smtpd, t_config, ...).
#
#	. "$top_srcdir/tests/ui/lib.sh"
#	t_setup NAME
#	... t_smtpd / t_config ...
#	u_start
#	u_wait 'Nothing sent yet'
#	u_type m
#	u_key Enter
#	u_quit
#	t_pass
#
# Every wait polls the screen (10 times a second) with a time limit.
# Under AddressSanitizer, reports go to $T/asan.*; u_quit fails on any.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

command -v tmux >/dev/null 2>&1 || t_skip "tmux not installed"

U_COLS=${U_COLS:-100}
U_ROWS=${U_ROWS:-30}
U_SOCK=

# u_start [ARGS...]: start tern's interface in tmux.
u_start() {
	[ -n "$T" ] || t_fail "u_start before t_setup"
	U_SOCK=$T/tmux.sock
	ASAN_OPTIONS="log_path=$T/asan:${ASAN_OPTIONS:-}"
	UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1:${UBSAN_OPTIONS:-}"
	export ASAN_OPTIONS UBSAN_OPTIONS
	if [ ! -S "$U_SOCK" ]; then
		tmux -S "$U_SOCK" -f /dev/null new-session -d -s tern \
		    -x "$U_COLS" -y "$U_ROWS" "sleep 100000" ||
		    t_fail "tmux new-session"
		tmux -S "$U_SOCK" set-option -g remain-on-exit on >/dev/null
		tmux -S "$U_SOCK" set-option -g window-size manual \
		    >/dev/null 2>&1 || :
		_u_pid=$(tmux -S "$U_SOCK" display-message -p '#{pid}')
		_t_pids="$_t_pids $_u_pid"
	fi
	tmux -S "$U_SOCK" respawn-pane -k -t tern \
	    env TERM="${U_TERM:-screen-256color}" LANG="${U_LANG:-C.UTF-8}" \
	    LC_ALL= HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
	    XDG_DATA_HOME="$XDG_DATA_HOME" ${U_ENV:-} \
	    ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
	    "$TERN" "$@" || t_fail "tmux respawn-pane"
	tmux -S "$U_SOCK" resize-window -t tern -x "$U_COLS" -y "$U_ROWS" \
	    >/dev/null 2>&1 || :
}

# u_screen: what the screen shows now.
u_screen() {
	tmux -S "$U_SOCK" capture-pane -p -t tern
}

# u_dump: show the screen on stderr (on failure).
u_dump() {
	echo "---- screen ----" >&2
	u_screen >&2 || :
	echo "----------------" >&2
}

# u_wait REGEX [SECS]: wait until a line of the screen matches.
u_wait() {
	_u_i=0
	while ! u_screen | grep -Eq -- "$1"; do
		if [ "$_u_i" -ge $((${2:-10} * 10)) ]; then
			u_dump
			t_fail "screen never showed /$1/"
		fi
		sleep 0.1
		_u_i=$((_u_i + 1))
	done
}

# u_wait_gone REGEX [SECS]: wait until no line matches.
u_wait_gone() {
	_u_i=0
	while u_screen | grep -Eq -- "$1"; do
		if [ "$_u_i" -ge $((${2:-10} * 10)) ]; then
			u_dump
			t_fail "screen still shows /$1/"
		fi
		sleep 0.1
		_u_i=$((_u_i + 1))
	done
}

# u_has REGEX WHAT: the screen shows it now.
u_has() {
	u_screen | grep -Eq -- "$1" || { u_dump; t_fail "$2: no /$1/"; }
}

# u_type TEXT: type literal text.
u_type() {
	tmux -S "$U_SOCK" send-keys -t tern -l -- "$1"
}

# u_key KEY...: press keys by tmux name (Enter, Escape, Tab, C-x, Down).
u_key() {
	tmux -S "$U_SOCK" send-keys -t tern "$@"
}

# u_resize COLS ROWS
u_resize() {
	tmux -S "$U_SOCK" resize-window -t tern -x "$1" -y "$2" ||
	    t_fail "tmux resize-window"
}

# u_dead: 0 when tern has exited.
u_dead() {
	[ "$(tmux -S "$U_SOCK" display-message -p -t tern '#{pane_dead}')" = 1 ]
}

# u_wait_exit [SECS]: wait for tern to exit; fails on a non-zero status.
u_wait_exit() {
	_u_i=0
	while ! u_dead; do
		if [ "$_u_i" -ge $((${1:-10} * 10)) ]; then
			u_dump
			t_fail "tern did not exit"
		fi
		sleep 0.1
		_u_i=$((_u_i + 1))
	done
	_u_st=$(tmux -S "$U_SOCK" display-message -p -t tern \
	    '#{pane_dead_status}')
	# tmux 3.3 leaves the status empty for 0.
	[ -z "$_u_st" ] || [ "$_u_st" = 0 ] ||
	    { u_dump; t_fail "tern exited with $_u_st"; }
	u_sanitizers
}

# u_quit: q until the lists, then q, and check the exit.
u_quit() {
	_u_n=0
	while ! u_dead && [ "$_u_n" -lt 6 ]; do
		u_key q
		sleep 0.2
		_u_n=$((_u_n + 1))
	done
	u_wait_exit 10
}

# u_sanitizers: fail when AddressSanitizer or UBSan reported anything.
u_sanitizers() {
	for _u_f in "$T"/asan.* "$T"/ubsan.*; do
		[ -f "$_u_f" ] || continue
		cat "$_u_f" >&2
		t_fail "sanitizer report in $_u_f"
	done
}
