#!/bin/sh
# Certificates that do not verify (expired, self-signed, wrong host, an
# unknown CA): "may" and "encrypt" deliver as "encrypted" with the reason in
# words; "verify" is held and the server gets nothing for it.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup certificates
t_certs
c=$T/certs
t_smtpd expired --cert "$c/expired-chain.pem" --key "$c/expired-key.pem"
t_smtpd self --cert "$c/self.pem" --key "$c/self-key.pem"
t_smtpd wrong --cert "$c/wrong-chain.pem" --key "$c/wrong-key.pem"
t_smtpd other --cert "$c/other-chain.pem" --key "$c/other-key.pem"
conf="from = Alice <alice@example.org>
relay = direct
ca_file = $c/ca.pem
timeout = 5"
for s in expired self wrong other; do
	eval "p=\$${s}_port"
	conf="$conf
[route $s.example]
host = localhost:$p
[route enc.$s.example]
host = localhost:$p
tls = encrypt
[route ver.$s.example]
host = localhost:$p
tls = verify"
done
t_config "$conf"

check() { # server verify-words-regex
	s=$1
	rc=0
	out=$(echo hello | "$TERN" send --json "a@$s.example" \
	    "b@enc.$s.example" "c@ver.$s.example") || rc=$?
	# The server's transcript, not only what it accepted: no RCPT for
	# the held recipient, not even one that was never followed by DATA.
	t_assert_not_received "$s" "^RCPT TO: *<c@ver\\.$s\\.example>" \
	    "$s: the held recipient reached the server"
	t_assert_match "$(t_commands "$s")" "^RCPT TO: *<a@$s\\.example>" \
	    "$s: the transcript has the may recipient"
	t_assert_eq "$rc" 75 "$s: exit code"
	a=$(printf '%s\n' "$out" | grep '"a@')
	b=$(printf '%s\n' "$out" | grep '"b@')
	cc=$(printf '%s\n' "$out" | grep '"c@')
	t_assert_eq "$(t_json_get "$a" outcome)" encrypted "$s: may"
	t_assert_match "$(t_json_get "$a" verify)" "$2" "$s: verify words"
	t_assert_match "$(t_json_get "$a" cert_sha256)" '^[0-9A-F:]{95}$' "$s: fingerprint"
	t_assert_eq "$(t_json_get "$b" outcome)" encrypted "$s: encrypt"
	t_assert_eq "$(t_json_get "$cc" outcome)" held "$s: verify"
	t_assert_match "$(t_json_get "$cc" reason)" 'verified certificate' "$s: held reason"
	t_assert_eq "$(t_count "$s")" 2 "$s: messages at the server"
	if t_log "$s" | grep -q "ver.$s.example"; then
		t_fail "$s: the held recipient was accepted by the server"
	fi
	t_assert_eq "$(t_json_get "$(t_log "$s" | head -1)" tls)" true "$s: server saw TLS"
}

check expired 'expired'
check self 'not verified'
check wrong 'does not match'
check other 'issuer is unknown|not verified'
t_pass
