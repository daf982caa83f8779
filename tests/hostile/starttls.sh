#!/bin/sh
# Attacks on STARTTLS itself:
#  - a man in the middle (tests/hostile/rawsmtpd.py strip-proxy) in front
#    of a real TLS server, which removes STARTTLS from the EHLO reply once
#    tern has seen the server offer it: "downgrade" under warn, held under
#    downgrade = hold, and never plaintext for encrypt/verify;
#  - a server that does not offer STARTTLS at first contact (tests/smtpd
#    --starttls strip): plaintext for may, held for verify;
#  - response injection (same packet as the 220 and a later packet) with a
#    verify recipient: held, the injected "250" never read as a reply;
#  - an EHLO reply after TLS that differs from the one before (no
#    PIPELINING, fewer AUTH mechanisms): tern uses what the server said
#    after TLS: AUTH PLAIN, no pipelining, and AUTH only inside TLS.
# The servers' records say what really crossed.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-starttls
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"

# --- the man in the middle ------------------------------------------
# shellcheck disable=SC2086
t_smtpd real $cert
i_raw mitm strip-proxy --upstream "127.0.0.1:$real_port" \
    --strip-flag "$T/mitm-strip"
conf="from = Alice <alice@example.org>
relay = smtp://localhost:$mitm_port
ca_file = $T/certs/ca.pem
timeout = 5"
t_config "$conf"
i_send 30 bob@example.net <<EOF
through an honest proxy
EOF
t_assert_eq "$rc" 0 "mitm off: exit"
t_assert_eq "$(t_json_get "$out" outcome)" verified "mitm off: outcome"

touch "$T/mitm-strip"
i_send 30 bob@example.net <<EOF
through a stripping proxy
EOF
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "mitm warn: outcome"
t_assert_match "$(t_json_get "$out" reason)" downgrade "mitm warn: reason"
t_assert_eq "$(t_json_get "$out" downgrade)" true "mitm warn: flagged"
t_assert_eq "$(t_count real)" 2 "mitm warn: delivered (downgrade = warn)"
t_assert_eq "$(t_json_get "$(t_log real | tail -n 1)" tls)" false \
    "mitm warn: the server got it in plaintext, as tern says"
echo "ok: mitm warn: plaintext: $(t_json_get "$out" reason)"

# encrypt is never sent in plaintext, whatever downgrade says.
t_config "$conf
[domain strict.example]
tls = encrypt"
i_send 30 carol@strict.example <<EOF
must not leak
EOF
t_assert_eq "$rc" 75 "mitm encrypt: exit"
t_assert_eq "$(t_json_get "$out" outcome)" held "mitm encrypt: outcome"
t_assert_eq "$(t_count real)" 2 "mitm encrypt: nothing delivered"
if t_sessions real | grep -q 'carol@strict.example'; then
	t_fail "mitm encrypt: the held recipient reached the server"
fi

t_config "$conf
downgrade = hold"
i_send 30 dave@example.net <<EOF
held by downgrade = hold
EOF
t_assert_eq "$rc" 75 "mitm hold: exit"
t_assert_eq "$(t_json_get "$out" outcome)" held "mitm hold: outcome"
t_assert_match "$(t_json_get "$out" reason)" downgrade "mitm hold: reason"
t_assert_eq "$(t_count real)" 2 "mitm hold: nothing delivered"
if t_sessions real | grep -q 'dave@example.net'; then
	t_fail "mitm hold: the held recipient reached the server"
fi
echo "ok: mitm hold: held: $(t_json_get "$out" reason)"

# --- no STARTTLS at first contact -------------------------------------
# shellcheck disable=SC2086
t_smtpd strip $cert --starttls strip
t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 5
[route may.example]
host = localhost:$strip_port
[route strict.example]
host = localhost:$strip_port
tls = verify"
i_send 30 bob@may.example carol@strict.example <<EOF
strip
EOF
t_assert_eq "$rc" 75 "strip: exit"
bob=$(printf '%s\n' "$out" | grep bob@)
carol=$(printf '%s\n' "$out" | grep carol@)
t_assert_eq "$(t_json_get "$bob" outcome)" plaintext "strip: may"
t_assert_eq "$(t_json_get "$carol" outcome)" held "strip: verify"
t_assert_eq "$(t_count strip)" 1 "strip: one message"
t_assert_eq "$(t_json_get "$(t_log strip)" rcpts)" '["bob@may.example"]' \
    "strip: only the may recipient"

# --- response injection, verify policy ---------------------------------
for mode in inject inject-later; do
	n=$(printf '%s' "$mode" | tr -d -)
	# shellcheck disable=SC2086
	t_smtpd "$n" $cert --starttls "$mode"
	eval "p=\$${n}_port"
	t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$p
ca_file = $T/certs/ca.pem
tls = verify
timeout = 5"
	i_send 30 erin@example.net <<EOF
injection
EOF
	t_assert_eq "$rc" 75 "$mode: exit"
	t_assert_eq "$(t_json_get "$out" outcome)" held "$mode: outcome"
	t_assert_eq "$(t_count "$n")" 0 "$mode: nothing delivered"
	if t_sessions "$n" | grep -q 'MAIL FROM'; then
		t_fail "$mode: MAIL FROM reached the server"
	fi
	if printf '%s' "$out" | grep -q injected; then
		t_fail "$mode: the injected reply was read"
	fi
	echo "ok: $mode: held: $(t_json_get "$out" reason)"
done

# --- EHLO after TLS differs ---------------------------------------------
# Before TLS: PIPELINING, AUTH PLAIN LOGIN (auth over plaintext offered);
# after: no PIPELINING, AUTH PLAIN only.
# shellcheck disable=SC2086
t_smtpd fewer $cert --auth alice:s3cret --auth-plaintext \
    --ehlo-after-tls-fewer
printf '#!/bin/sh\necho s3cret\n' >"$T/pass.sh"
chmod 700 "$T/pass.sh"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$fewer_port
ca_file = $T/certs/ca.pem
user = alice
passcmd = $T/pass.sh
timeout = 5"
i_send 30 frank@example.net gina@example.net <<EOF
fewer extensions after TLS
EOF
t_assert_eq "$rc" 0 "fewer: exit ($out)"
t_assert_eq "$(t_json_get "$(printf '%s\n' "$out" | head -n 1)" outcome)" \
    verified "fewer: outcome"
s=$(t_sessions fewer | tail -n 1)
t_assert_eq "$(t_json_get "$s" auth)" alice "fewer: authenticated"
t_assert_eq "$(t_json_get "$s" auth_plaintext)" false "fewer: AUTH inside TLS"
t_assert_eq "$(t_json_get "$s" pipelined)" 0 \
    "fewer: commands pipelined after PIPELINING went away"
t_assert_eq "$(t_json_get "$(t_log fewer)" auth)" alice "fewer: message"
t_pass
