# Helpers for tests that run real software nobody here wrote: Postfix,
# Exim, dnsmasq, tcpdump.  Sourced after tests/integration/lib.sh and
# t_setup.  Every daemon started here runs in the foreground of a
# background job or leaves a pid file; its pid is added to lib.sh's list,
# so the EXIT trap stops it.
#
#	i_need_root			skip (77) unless run as root
#	i_need CMD...			skip (77) when a command is absent
#	i_free_port			print a free TCP port on 127.0.0.1
#	i_wait_port HOST PORT [SECS]	wait until something listens there
#	i_postfix_find			find Postfix: sets pf_root, or skips
#	i_postfix ARGS...		run that postfix command
#	i_postfix_start DIR SERVICES	a private Postfix instance (below)
#	i_postfix_count DIR		messages Postfix delivered to Maildirs
#	i_dnsmasq_start ARGS...		dnsmasq on a free port: sets dns_port

PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"
export PATH

# i_need_root: real MTAs and port 25 need root.
i_need_root() {
	[ "$(id -u)" = 0 ] || t_skip "needs root (real MTA, port 25)"
}

# i_need CMD...: skip when a tool is truly absent.
i_need() {
	for _i_c in "$@"; do
		command -v "$_i_c" >/dev/null 2>&1 ||
		    t_skip "$_i_c not installed"
	done
}

# i_free_port: a TCP port nobody listens on (the kernel's choice), never
# one this test was given before (the kernel may hand a closed port out
# again at once: two of Postfix's listeners once got the same port).
i_free_port() {
	python3 - "$T/.ports" <<'EOF'
import socket, sys
try:
    given = set(open(sys.argv[1]).read().split())
except OSError:
    given = set()
held = []
while True:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = str(s.getsockname()[1])
    held.append(s)
    if port not in given:
        break
for s in held:
    s.close()
open(sys.argv[1], "a").write(port + "\n")
print(port)
EOF
}

# i_wait_port HOST PORT [SECS]: wait until a TCP connect succeeds.
i_wait_port() {
	python3 - "$1" "$2" "${3:-20}" <<'EOF' ||
import socket, sys, time
host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + secs
while time.time() < end:
    try:
        socket.create_connection((host, port), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
	    t_fail "nothing listens on $1 port $2 after ${3:-20} s"
}

# _i_track PID: stop PID at exit with lib.sh's servers.
_i_track() {
	_t_pids="$_t_pids $1"
}

# i_postfix_find: where Postfix is.  Either the installed package
# (pf_root empty: /usr/sbin/postfix, /usr/lib/postfix/sbin/master) or a
# .deb unpacked into a private directory that no init system knows of
# (share/setup.sh check does this where Postfix is not installed:
# apt-get download postfix; dpkg-deb -x postfix_*.deb /opt/postfix), so
# Postfix never becomes the machine's mail server.  $POSTFIX_ROOT names
# that directory; else /opt/postfix is tried after the package.  Needs
# the users postfix and postdrop the package would create.  Skips (77)
# when there is none.
i_postfix_find() {
	pf_root=
	if [ -n "${POSTFIX_ROOT:-}" ]; then
		pf_root=$POSTFIX_ROOT
	elif [ -x /usr/sbin/postfix ] && [ -x /usr/lib/postfix/sbin/master ]
	then
		pf_root=
	elif [ -x /opt/postfix/usr/sbin/postfix ]; then
		pf_root=/opt/postfix
	else
		t_skip "postfix not installed nor unpacked in /opt/postfix"
	fi
	[ -x "$pf_root/usr/sbin/postfix" ] &&
	    [ -x "$pf_root/usr/lib/postfix/sbin/master" ] ||
	    t_skip "no postfix and master under ${pf_root:-/usr}"
	id postfix >/dev/null 2>&1 || t_skip "no postfix user"
	getent group postdrop >/dev/null 2>&1 || t_skip "no postdrop group"
}

# i_postfix ARGS...: the postfix command of pf_root, finding its shared
# libraries there (its RUNPATH names /usr/lib/postfix).
i_postfix() {
	if [ -n "$pf_root" ]; then
		LD_LIBRARY_PATH="$pf_root/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
		    "$pf_root/usr/sbin/postfix" "$@"
	else
		/usr/sbin/postfix "$@"
	fi
}

# i_postfix_start DIR: start a private Postfix with its config, queue,
# data directory, log and Maildirs under DIR.  The listeners come from
# $pf_services (master.cf lines, "PORT_*" already substituted).  Mail for
# any address @example.net goes to the Maildir DIR/mail/inbox/ (each
# message with its Delivered-To header).  The
# log is DIR/maillog.  Extra main.cf lines come from $pf_main.
i_postfix_start() {
	_i_d=$1
	[ -n "${pf_root+set}" ] || i_postfix_find
	mkdir -p "$_i_d/etc" "$_i_d/queue" "$_i_d/data" "$_i_d/mail"
	# Postfix drops privileges: its users must reach these paths.
	chmod 755 "$T" "$_i_d"
	_i_uid=$(id -u nobody)
	_i_gid=$(id -g nobody)
	chown "$_i_uid:$_i_gid" "$_i_d/mail"
	chown postfix "$_i_d/data"
	cat >"$_i_d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $_i_d/queue
data_directory = $_i_d/data
command_directory = $pf_root/usr/sbin
daemon_directory = $pf_root/usr/lib/postfix/sbin
shlib_directory = $pf_root/usr/lib/postfix
meta_directory = $pf_root/etc/postfix
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME${pf_root:+ LD_LIBRARY_PATH}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.postfix.test
mydomain = postfix.test
myorigin = \$myhostname
mydestination =
relay_domains =
relayhost =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = example.net
virtual_mailbox_base = $_i_d/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$_i_uid
virtual_gid_maps = static:$_i_gid
virtual_minimum_uid = 1
smtpd_banner = \$myhostname ESMTP Postfix (tern interop)
smtpd_tls_cert_file = $T/certs/good-chain.pem
smtpd_tls_key_file = $T/certs/good-key.pem
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_security_level = none
smtpd_tls_session_cache_database =
smtp_tls_security_level = none
maillog_file = $_i_d/maillog
maillog_file_prefixes = $_i_d
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $_i_d/etc/sasl
smtpd_sasl_auth_enable = no
smtpd_client_restrictions =
smtpd_relay_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_error_sleep_time = 0
smtpd_timeout = 30s
biff = no
append_dot_mydomain = no
readme_directory = no
inet_interfaces = 127.0.0.1
delay_warning_time = 0
maximal_queue_lifetime = 1h
${pf_main:-}
EOF
	cat >"$_i_d/etc/master.cf" <<EOF
$pf_services
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	i_postfix -c "$_i_d/etc" check >"$_i_d/check.log" 2>&1 || {
		cat "$_i_d/check.log" >&2
		t_fail "postfix check"
	}
	i_postfix -c "$_i_d/etc" start >"$_i_d/start.log" 2>&1 || {
		cat "$_i_d/start.log" "$_i_d/maillog" >&2 2>/dev/null
		t_fail "postfix did not start"
	}
	_i_i=0
	while [ ! -s "$_i_d/queue/pid/master.pid" ]; do
		[ "$_i_i" -lt 100 ] || t_fail "postfix: no master.pid"
		sleep 0.1
		_i_i=$((_i_i + 1))
	done
	_i_track "$(tr -d ' ' <"$_i_d/queue/pid/master.pid")"
}

# i_postfix_wait DIR N [SECS]: wait until N messages were delivered.
i_postfix_wait() {
	_i_i=0
	while [ "$(i_postfix_count "$1")" -lt "$2" ]; do
		[ "$_i_i" -lt $((${3:-20} * 10)) ] || {
			tail -n 30 "$1/maillog" >&2
			t_fail "postfix delivered $(i_postfix_count "$1") of $2"
		}
		sleep 0.1
		_i_i=$((_i_i + 1))
	done
}

# i_postfix_count DIR: messages in every Maildir under DIR/mail.
i_postfix_count() {
	find "$1/mail" -path '*/new/*' -type f 2>/dev/null | wc -l | tr -d ' '
}

# i_dnsmasq_start ARGS...: dnsmasq on 127.0.0.1 and a free port, serving
# only what ARGS say (no upstream, no hosts file); sets dns_port.
i_dnsmasq_start() {
	i_need dnsmasq
	dns_port=$(i_free_port)
	dnsmasq --no-daemon --no-resolv --no-hosts --conf-file=/dev/null \
	    --pid-file= --user="$(id -un)" --group="$(id -gn)" \
	    --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" \
	    --log-queries --log-facility="$T/dnsmasq.log" "$@" \
	    >"$T/dnsmasq.out" 2>&1 &
	_i_track $!
	_i_i=0
	while ! grep -q 'started' "$T/dnsmasq.log" 2>/dev/null; do
		[ "$_i_i" -lt 100 ] || {
			cat "$T/dnsmasq.out" >&2
			t_fail "dnsmasq did not start"
		}
		sleep 0.1
		_i_i=$((_i_i + 1))
	done
}

# i_raw NAME SCENARIO [ARGS...]: start tests/hostile/rawsmtpd.py with
# spool $T/NAME; sets ${NAME}_port and ${NAME}_pid like t_smtpd, so
# t_count, t_log, t_sessions and t_wait_sessions work on it.
i_raw() {
	i_need python3
	_i_n=$1
	_i_s=$2
	shift 2
	rm -f "$T/$_i_n.port"
	python3 "$top_srcdir/tests/hostile/rawsmtpd.py" -s "$_i_s" \
	    -d "$T/$_i_n" -P "$T/$_i_n.port" "$@" </dev/null \
	    2>"$T/$_i_n.err" &
	_i_p=$!
	_i_track "$_i_p"
	eval "${_i_n}_pid=\$_i_p"
	_i_i=0
	while [ ! -s "$T/$_i_n.port" ]; do
		kill -0 "$_i_p" 2>/dev/null || {
			cat "$T/$_i_n.err" >&2
			t_fail "rawsmtpd $_i_n exited at start"
		}
		[ "$_i_i" -lt 100 ] || t_fail "rawsmtpd $_i_n: no port"
		sleep 0.1
		_i_i=$((_i_i + 1))
	done
	eval "${_i_n}_port=\$(cat \"\$T/\$_i_n.port\")"
}

# i_no_crash RC WHAT: tern ended by itself (no signal, no timeout(1)).
i_no_crash() {
	[ "$1" -lt 124 ] || t_fail "$2: tern exited $1 (crash or hang)"
}

# i_send SECS ARGS...: tern send --json ARGS (body on stdin), killed after
# SECS; sets rc, out and secs, fails on a crash or a hang.
i_send() {
	_i_lim=$1
	shift
	rc=0
	_i_t0=$(date +%s)
	out=$(timeout -k 5 "$_i_lim" "$TERN" send --json "$@" 2>"$T/send.err") ||
	    rc=$?
	secs=$(($(date +%s) - _i_t0))
	if [ "$rc" -ge 124 ]; then
		cat "$T/send.err" >&2
		t_fail "tern send $*: exit $rc after $secs s (hang or crash)"
	fi
}

# i_delivered OUTCOME: 0 when the outcome means the server took the mail.
i_delivered() {
	case $1 in
	verified|encrypted|plaintext) return 0 ;;
	*) return 1 ;;
	esac
}

# i_capture_start FILE PORT...: tcpdump on loopback for these TCP ports,
# writing FILE; returns when tcpdump listens.  i_capture_stop ends it.
i_capture_start() {
	i_need tcpdump
	_i_f=$1
	shift
	_i_filter=
	for _i_p in "$@"; do
		_i_filter="${_i_filter:+$_i_filter or }port $_i_p"
	done
	tcpdump -i lo -U --immediate-mode -B 32768 -s 0 -n -w "$_i_f" "tcp and ($_i_filter)" \
	    2>"$_i_f.err" &
	capture_pid=$!
	_i_track "$capture_pid"
	_i_i=0
	while ! grep -q 'listening on' "$_i_f.err" 2>/dev/null; do
		kill -0 "$capture_pid" 2>/dev/null || {
			cat "$_i_f.err" >&2
			t_fail "tcpdump did not start"
		}
		[ "$_i_i" -lt 100 ] || t_fail "tcpdump: not listening after 10 s"
		sleep 0.1
		_i_i=$((_i_i + 1))
	done
}

# i_capture_stop: let tcpdump write what it saw and exit.
i_capture_stop() {
	sleep 0.3
	kill -INT "$capture_pid" 2>/dev/null || :
	_i_i=0
	while kill -0 "$capture_pid" 2>/dev/null; do
		[ "$_i_i" -lt 50 ] || { kill -9 "$capture_pid"; break; }
		sleep 0.1
		_i_i=$((_i_i + 1))
	done
	wait "$capture_pid" 2>/dev/null || :
}

# i_wire FILE PORT: pcap.py's JSON lines, one per connection to PORT.
i_wire() {
	python3 "$top_srcdir/tests/wire/pcap.py" "$1" "$2"
}
