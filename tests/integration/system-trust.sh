#!/bin/sh
# No ca_file: certificates verify against the system trust store, read
# lazily (only the anchors the chain names).  Runs in a private mount
# namespace where the system bundle has the test CA appended: a server
# signed by it verifies, one from a CA in no bundle does not, nor one for
# another host name.
set -eu
bundle=/etc/ssl/certs/ca-certificates.crt
if [ -z "${TERN_IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || [ ! -f "$bundle" ] ||
	    ! command -v unshare >/dev/null 2>&1; then
		echo "SKIP: needs root, unshare and $bundle"
		exit 77
	fi
	TERN_IN_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$top_srcdir/tests/integration/lib.sh"
t_setup system-trust
t_certs
c=$T/certs
cat "$bundle" "$c/ca.pem" > "$T/bundle.crt"
mount --make-rprivate / 2>/dev/null || :
mount --bind "$T/bundle.crt" "$bundle" || t_fail "cannot bind-mount $bundle"
t_smtpd good --cert "$c/good-chain.pem" --key "$c/good-key.pem"
t_smtpd other --cert "$c/other-chain.pem" --key "$c/other-key.pem"
t_smtpd wrong --cert "$c/wrong-chain.pem" --key "$c/wrong-key.pem"
t_config "from = Alice <alice@example.org>
relay = direct
timeout = 5
[route good.example]
host = localhost:$good_port
[route other.example]
host = localhost:$other_port
[route wrong.example]
host = localhost:$wrong_port"

out=$(echo hello | "$TERN" send --json a@good.example) ||
    t_fail "send to good failed: $out"
t_assert_eq "$(t_json_get "$out" outcome)" verified "system anchor: outcome"
t_assert_match "$(t_json_get "$out" verify)" '^verified' "system anchor: words"
rc=0
out=$(echo hello | "$TERN" send --json b@other.example) || rc=$?
t_assert_eq "$(t_json_get "$out" outcome)" encrypted "no anchor: outcome"
t_assert_match "$(t_json_get "$out" verify)" 'issuer is unknown' "no anchor: words"
rc=0
out=$(echo hello | "$TERN" send --json c@wrong.example) || rc=$?
t_assert_eq "$(t_json_get "$out" outcome)" encrypted "wrong host: outcome"
t_assert_match "$(t_json_get "$out" verify)" 'not verified' "wrong host: words"
t_pass
