#!/bin/sh
# STARTTLS that does not work: refused (454), a failed handshake, and
# plaintext injected after the 220 (in the same packet and in a later one).
# "may" falls back to plaintext and says why; "encrypt" is held and the
# server never gets a MAIL FROM for it; the injected text is never read as
# a reply.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup starttls-failures
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"
# shellcheck disable=SC2086
t_smtpd s454 $cert --starttls 454
# shellcheck disable=SC2086
t_smtpd sfail $cert --starttls fail
# shellcheck disable=SC2086
t_smtpd sinject $cert --starttls inject
# shellcheck disable=SC2086
t_smtpd slater $cert --starttls inject-later

conf="from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 5"
for s in s454 sfail sinject slater; do
	eval "p=\$${s}_port"
	conf="$conf
[route $s.example]
host = localhost:$p
[route strict.$s.example]
host = localhost:$p
tls = encrypt"
done
t_config "$conf"

check() { # server reason-regex
	s=$1
	rc=0
	out=$(echo hello | "$TERN" send --json "bob@$s.example" \
	    "carol@strict.$s.example") || rc=$?
	t_assert_eq "$rc" 75 "$s: exit code"
	bob=$(printf '%s\n' "$out" | grep bob@)
	carol=$(printf '%s\n' "$out" | grep carol@)
	t_assert_eq "$(t_json_get "$bob" outcome)" plaintext "$s: may outcome"
	t_assert_match "$(t_json_get "$bob" reason)" "$2" "$s: may reason"
	t_assert_eq "$(t_json_get "$bob" tls_version)" "" "$s: no TLS facts"
	t_assert_eq "$(t_json_get "$carol" outcome)" held "$s: encrypt outcome"
	t_assert_match "$(t_json_get "$carol" reason)" "$2" "$s: encrypt reason"
	t_assert_eq "$(t_count "$s")" 1 "$s: messages at the server"
	log=$(t_log "$s")
	t_assert_eq "$(t_json_get "$log" tls)" false "$s: server saw plaintext"
	t_assert_eq "$(t_json_get "$log" rcpts)" "[\"bob@$s.example\"]" \
	    "$s: only the may recipient"
	if t_sessions "$s" | grep -q "strict.$s.example"; then
		t_fail "$s: the held recipient's address reached the server"
	fi
	if printf '%s\n' "$out" | grep -q injected; then
		t_fail "$s: injected text was read as a reply"
	fi
}

check s454 'STARTTLS refused .*454'
check sfail 'STARTTLS failed .*handshake'
check sinject 'response injection'
check slater 'STARTTLS failed'
t_pass
