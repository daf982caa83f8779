#!/bin/sh
# Beyond the first hop (issue 14): direct mode against the DNSSEC lab
# (tests/interop/dnssec-lib.sh: nsd, a validating unbound, an HTTPS server
# for MTA-STS policies) and three of the project's SMTP servers on port 25:
#	A 127.0.4.1	STARTTLS, a certificate from the test CA for the MX
#			names below (and for domain-cert.test itself)
#	B 127.0.4.2	no STARTTLS
#	C 127.0.4.3	STARTTLS, a self-signed certificate
# One tern send to a recipient at each domain:
#	sts-ok.test	MTA-STS enforce, MX listed          -> verified (mta-sts)
#	sts-out.test	enforce, MX not in its patterns     -> held, nothing sent
#	sts-strip.test	enforce, MX offers no STARTTLS      -> held, not plaintext
#	sts-test.test	testing, MX (mx.hoster.test) not in its patterns
#							    -> delivered, recorded
#	dane-ee.test	signed, DANE-EE of C's self-signed  -> verified (dane)
#	dane-bad.test	signed, TLSA of another certificate -> held (dane)
#	dane-bogus.test	signed, TLSA answer bogus            -> held (dane)
#	plain.test	unsigned zone with TLSA (ignored)    -> encrypted, no DANE
#	signed.test	signed MX mx.shost.test (signed), no TLSA, policy
#			verify: the name is authenticated    -> verified (pkix)
#	bank.test	unsigned MX mx.evil.test, certificate valid for that
#			name, policy verify (the spoofed MX) -> held, not verified
# (A's certificate names no recipient's domain but domain-cert.test, not
# even by a name under it: Postfix's "secure" match, nexthop and
# dot-nexthop, takes mx.sts-ok.test for sts-ok.test, so tern does too.)
#	domain-cert.test unsigned MX, certificate for the domain itself,
#			policy verify                        -> verified (pkix)
#	bogus-mx.test	MX answer bogus                      -> deferred, no server
#	dane-strip.test	signed, TLSA, MX offers no STARTTLS    -> held (dane)
#	dane-next.test	first MX's TLSA answer bogus, second MX with a
#			matching TLSA                        -> verified (dane) there
# Then what the servers saw, and a packet capture: no MAIL FROM in
# plaintext on any connection, nothing but TLS records after STARTTLS.
# Needs root (port 25 and 443 on 127.0.4.x).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
. "$top_srcdir/tests/interop/dnssec-lib.sh"
i_need_root
dl_need
i_need python3 certtool tcpdump
t_setup interop-beyond
t_certs

python3 - <<'EOF' || t_fail "port 25 or 443 on 127.0.4.x is taken; stop what listens there"
import socket
for a, p in (("127.0.4.1", 25), ("127.0.4.2", 25), ("127.0.4.3", 25),
             ("127.0.4.9", 443)):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, p))
    s.close()
EOF

dl_cert mxa mx.sts-ok.test mx.sts-ok.test mx.sts-out.test mx.shost.test \
    mx.evil.test mx.hoster.test domain-cert.test
dl_cert stsweb mta-sts.sts-ok.test mta-sts.sts-ok.test mta-sts.sts-out.test \
    mta-sts.sts-strip.test mta-sts.sts-test.test
ee=$(dl_tlsa 3 1 1 "$T/certs/self.pem")
other=$(dl_tlsa 3 1 1 "$T/certs/other.pem")
[ -n "$ee" ] && [ -n "$other" ] || t_fail "dl_tlsa"

# sts_zone NAME MX-ADDR: an unsigned zone announcing an MTA-STS policy.
sts_zone() {
	dl_zone "$1" insecure <<EOF
@ MX 10 mx
mx A $2
_mta-sts TXT "v=STSv1; id=20261202"
mta-sts A 127.0.4.9
EOF
}
sts_zone sts-ok.test 127.0.4.1
sts_zone sts-out.test 127.0.4.1
sts_zone sts-strip.test 127.0.4.2
dl_zone sts-test.test insecure <<EOF
@ MX 10 mx.hoster.test.
_mta-sts TXT "v=STSv1; id=20261202"
mta-sts A 127.0.4.9
EOF
dl_zone dane-ee.test signed <<EOF
@ MX 10 mx
mx A 127.0.4.3
_25._tcp.mx TLSA $ee
EOF
dl_zone dane-bad.test signed <<EOF
@ MX 10 mx
mx A 127.0.4.3
_25._tcp.mx TLSA $other
EOF
dl_zone dane-bogus.test signed <<EOF
@ MX 10 mx
mx A 127.0.4.3
_25._tcp.mx CNAME tlsa.forged.test.
EOF
dl_zone dane-strip.test signed <<EOF
@ MX 10 mx
mx A 127.0.4.2
_25._tcp.mx TLSA $ee
EOF
dl_zone dane-next.test signed <<EOF
@ MX 10 mx
@ MX 20 mx2
mx A 127.0.4.3
_25._tcp.mx CNAME tlsa.forged.test.
mx2 A 127.0.4.3
_25._tcp.mx2 TLSA $ee
EOF
dl_zone forged.test forged <<EOF
tlsa TLSA $ee
EOF
dl_zone plain.test insecure <<EOF
@ MX 10 mx
mx A 127.0.4.3
_25._tcp.mx TLSA $ee
EOF
dl_zone signed.test signed <<EOF
@ MX 10 mx.shost.test.
EOF
dl_zone shost.test signed <<EOF
mx A 127.0.4.1
EOF
dl_zone bank.test insecure <<EOF
@ MX 10 mx.evil.test.
EOF
dl_zone evil.test insecure <<EOF
mx A 127.0.4.1
EOF
dl_zone domain-cert.test insecure <<EOF
@ MX 10 mx.hoster.test.
EOF
dl_zone hoster.test insecure <<EOF
mx A 127.0.4.1
EOF
dl_zone bogus-mx.test bogus <<EOF
@ MX 10 mx
mx A 127.0.4.1
EOF
dl_start

www=$T/www
policy() { # DOMAIN MODE MX...
	_d=$1
	_m=$2
	shift 2
	mkdir -p "$www/mta-sts.$_d"
	{
		printf 'version: STSv1\r\nmode: %s\r\n' "$_m"
		for _x in "$@"; do printf 'mx: %s\r\n' "$_x"; done
		printf 'max_age: 86400\r\n'
	} >"$www/mta-sts.$_d/policy"
}
policy sts-ok.test enforce mx.sts-ok.test
policy sts-out.test enforce mx.elsewhere.test
policy sts-strip.test enforce '*.sts-strip.test'
policy sts-test.test testing mx.other.test
dl_https_start 127.0.4.9 "$T/certs/stsweb-chain.pem" \
    "$T/certs/stsweb-key.pem" "$www"

t_smtpd A -l 127.0.4.1 -p 25 --cert "$T/certs/mxa-chain.pem" \
    --key "$T/certs/mxa-key.pem"
t_smtpd B -l 127.0.4.2 -p 25 --starttls none
t_smtpd C -l 127.0.4.3 -p 25 --cert "$T/certs/self.pem" \
    --key "$T/certs/self-key.pem"

t_config "from = Alice <alice@example.org>
relay = direct
resolver = 127.0.0.1:$dl_port
ca_file = $T/certs/ca.pem
timeout = 10
[domain signed.test]
tls = verify
[domain bank.test]
tls = verify
[domain domain-cert.test]
tls = verify
[domain dane-ee.test]
tls = verify"

i_capture_start "$T/wire.pcap" 25
rc=0
out=$(echo "beyond the first hop" | timeout 120 "$TERN" -v send --json \
    -s beyond a@sts-ok.test b@sts-out.test c@sts-strip.test d@sts-test.test \
    e@dane-ee.test f@dane-bad.test g@dane-bogus.test h@plain.test \
    i@signed.test j@bank.test k@domain-cert.test l@bogus-mx.test \
    m@dane-next.test n@dane-strip.test \
    2>"$T/events") || rc=$?
i_capture_stop
i_no_crash "$rc" "send"
printf '%s\n' "$out"
t_assert_eq "$rc" 75 "exit code (some wait in the queue)"
get() { # RCPT KEY
	t_json_get "$(printf '%s\n' "$out" | grep "\"recipient\": *\"$1\"")" "$2"
}
# case RCPT OUTCOME KIND METHOD: one row of the table.
case_is() {
	t_assert_eq "$(get "$1" outcome)" "$2" "$1 outcome"
	t_assert_eq "$(get "$1" reason_kind)" "$3" "$1 reason kind"
	t_assert_eq "$(get "$1" verify_method)" "$4" "$1 verify_method"
	printf 'case %-20s %-10s %-20s %s: %s\n' "$1" "$2" "$3" "$4" \
	    "$(get "$1" reason)"
}
case_is a@sts-ok.test verified '' mta-sts
case_is b@sts-out.test held mta-sts ''
t_assert_match "$(get b@sts-out.test reason)" 'no MX host of sts-out.test matches' "sts-out words"
case_is c@sts-strip.test held mta-sts ''
t_assert_match "$(get c@sts-strip.test reason)" 'MTA-STS policy of sts-strip.test \(enforce\)' "sts-strip words"
case_is d@sts-test.test encrypted mta-sts ''
t_assert_match "$(get d@sts-test.test reason)" '\(testing\) was not met' "sts-test words"
case_is e@dane-ee.test verified '' dane
case_is f@dane-bad.test held dane ''
t_assert_match "$(get f@dane-bad.test reason)" 'no TLSA record matches' "dane-bad words"
case_is g@dane-bogus.test held dane ''
# The bogus TLSA answer makes that MX unusable, not the domain: the next
# MX host, with a TLSA record that matches, takes the message.
case_is m@dane-next.test verified '' dane
# DANE makes TLS mandatory: an MX that offers no STARTTLS gets nothing,
# even for a "may" recipient.
case_is n@dane-strip.test held dane ''
t_assert_match "$(get n@dane-strip.test reason)" 'did not offer STARTTLS' "dane-strip words"
t_assert_eq "$(get m@dane-next.test server)" mx2.dane-next.test "dane-next server"
t_assert_match "$(get g@dane-bogus.test reason)" 'DNSSEC' "dane-bogus words"
case_is h@plain.test encrypted cert-untrusted ''
case_is i@signed.test verified '' pkix
case_is j@bank.test held mx-unauthenticated ''
t_assert_match "$(get j@bank.test reason)" 'mx.evil.test.*not DNSSEC-signed' "spoofed MX words"
case_is k@domain-cert.test verified '' pkix
t_assert_eq "$(get l@bogus-mx.test outcome)" deferred "bogus-mx outcome"
t_assert_eq "$(get l@bogus-mx.test reason_kind)" dns "bogus-mx kind"
t_assert_match "$(get l@bogus-mx.test reason)" 'DNSSEC validation failed' "bogus-mx words"

# The live events said what each domain publishes.
grep -q 'sts-ok.test: MX not DNSSEC-signed, MTA-STS enforce (mx: mx.sts-ok.test' "$T/events" ||
    t_fail "no MTA-STS event for sts-ok.test"
grep -q 'mx.dane-ee.test: DANE, TLSA records (DNSSEC-signed): 3 1 1' "$T/events" ||
    t_fail "no DANE event for dane-ee.test"

# What the servers saw: only the deliveries, nothing for a held recipient.
# A: four deliveries and bank.test's held one (EHLO, then QUIT); C: two
# and dane-bad.test's held one; dane-bogus.test's MX is never contacted.
t_wait_sessions A 5
t_wait_sessions C 4
rcpts() { t_log "$1" | tr ',' '\n' | sed -n 's/.*"\([a-z]@[a-z.-]*\)".*/\1/p' | sort | tr '\n' ' '; }
t_assert_eq "$(rcpts A)" "a@sts-ok.test d@sts-test.test i@signed.test k@domain-cert.test " "messages at A"
t_assert_eq "$(rcpts C)" "e@dane-ee.test h@plain.test m@dane-next.test " "messages at C"
t_assert_eq "$(t_count B)" 0 "messages at B (STARTTLS stripped)"
for r in b@sts-out.test c@sts-strip.test f@dane-bad.test g@dane-bogus.test \
    j@bank.test l@bogus-mx.test n@dane-strip.test; do
	if cat "$T"/A/*.jsonl "$T"/B/*.jsonl "$T"/C/*.jsonl 2>/dev/null |
	    grep -q "$r"; then
		t_fail "a server heard of held recipient $r"
	fi
done

# tern probe shows what each domain publishes beside the servers' facts.
probe=$(timeout 60 "$TERN" probe sts-ok.test dane-ee.test bank.test) ||
    t_fail "tern probe exited $?"
printf '%s\n' "$probe"
t_assert_match "$probe" 'sts-ok.test: MX not DNSSEC-signed, MTA-STS enforce \(mx: mx.sts-ok.test; max_age 86400; cached\)' "probe: MTA-STS policy"
t_assert_match "$probe" 'dane-ee.test: MX DNSSEC-signed' "probe: DNSSEC status"
t_assert_match "$probe" "mx.dane-ee.test: DANE, TLSA records \\(DNSSEC-signed\\): 3 1 1 $(printf '%s' "$ee" | cut -d' ' -f4 | cut -c1-16 | tr A-F a-f)" "probe: TLSA records"
t_assert_match "$probe" 'postmaster@bank.test.*held' "probe: the spoofed MX would be held"

# The wire: no MAIL FROM in plaintext anywhere; after STARTTLS, TLS only.
cat "$T/wire.pcap.err"
if grep -Eq '^[1-9][0-9]* packets dropped by kernel' "$T/wire.pcap.err"; then
	t_fail "tcpdump lost packets: the capture proves nothing"
fi
i_wire "$T/wire.pcap" 25 >"$T/wire.jsonl"
[ -s "$T/wire.jsonl" ] || t_fail "the capture holds no connection"
python3 - "$T/wire.jsonl" <<'EOF' || t_fail "the wire shows plaintext it must not"
import json, sys
bad = 0
for line in open(sys.argv[1]):
    c = json.loads(line)
    cmds = [x.upper() for x in c.get("plain_commands") or []]
    if any(x.startswith(("MAIL FROM", "RCPT TO", "DATA")) for x in cmds):
        print("plaintext transaction:", c)
        bad += 1
    if c.get("starttls_reply") and (not c.get("client_tls") or
                                    c.get("plain_after_tls")):
        print("plaintext after STARTTLS:", c)
        bad += 1
print(sum(1 for _ in open(sys.argv[1])), "connections checked")
sys.exit(1 if bad else 0)
EOF
t_pass
