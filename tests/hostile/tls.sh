#!/bin/sh
# Weak or changing TLS on the server side (tests/smtpd --tls-priority,
# certificates swapped between sends):
#  - TLS 1.0 only: "may" takes it (better than plaintext) and records
#    TLS1.0, which the server confirms; "verify" needs TLS 1.2 or later
#    and is held, and the server never gets MAIL FROM;
#  - only weak ciphers (3DES, RC4, NULL) that tern's GnuTLS refuses: the
#    handshake fails, "may" retries in plaintext and says why, "encrypt"
#    is held;
#  - the certificate changes between two sends (another CA, then
#    self-signed): each record carries the fingerprint of the certificate
#    really used, an issuer change is flagged as a downgrade, and a
#    self-signed certificate is "encrypted", never "verified".
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need python3
t_setup hostile-tls
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"
cat "$T/certs/ca.pem" "$T/certs/other-ca.pem" >"$T/certs/both-ca.pem"

# fp PEM: the SHA-256 fingerprint as tern writes it.
fp() {
	python3 -c '
import hashlib, ssl, sys
der = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
print(":".join("%02X" % b for b in hashlib.sha256(der).digest()))' "$1"
}

# conf PORT [POLICY]
conf() {
	t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/both-ca.pem
timeout = 5
[route may.example]
host = localhost:$1
[route strict.example]
host = localhost:$1
tls = ${2:-verify}"
}

# --- TLS 1.0 only ---------------------------------------------------------
# shellcheck disable=SC2086
t_smtpd tls10 $cert --tls-priority "NORMAL:-VERS-ALL:+VERS-TLS1.0"
conf "$tls10_port"
i_send 30 bob@may.example <<EOF
tls 1.0
EOF
t_assert_eq "$rc" 0 "tls1.0 may: exit"
t_assert_eq "$(t_json_get "$out" tls_version)" TLS1.0 "tls1.0 may: version"
case $(t_json_get "$out" outcome) in
verified|encrypted) ;;
*) t_fail "tls1.0 may: $(t_json_get "$out" outcome)" ;;
esac
t_assert_match "$(t_json_get "$out" reason)" 'old TLS version|TLS1\.0' \
    "tls1.0 may: the record says an old version was accepted"
t_assert_eq "$(t_json_get "$(t_log tls10)" tls_version)" TLS1.0 \
    "tls1.0: the server agrees"
echo "ok: tls1.0 may: $(t_json_get "$out" outcome) $(t_json_get "$out" tls_version) $(t_json_get "$out" cipher): $(t_json_get "$out" reason)"
n=$(t_sessions tls10 | wc -l)
i_send 30 carol@strict.example <<EOF
tls 1.0, verify
EOF
t_assert_eq "$rc" 75 "tls1.0 verify: exit"
t_assert_eq "$(t_json_get "$out" outcome)" held "tls1.0 verify: outcome"
t_assert_match "$(t_json_get "$out" reason)" 'TLS 1.2' "tls1.0 verify: reason"
t_assert_eq "$(t_count tls10)" 1 "tls1.0 verify: nothing delivered"
if t_sessions tls10 | tail -n +"$((n + 1))" | grep -q 'MAIL FROM'; then
	t_fail "tls1.0 verify: MAIL FROM reached the server"
fi
echo "ok: tls1.0 verify: held: $(t_json_get "$out" reason)"

# --- weak ciphers only --------------------------------------------------------
for w in des3:NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC \
    rc4:NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+ARCFOUR-128 \
    null:NONE:+VERS-TLS1.2:+NULL:+SHA1:+SIGN-ALL:+COMP-NULL:+ECDHE-ECDSA:+GROUP-ALL; do
	n=${w%%:*}
	# shellcheck disable=SC2086
	t_smtpd "$n" $cert --tls-priority "${w#*:}"
	eval "p=\$${n}_port"
	conf "$p" encrypt
	i_send 30 bob@may.example carol@strict.example <<EOF
weak $n
EOF
	t_assert_eq "$rc" 75 "$n: exit"
	bob=$(printf '%s\n' "$out" | grep bob@)
	carol=$(printf '%s\n' "$out" | grep carol@)
	t_assert_eq "$(t_json_get "$bob" outcome)" plaintext "$n: may"
	t_assert_match "$(t_json_get "$bob" reason)" 'handshake' "$n: may reason"
	t_assert_eq "$(t_json_get "$carol" outcome)" held "$n: encrypt"
	t_assert_eq "$(t_count "$n")" 1 "$n: one message"
	t_assert_eq "$(t_json_get "$(t_log "$n")" tls)" false "$n: plaintext at the server"
	t_assert_eq "$(t_json_get "$(t_log "$n")" rcpts)" '["bob@may.example"]' \
	    "$n: only the may recipient"
	t_assert_match "$(t_sessions "$n" | head -n 1)" '"starttls":"failed"' \
	    "$n: the server saw the handshake fail"
	echo "ok: $n: may plaintext ($(t_json_get "$bob" reason)), encrypt held"
done

# --- the certificate changes ----------------------------------------------------
# shellcheck disable=SC2086
t_smtpd c1 $cert
port=$c1_port
conf "$port"
i_send 30 bob@may.example <<EOF
first certificate
EOF
t_assert_eq "$(t_json_get "$out" outcome)" verified "cert 1: outcome"
t_assert_eq "$(t_json_get "$out" cert_sha256)" "$(fp "$T/certs/good.pem")" \
    "cert 1: fingerprint"
t_stop c1
t_smtpd c2 -p "$port" --cert "$T/certs/other-chain.pem" \
    --key "$T/certs/other-key.pem"
i_send 30 bob@may.example <<EOF
second certificate, another CA
EOF
t_assert_eq "$(t_json_get "$out" cert_sha256)" "$(fp "$T/certs/other.pem")" \
    "cert 2: fingerprint of the new certificate"
t_assert_match "$(t_json_get "$out" cert_issuer)" 'tern other test CA' \
    "cert 2: issuer"
t_assert_match "$(t_json_get "$out" reason)" 'downgrade|issuer' \
    "cert 2: the issuer change is flagged"
t_assert_eq "$(t_json_get "$out" downgrade)" true "cert 2: flagged"
t_assert_eq "$(t_count c2)" 1 "cert 2: delivered (downgrade = warn)"
echo "ok: cert 2: $(t_json_get "$out" outcome): $(t_json_get "$out" reason)"
t_stop c2
t_smtpd c3 -p "$port" --cert "$T/certs/self.pem" --key "$T/certs/self-key.pem"
i_send 30 bob@may.example <<EOF
third certificate, self-signed
EOF
t_assert_eq "$(t_json_get "$out" outcome)" encrypted "cert 3: outcome"
t_assert_eq "$(t_json_get "$out" cert_sha256)" "$(fp "$T/certs/self.pem")" \
    "cert 3: fingerprint"
t_assert_eq "$(t_json_get "$(t_log c3)" tls)" true "cert 3: server saw TLS"
echo "ok: cert 3: encrypted: $(t_json_get "$out" reason)"
i_send 30 carol@strict.example <<EOF
self-signed, verify
EOF
t_assert_eq "$(t_json_get "$out" outcome)" held "cert 3 verify: outcome"
t_assert_eq "$(t_count c3)" 1 "cert 3 verify: nothing delivered"
t_pass
