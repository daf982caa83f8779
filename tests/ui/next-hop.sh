#!/bin/sh
# Relay mode's next hop in the interface (issue 14): the composer shows,
# per recipient domain and before sending, what that domain promises after
# the relay (looked up in the background through the DNSSEC lab and the
# MTA-STS HTTPS server); the message view shows it in a block of its own,
# apart from what tern saw.  sts.test publishes MTA-STS enforce; its MX
# (127.0.6.1) has no server: only the relay on 127.0.0.1 gets the message.
# Needs root (port 443 on 127.0.6.9).
set -eu
. "$top_srcdir/tests/ui/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
. "$top_srcdir/tests/interop/dnssec-lib.sh"
i_need_root
dl_need
t_setup ui-next-hop
t_certs

python3 - <<'EOF' || t_fail "port 443 on 127.0.6.9 is taken; stop what listens there"
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.6.9", 443))
s.close()
EOF

dl_cert stsweb mta-sts.sts.test mta-sts.sts.test
dl_zone sts.test insecure <<EOF
@ MX 10 mx
mx A 127.0.6.1
_mta-sts TXT "v=STSv1; id=20261202"
mta-sts A 127.0.6.9
EOF
dl_start
mkdir -p "$T/www/mta-sts.sts.test"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n' \
    >"$T/www/mta-sts.sts.test/policy"
dl_https_start 127.0.6.9 "$T/certs/stsweb-chain.pem" \
    "$T/certs/stsweb-key.pem" "$T/www"

# The relay offers REQUIRETLS (RFC 8689) and sts.test is a verify domain,
# so the message goes marked REQUIRETLS, and the view says so.
t_smtpd relay --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --requiretls
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$relay_port
resolver = 127.0.0.1:$dl_port
ca_file = $T/certs/ca.pem
timeout = 10
[domain sts.test]
tls = verify"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@sts.test'
u_key Enter
u_type 'After the relay'
u_key Enter
u_wait 'Esc or \^X when done'
u_type 'Hi Bob'
u_key Escape
u_wait 'y: send'
# Before sending: the promise of sts.test, from the background lookup.
u_wait 'after the relay: sts.test publishes MTA-STS enforce: its servers take mail only over verified' 15
# At 100 columns the sentence wraps at a word onto a second row.
u_has '^ +TLS from senders that honour it *$' "the promise's second row"
t_assert_eq "$(t_count relay)" 0 "nothing sent before y"
t_assert_eq "$(dl_https_log | grep -c mta-sts.sts.test)" 1 "the composer's policy fetch"

u_type y
u_wait 'Send "After the relay" \(finished\)' 15
t_assert_eq "$(t_count relay)" 1 "message at the relay"
u_type q
u_wait 'After the relay'
u_type t
u_wait 'Transport \(one block per recipient'
u_wait 'After the relay \(what sts.test promises, not what tern saw\):'
u_has 'sts.test publishes MTA-STS enforce: its servers take mail only over' "the promise in the view"
u_has 'its mail servers \(MX\): mx.sts.test \(an answer not DNSSEC-signed\)' "the MX line in the view"
u_has 'verification: +verified' "what tern saw, above"
u_has 'REQUIRETLS: the relay was asked to keep TLS on every hop to the' "REQUIRETLS beside the promise"
# The send took the composer's lookup from the store: no second fetch.
t_assert_eq "$(dl_https_log | grep -c mta-sts.sts.test)" 1 "policy fetches in all"
u_quit

t_pass
