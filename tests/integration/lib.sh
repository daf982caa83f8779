# Helpers for tern's integration tests.
#
# Usage, from a test script run by "make check" (or by hand):
#
#	#!/bin/sh
#	set -eu
#	. "$top_srcdir/tests/integration/lib.sh"
#	t_setup send-starttls
#	t_certs
#	t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
#	t_config "relay = smtp://localhost:$tls_port
#	ca_file = $T/certs/ca.pem"
#	echo hi | "$TERN" send -s test bob@example.org || t_fail "send failed"
#	t_assert_eq "$(t_count tls)" 1 "messages in spool"
#	t_pass
#
# Environment (from make check): top_srcdir, top_builddir, TERN, SMTPD.
# POSIX sh, safe under "set -eu". KEEP=1 keeps the test directory.
# t_fail called inside $(...) ends only that subshell: check results in
# the test's own shell.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${TERN:=$top_builddir/tern}"
: "${SMTPD:=$top_builddir/tests/smtpd}"
export top_srcdir top_builddir TERN SMTPD

T=
_t_pids=
_t_cleaning=0

# Print "FAIL: MSG" to stderr and exit 1.
t_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Print "PASS" and exit 0.
t_pass() {
	echo "PASS"
	exit 0
}

# Say why and exit 77 (skipped).
t_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# t_assert_eq GOT WANT WHAT
t_assert_eq() {
	[ "$1" = "$2" ] || t_fail "$3: got '$1', want '$2'"
}

# t_assert_match STRING REGEX WHAT: passes if a line of STRING matches
# the extended regular expression.
t_assert_match() {
	printf '%s\n' "$1" | grep -Eq -- "$2" ||
	    t_fail "$3: '$1' does not match /$2/"
}

# t_json_get JSONLINE KEY: print a key's value; null prints nothing,
# booleans print true/false, lists and objects print as JSON. KEY may be
# a path such as rcpts.0.
t_json_get() {
	command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
	python3 -c '
import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    if isinstance(v, list):
        v = v[int(k)] if -len(v) <= int(k) < len(v) else None
    elif isinstance(v, dict):
        v = v.get(k)
    else:
        v = None
if v is None:
    print("")
elif v is True or v is False:
    print("true" if v else "false")
elif isinstance(v, (list, dict)):
    print(json.dumps(v, ensure_ascii=False))
else:
    print(v)
' "$1" "$2"
}

# Stop the servers and remove $T; runs at exit.
_t_cleanup() {
	_t_rc=$?
	[ "$_t_cleaning" = 1 ] && return
	_t_cleaning=1
	set +e
	for _t_p in $_t_pids; do
		kill "$_t_p" 2>/dev/null
	done
	_t_i=0
	while [ "$_t_i" -lt 30 ]; do
		_t_alive=
		for _t_p in $_t_pids; do
			kill -0 "$_t_p" 2>/dev/null && _t_alive=1
		done
		[ -z "$_t_alive" ] && break
		sleep 0.1
		_t_i=$((_t_i + 1))
	done
	for _t_p in $_t_pids; do
		kill -9 "$_t_p" 2>/dev/null
	done
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	exit "$_t_rc"
}

# t_setup NAME: a fresh $T with HOME and the XDG directories inside it.
t_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/tern-test-${1:-test}.XXXXXX") ||
	    t_fail "mktemp"
	trap _t_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	HOME=$T/home
	XDG_CONFIG_HOME=$T/config
	XDG_DATA_HOME=$T/data
	mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
	export T HOME XDG_CONFIG_HOME XDG_DATA_HOME
	unset XDG_STATE_HOME XDG_CACHE_HOME MAIL EDITOR VISUAL 2>/dev/null || :
}

# _t_cert NAME SIGNER TEMPLATE...: a key and certificate NAME, signed by
# SIGNER ("self" for self-signed), from the template lines.
_t_cert() {
	_t_n=$1
	_t_s=$2
	shift 2
	certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
	    --no-text --outfile "$_t_n-key.pem" >/dev/null 2>&1 ||
	    t_fail "certtool: key for $_t_n"
	printf '%s\n' "$@" >"$_t_n.tmpl"
	if [ "$_t_s" = self ]; then
		certtool --generate-self-signed --load-privkey "$_t_n-key.pem" \
		    --template "$_t_n.tmpl" --no-text \
		    --outfile "$_t_n.pem" >/dev/null 2>&1 ||
		    t_fail "certtool: certificate $_t_n"
	else
		certtool --generate-certificate --load-privkey "$_t_n-key.pem" \
		    --load-ca-certificate "$_t_s.pem" \
		    --load-ca-privkey "$_t_s-key.pem" \
		    --template "$_t_n.tmpl" --no-text \
		    --outfile "$_t_n.pem" >/dev/null 2>&1 ||
		    t_fail "certtool: certificate $_t_n"
		cat "$_t_n.pem" "$_t_s.pem" >"$_t_n-chain.pem"
	fi
}

# t_certs: test CAs and server certificates in $T/certs (once per test):
# ca.pem; good.pem (localhost, 127.0.0.1, ::1) and good-chain.pem;
# expired.pem; self.pem (self-signed); wrong.pem (wrong.example);
# other-ca.pem and other.pem (localhost, signed by other-ca). Keys are
# NAME-key.pem; signed ones also have NAME-chain.pem (cert + CA).
t_certs() {
	[ -n "$T" ] || t_fail "t_certs before t_setup"
	[ -f "$T/certs/other.pem" ] && return 0
	command -v certtool >/dev/null 2>&1 ||
	    t_skip "certtool (gnutls-bin) not installed"
	mkdir -p "$T/certs"
	(
		cd "$T/certs" || exit 1
		_t_cert ca self 'cn = "tern test CA"' 'organization = "tern"' \
		    ca cert_signing_key crl_signing_key 'expiration_days = 3650'
		_t_cert good ca 'cn = "localhost"' 'dns_name = "localhost"' \
		    'ip_address = "127.0.0.1"' 'ip_address = "::1"' \
		    tls_www_server signing_key encryption_key \
		    'expiration_days = 365'
		_t_cert expired ca 'cn = "localhost"' 'dns_name = "localhost"' \
		    'ip_address = "127.0.0.1"' tls_www_server signing_key \
		    encryption_key 'activation_date = "2020-01-01 00:00:00"' \
		    'expiration_date = "2021-01-01 00:00:00"'
		_t_cert self self 'cn = "localhost"' 'dns_name = "localhost"' \
		    'ip_address = "127.0.0.1"' tls_www_server signing_key \
		    encryption_key 'expiration_days = 365'
		_t_cert wrong ca 'cn = "wrong.example"' \
		    'dns_name = "wrong.example"' tls_www_server signing_key \
		    encryption_key 'expiration_days = 365'
		_t_cert other-ca self 'cn = "tern other test CA"' \
		    'organization = "tern other"' ca cert_signing_key \
		    crl_signing_key 'expiration_days = 3650'
		_t_cert other other-ca 'cn = "localhost"' \
		    'dns_name = "localhost"' 'ip_address = "127.0.0.1"' \
		    'ip_address = "::1"' tls_www_server signing_key \
		    encryption_key 'expiration_days = 365'
	) || exit 1
}

# t_smtpd NAME [ARGS...]: start $SMTPD with spool $T/NAME; sets
# ${NAME}_port and ${NAME}_pid. The server is killed at exit.
t_smtpd() {
	[ -n "$T" ] || t_fail "t_smtpd before t_setup"
	case $1 in
	''|[0-9]*|*[!A-Za-z0-9_]*)
		t_fail "t_smtpd: bad name '$1'";;
	esac
	[ -x "$SMTPD" ] || t_fail "no test server at $SMTPD"
	_t_n=$1
	shift
	rm -f "$T/$_t_n.port"
	"$SMTPD" -P "$T/$_t_n.port" -d "$T/$_t_n" "$@" </dev/null &
	_t_p=$!
	_t_pids="$_t_pids $_t_p"
	eval "${_t_n}_pid=\$_t_p"
	_t_i=0
	while [ ! -s "$T/$_t_n.port" ]; do
		kill -0 "$_t_p" 2>/dev/null ||
		    t_fail "smtpd $_t_n exited at start ($*)"
		[ "$_t_i" -lt 50 ] || t_fail "smtpd $_t_n: no port after 5 s"
		sleep 0.1
		_t_i=$((_t_i + 1))
	done
	eval "${_t_n}_port=\$(cat \"\$T/\$_t_n.port\")"
}

# t_stop NAME: stop one server (SIGTERM) and wait for it, at most 5 s.
t_stop() {
	eval "_t_p=\${${1}_pid:-}"
	[ -n "$_t_p" ] || t_fail "t_stop: no server $1"
	kill "$_t_p" 2>/dev/null || :
	_t_i=0
	while kill -0 "$_t_p" 2>/dev/null; do
		[ "$_t_i" -lt 50 ] || t_fail "smtpd $1 did not stop"
		sleep 0.1
		_t_i=$((_t_i + 1))
	done
	wait "$_t_p" 2>/dev/null || :
}

# t_count NAME: the number of messages the server NAME accepted.
t_count() {
	if [ -f "$T/$1/log.jsonl" ]; then
		wc -l <"$T/$1/log.jsonl" | tr -d ' '
	else
		echo 0
	fi
}

# t_log NAME: the accepted messages' JSON lines.
t_log() {
	[ ! -f "$T/$1/log.jsonl" ] || cat "$T/$1/log.jsonl"
}

# t_sessions NAME: one JSON line per finished session.
t_sessions() {
	[ ! -f "$T/$1/sessions.jsonl" ] || cat "$T/$1/sessions.jsonl"
}

# t_wait_sessions NAME N [SECS]: wait until N sessions have ended.
t_wait_sessions() {
	_t_i=0
	while :; do
		_t_c=0
		[ ! -f "$T/$1/sessions.jsonl" ] ||
		    _t_c=$(wc -l <"$T/$1/sessions.jsonl" | tr -d ' ')
		[ "$_t_c" -lt "$2" ] || return 0
		[ "$_t_i" -lt $((${3:-5} * 10)) ] ||
		    t_fail "smtpd $1: $_t_c sessions, want $2"
		sleep 0.1
		_t_i=$((_t_i + 1))
	done
}

# t_config CONTENT: write $XDG_CONFIG_HOME/tern/config, mode 0600.
t_config() {
	mkdir -p "$XDG_CONFIG_HOME/tern"
	(umask 077 && printf '%s\n' "$1" >"$XDG_CONFIG_HOME/tern/config")
	chmod 600 "$XDG_CONFIG_HOME/tern/config"
}

# tests/smtpd appends to NAME/commands.jsonl, at once, every command it
# receives and the events "connect", "stall-data", "saved" and "dot"
# (the final dot read), each with "read": the number of the server's
# read that brought its last byte, so that a test can tell what came in
# one write (sessions.jsonl only has a session's commands once it has
# ended).  The helpers below
# read it; rawsmtpd.py does not write it.

# t_cmd_mark NAME: how many command lines NAME has recorded so far, for
# t_commands and t_assert_not_received to look only at what comes after.
t_cmd_mark() {
	if [ -f "$T/$1/commands.jsonl" ]; then
		wc -l <"$T/$1/commands.jsonl" | tr -d ' '
	else
		echo 0
	fi
}

# t_wait_idle NAME [SECS]: wait until every session NAME accepted has
# ended (and is in sessions.jsonl), so that its transcript is complete.
t_wait_idle() {
	_t_i=0
	while :; do
		_t_c=0
		_t_e=0
		[ ! -f "$T/$1/commands.jsonl" ] ||
		    _t_c=$(grep -c '"event":"connect"' "$T/$1/commands.jsonl") ||
		    :
		[ ! -f "$T/$1/sessions.jsonl" ] ||
		    _t_e=$(wc -l <"$T/$1/sessions.jsonl" | tr -d ' ')
		[ "$_t_e" -lt "$_t_c" ] || return 0
		[ "$_t_i" -lt $((${2:-10} * 10)) ] ||
		    t_fail "smtpd $1: $_t_c sessions began, $_t_e ended"
		sleep 0.1
		_t_i=$((_t_i + 1))
	done
}

# t_commands NAME [MARK]: every command NAME received (after MARK from
# t_cmd_mark), one per line, once its sessions have ended.
t_commands() {
	t_wait_idle "$1"
	command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
	[ ! -f "$T/$1/commands.jsonl" ] || python3 -c '
import json, sys
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    lines = f.read().splitlines()[int(sys.argv[2]):]
for ln in lines:
    c = json.loads(ln).get("command")
    if c is not None:
        print(c)
' "$T/$1/commands.jsonl" "${2:-0}"
}

# t_assert_not_received NAME REGEX WHAT [MARK]: no command NAME received
# (after MARK) matches the extended REGEX, case-insensitive, for example
# '^(MAIL FROM|RCPT TO):' for "nothing reached the server".
t_assert_not_received() {
	t_wait_idle "$1"
	_t_cmds=$(t_commands "$1" "${4:-0}") || exit 1
	if printf '%s\n' "$_t_cmds" | grep -Eiq -- "$2"; then
		printf '%s\n' "$_t_cmds" | sed 's/^/  received: /' >&2
		t_fail "$3: smtpd $1 received /$2/"
	fi
}

# t_wait_event NAME REGEX [SECS]: wait until a line of NAME's
# commands.jsonl matches REGEX (an event or a command arrived).
t_wait_event() {
	_t_i=0
	while ! grep -Eq -- "$2" "$T/$1/commands.jsonl" 2>/dev/null; do
		[ "$_t_i" -lt $((${3:-10} * 10)) ] ||
		    t_fail "smtpd $1: never saw /$2/"
		sleep 0.1
		_t_i=$((_t_i + 1))
	done
}

# t_certs_hostile: certificates whose names carry terminal escapes, in
# $T/certs (after t_certs): evil-ca.pem (CN and O with OSC 52, BEL and a
# right-to-left override) and evil.pem, evil-chain.pem, evil-key.pem
# (localhost, 127.0.0.1; CN with ESC[2J, OSC 52 and U+202E; O with an SGR
# colour), signed by evil-ca.
t_certs_hostile() {
	t_certs
	[ -f "$T/certs/evil.pem" ] && return 0
	(
		cd "$T/certs" || exit 1
		_t_cert evil-ca self \
		    "$(printf 'cn = "tern evil CA\033]52;c;cHduZWQ=\007"')" \
		    "$(printf 'organization = "\342\200\256evil"')" \
		    ca cert_signing_key 'expiration_days = 3650'
		_t_cert evil evil-ca \
		    "$(printf 'cn = "evil\033[2J\033]52;c;cHduZWQ=\007 \342\200\256moc.knab"')" \
		    "$(printf 'organization = "tern\033[31m"')" \
		    'dns_name = "localhost"' 'ip_address = "127.0.0.1"' \
		    tls_www_server signing_key encryption_key \
		    'expiration_days = 365'
	) || exit 1
}
