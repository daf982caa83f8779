#!/bin/sh
# Compose in the interface, probe the server, send over STARTTLS: the
# panel shows the TLS facts, the list the verified glyph, the message view
# its transport section; the server got the message over TLS.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-send-tls
t_certs
t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$tls_port
ca_file = $T/certs/ca.pem
timeout = 10"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.org'
u_key Enter
u_type 'Hello over TLS'
u_key Enter
u_wait 'Esc or \^X when done'
u_type 'Hi Bob, ça va ?'
u_key Escape
u_wait 'y: send'
u_has 'bob@example.org +may \(default\)' "policy beside the recipient"

# The probe asks the server without sending; typing goes on.
u_type p
u_wait 'TLS TLS1\.[23], verified' 10
t_assert_eq "$(t_count tls)" 0 "the probe sent nothing"

u_type y
u_wait 'Send "Hello over TLS" \(finished\)' 15
u_has 'TLS: TLS1\.[23], [A-Z0-9_-]+, certificate verified' "TLS in the panel"
u_has 'verified: TLS1\.[23]' "recipient outcome in the panel"
t_assert_eq "$(t_count tls)" 1 "message on the server"
t_assert_match "$(t_sessions tls)" '"tls":true' "the session used TLS"

u_type q
u_wait 'Hello over TLS'
u_has '🔐 +[A-Z][a-z][a-z] [0-9]+ [0-9:]+ +bob@example.org +Hello over TLS' "verified lock in the list"

# The transport section, straight from the list.
u_type t
u_wait 'Transport \(one block per recipient'
u_has 'bob@example.org: verified \(policy may, from default\)' "outcome in words"
u_has 'TLS: +TLS1\.[23], ' "TLS version and cipher"
u_has 'issuer: +CN=tern test CA' "certificate issuer"
u_has 'SHA-256: +[0-9A-F]{2}:' "fingerprint"
# At 80 columns the fingerprint takes two rows: the second starts under
# the value, not at the screen's edge.
u_screen >"$T/view"
awk '/SHA-256:/ { match($0, /SHA-256: +/); col = RSTART + RLENGTH
	getline n; match(n, /^ */)
	if (RLENGTH + 1 != col || substr(n, col, 1) !~ /[0-9A-F:]/) exit 1
	found = 1 } END { exit !found }' "$T/view" || {
	cat "$T/view" >&2
	t_fail "the fingerprint's second row is not under its value"
}
u_has 'verification: +verified' "verification result"
u_has 'server reply: +250' "last reply"
u_type h
u_wait 'ça va'
u_quit
t_pass
