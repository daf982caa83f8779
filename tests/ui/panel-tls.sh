#!/bin/sh
# issue 12: the live panel's server row during a STARTTLS send (a server
# slow to reply, so that each step stays on screen): "STARTTLS sent" once
# (never "STARTTLS STARTTLS"), and the EHLO after TLS says nothing about
# STARTTLS (it never lists it), right below nothing like "no STARTTLS".
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-panel-tls
t_certs
t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --delay 1500
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$tls_port
ca_file = $T/certs/ca.pem
timeout = 30"

U_COLS=120 U_ROWS=40
u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.org'
u_key Enter
u_type 'Slow TLS'
u_key Enter
u_wait 'Esc or \^X when done'
u_type 'Hi Bob.'
u_key Escape
u_wait 'y: send'
u_type y
u_wait "server localhost:$tls_port +STARTTLS sent *\$" 30
u_wait "server localhost:$tls_port +EHLO 250 *\$" 30
u_screen > "$T/ehlo.txt"
grep -E -A1 "server localhost:$tls_port +EHLO 250" "$T/ehlo.txt" |
    grep -Eq 'TLS: TLS1\.[23], .*verified' ||
    { cat "$T/ehlo.txt" >&2; t_fail "the TLS facts below the EHLO"; }
if grep -q 'no STARTTLS offered\|STARTTLS STARTTLS' "$T/ehlo.txt"; then
	cat "$T/ehlo.txt" >&2
	t_fail "STARTTLS spoken of after TLS"
fi
u_wait 'Send "Slow TLS" \(finished\)' 60
t_assert_eq "$(t_count tls)" 1 "message on the server"
u_quit
t_pass
