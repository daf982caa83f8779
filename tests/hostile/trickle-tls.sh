#!/bin/sh
# A server that trickles the TLS handshake: rawsmtpd offers STARTTLS,
# answers 220, then sends one 16 KiB handshake record one byte a second.
# The handshake's `timeout` must bound it in all (GnuTLS counts only the
# time spent in recv, not the wait before it): tern gives up after about
# `timeout` seconds, says the handshake timed out, and goes on as its
# policy says (may: plaintext on a new connection).  A hang check: tern is
# killed by timeout(1) after 40 s, and that fails.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-trickle-tls
echo hi >"$T/body"

i_raw tls trickle-tls
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$tls_port
timeout = 3"
i_send 40 bob@example.net <"$T/body"
reason=$(t_json_get "$out" reason)
t_assert_match "$reason" 'handshake timed out' "reason"
# The handshake's session ended because tern left it.
t_wait_sessions tls 1 20
t_assert_match "$(t_sessions tls | grep '"STARTTLS"')" \
    '"end": "client closed after' "tern closed the handshake"
echo "ok: trickled handshake: $(t_json_get "$out" outcome) in $secs s: $reason"
t_pass
