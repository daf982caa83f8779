#!/bin/sh
# The indicator checked against packets: tcpdump on loopback records every
# send, tests/wire/pcap.py reassembles the TCP streams, and for each
# outcome the wire must agree with what tern says:
#	verified, encrypted	EHLO offered STARTTLS, the server said 220,
#				everything the client sent after it is TLS
#				records (no plaintext SMTP), the ServerHello's
#				version and suite are the ones tern recorded
#	smtps			TLS from the first byte
#	plaintext		the reason is on the wire: no STARTTLS in the
#				EHLO reply, a 454, or a handshake that failed
#				(non-TLS bytes after the 220)
#	held			no MAIL FROM (and no RCPT for the recipient)
#				ever crosses the wire, in plaintext
# Needs tcpdump and capture rights (root); skips (77) without them.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need tcpdump python3
[ "$(id -u)" = 0 ] || t_skip "packet capture needs root"
t_setup wire-capture
t_certs
cert="--cert $T/certs/good-chain.pem --key $T/certs/good-key.pem"

# shellcheck disable=SC2086
t_smtpd ver $cert
t_smtpd enc --cert "$T/certs/self.pem" --key "$T/certs/self-key.pem"
t_smtpd none --starttls none
# shellcheck disable=SC2086
t_smtpd ref $cert --starttls 454
# shellcheck disable=SC2086
t_smtpd bad $cert --starttls fail
t_smtpd held --starttls none
# shellcheck disable=SC2086
t_smtpd inj $cert --starttls inject
# shellcheck disable=SC2086
t_smtpd tls12 $cert --tls-priority "NORMAL:-VERS-ALL:+VERS-TLS1.2"
# shellcheck disable=SC2086
t_smtpd smtps $cert --implicit-tls
pcap=$T/wire.pcap
i_capture_start "$pcap" "$ver_port" "$enc_port" "$none_port" "$ref_port" \
    "$bad_port" "$held_port" "$inj_port" "$tls12_port" "$smtps_port"

base="from = Alice <alice@example.org>
ca_file = $T/certs/ca.pem
timeout = 5"
routes="$base
relay = direct"
for s in ver enc none ref bad held inj tls12; do
	eval "p=\$${s}_port"
	routes="$routes
[route $s.example]
host = localhost:$p"
	case $s in held|inj) routes="$routes
tls = encrypt" ;; esac
done
t_config "$routes"

# send NAME: one message to bob@NAME.example; its JSON line in res_NAME.
send() {
	i_send 30 "bob@$1.example" <<EOF
Wire test for $1: PLAINTEXT-MARKER-$1
EOF
	eval "res_$1=\$out"
}
for s in ver enc none ref bad held inj tls12; do
	send "$s"
done
t_config "$base
relay = smtps://localhost:$smtps_port"
i_send 30 bob@smtps.example <<EOF
Wire test for smtps: PLAINTEXT-MARKER-smtps
EOF
res_smtps=$out
i_capture_stop
[ -s "$pcap" ] || t_fail "empty capture"

# wire NAME: the JSON lines of NAME's connections.
wire() {
	eval "_p=\$${1}_port"
	i_wire "$pcap" "$_p"
}
# w CONN KEY
w() {
	t_json_get "$1" "$2"
}
# no_plain_smtp NAME: no MAIL/RCPT/DATA/AUTH or body text in plaintext.
no_plain_smtp() {
	if wire "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    c = json.loads(l)
    text = " ".join(c["plain_commands"]) + c["plain_after_tls"]
    for bad in ("MAIL FROM", "RCPT TO", "DATA", "AUTH", "PLAINTEXT-MARKER"):
        if bad in text.upper():
            print("%s on the wire in plaintext: %s" % (bad, text[:200]))
            sys.exit(1)
'; then :; else t_fail "$1: plaintext SMTP on the wire"; fi
}
# tls_ok NAME: one connection, STARTTLS, TLS after it, facts agree.
tls_ok() {
	eval "r=\$res_$1"
	c=$(wire "$1")
	t_assert_eq "$(printf '%s\n' "$c" | wc -l | tr -d ' ')" 1 "$1: connections"
	t_assert_eq "$(w "$c" ehlo_starttls)" true "$1: EHLO offered STARTTLS"
	t_assert_match "$(w "$c" starttls_reply)" '^220' "$1: STARTTLS reply"
	t_assert_eq "$(w "$c" client_tls)" true "$1: client sent only TLS"
	t_assert_eq "$(w "$c" plain_after_tls)" "" "$1: plaintext after 220"
	t_assert_eq "$(w "$c" server_hello)" true "$1: ServerHello"
	t_assert_eq "$(w "$c" app_data)" true "$1: application data"
	t_assert_eq "$(w "$c" tls_version)" "$(t_json_get "$r" tls_version)" \
	    "$1: version on the wire vs tern"
	t_assert_eq "$(w "$c" cipher)" "$(t_json_get "$r" cipher)" \
	    "$1: suite on the wire vs tern"
	no_plain_smtp "$1"
	echo "ok: $1: tern $(t_json_get "$r" outcome), wire: STARTTLS 220," \
	    "$(w "$c" tls_version) $(w "$c" cipher), no plaintext after it"
}

t_assert_eq "$(t_json_get "$res_ver" outcome)" verified "ver: outcome"
tls_ok ver
t_assert_eq "$(t_json_get "$res_enc" outcome)" encrypted "enc: outcome"
tls_ok enc
t_assert_eq "$(t_json_get "$res_tls12" outcome)" verified "tls12: outcome"
t_assert_eq "$(t_json_get "$res_tls12" tls_version)" TLS1.2 "tls12: version"
tls_ok tls12

# smtps: TLS from the first byte.
t_assert_eq "$(t_json_get "$res_smtps" outcome)" verified "smtps: outcome"
c=$(wire smtps)
t_assert_eq "$(w "$c" plain_commands)" "[]" "smtps: no plaintext commands"
t_assert_eq "$(w "$c" client_tls)" true "smtps: client sent only TLS"
t_assert_eq "$(w "$c" tls_version)" "$(t_json_get "$res_smtps" tls_version)" \
    "smtps: version"
t_assert_eq "$(w "$c" cipher)" "$(t_json_get "$res_smtps" cipher)" \
    "smtps: suite"
no_plain_smtp smtps
echo "ok: smtps: TLS from the first byte, $(w "$c" tls_version)"

# plaintext, not offered: the EHLO reply on the wire has no STARTTLS.
t_assert_eq "$(t_json_get "$res_none" outcome)" plaintext "none: outcome"
c=$(wire none)
t_assert_eq "$(w "$c" ehlo_starttls)" false "none: EHLO without STARTTLS"
t_assert_eq "$(w "$c" client_hello)" false "none: no handshake"
t_assert_match "$(w "$c" plain_commands)" 'MAIL FROM:<alice@example.org>' \
    "none: MAIL in plaintext"
# The control: the analysis does see a plaintext body when there is one.
t_assert_match "$(w "$c" plain_commands)" 'PLAINTEXT-MARKER-none' \
    "none: the body is visible on the wire"
echo "ok: none: tern plaintext ($(t_json_get "$res_none" reason)); wire: no STARTTLS offered"

# plaintext after a 454.
t_assert_eq "$(t_json_get "$res_ref" outcome)" plaintext "454: outcome"
c=$(wire ref)
t_assert_match "$(w "$c" starttls_reply)" '^454' "454 on the wire"
t_assert_eq "$(w "$c" client_hello)" false "454: no handshake"
echo "ok: 454: tern plaintext ($(t_json_get "$res_ref" reason)); wire: $(w "$c" starttls_reply)"

# plaintext after a failed handshake: two connections.
t_assert_eq "$(t_json_get "$res_bad" outcome)" plaintext "fail: outcome"
c1=$(wire bad | sed -n 1p)
c2=$(wire bad | sed -n 2p)
t_assert_match "$(w "$c1" starttls_reply)" '^220' "fail: 220 on the wire"
t_assert_eq "$(w "$c1" server_hello)" false "fail: no ServerHello"
t_assert_match "$(w "$c1" server_plain_after_220)" 'not TLS' \
    "fail: the server's non-TLS bytes"
t_assert_eq "$(w "$c1" plain_after_tls)" "" "fail: nothing plain in TLS"
t_assert_match "$(w "$c2" plain_commands)" 'MAIL FROM' \
    "fail: the retry goes in plaintext"
echo "ok: fail: tern plaintext ($(t_json_get "$res_bad" reason)); wire: 220 then '$(w "$c1" server_plain_after_220 | cut -c1-30)'"

# held: no MAIL FROM, no RCPT, no body, for either held case.
t_assert_eq "$(t_json_get "$res_held" outcome)" held "held: outcome"
no_plain_smtp held
t_assert_eq "$(w "$(wire held)" ehlo_starttls)" false "held: why: no STARTTLS"
t_assert_eq "$(t_json_get "$res_inj" outcome)" held "inject: outcome"
no_plain_smtp inj
c=$(wire inj | sed -n 1p)
t_assert_match "$(w "$c" server_plain_after_220)" '250 injected' \
    "inject: the injection is on the wire"
echo "ok: held: no MAIL FROM on the wire (no STARTTLS; injection '$(w "$c" server_plain_after_220 | cut -c1-30)')"
t_pass
