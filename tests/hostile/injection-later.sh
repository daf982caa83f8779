#!/bin/sh
# STARTTLS response injection that arrives in a later TCP segment than
# the 220: 1 ms later (tests/smtpd --starttls inject-soon: in its own
# segment, mostly while tern is still making its ClientHello) and 50 ms
# later (inject-later: after the ClientHello).  Neither libetpan's check
# of its buffer nor a poll() right after the 220 can see these bytes; the
# TLS handshake's first byte must.  Each time the reason says the server
# sent plaintext after its 220 (response injection), never just "the
# handshake failed"; "may" falls back to plaintext on a new connection,
# "encrypt" is held and its address never reaches the server, and the
# injected "250" is never read as a reply.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup injection-later
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"
# shellcheck disable=SC2086
t_smtpd soon $cert --starttls inject-soon
# shellcheck disable=SC2086
t_smtpd later $cert --starttls inject-later

conf="from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 5"
for s in soon later; do
	eval "p=\$${s}_port"
	conf="$conf
[route $s.example]
host = localhost:$p
[route strict.$s.example]
host = localhost:$p
tls = encrypt"
done
t_config "$conf"

why='^STARTTLS failed at localhost: the server sent plaintext .*220 reply.*response injection'
# check SERVER TRIAL
check() {
	s=$1
	before=$(t_count "$s")
	rc=0
	out=$(echo hello | "$TERN" send --json "bob@$s.example" \
	    "carol@strict.$s.example" 2>"$T/err") || rc=$?
	t_assert_eq "$rc" 75 "$s $2: exit code ($(cat "$T/err"))"
	bob=$(printf '%s\n' "$out" | grep bob@)
	carol=$(printf '%s\n' "$out" | grep carol@)
	t_assert_eq "$(t_json_get "$bob" outcome)" plaintext "$s $2: may outcome"
	t_assert_match "$(t_json_get "$bob" reason)" "$why" "$s $2: may reason"
	t_assert_eq "$(t_json_get "$carol" outcome)" held \
	    "$s $2: encrypt outcome"
	t_assert_match "$(t_json_get "$carol" reason)" "$why" \
	    "$s $2: encrypt reason"
	t_assert_eq "$(t_count "$s")" $((before + 1)) \
	    "$s $2: messages at the server"
	if printf '%s\n' "$out" | grep -q injected; then
		t_fail "$s $2: the injected text was read as a reply"
	fi
}

# inject-soon races tern's ClientHello: try it several times.
for i in 1 2 3 4 5; do
	check soon "$i"
done
check later 1
if t_sessions soon | grep -q strict.soon.example ||
    t_sessions later | grep -q strict.later.example; then
	t_fail "the held recipient's address reached the server"
fi
echo "ok: $(t_json_get "$carol" reason)"
t_pass
