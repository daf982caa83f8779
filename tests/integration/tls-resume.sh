#!/bin/sh
# TLS session resumption (issue 13): a server that offers tickets has the
# second send resumed; its record says so and carries the first (full)
# handshake's certificate facts and verification, in JSON, tern log, the
# log file and the live events.  A restarted server (a new ticket key)
# and a server with another certificate get a full handshake with their
# own facts; the downgrade rule still sees an issuer change; a ticket
# from a handshake that did not verify never makes a verify recipient
# "verified" (it gets a full handshake and is held); other trust anchors
# (ca_file) never resume a session verified with the old ones.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup tls-resume
t_certs
c=$T/certs
(cd "$c" && _t_cert good2 ca 'cn = "localhost"' 'dns_name = "localhost"' \
    'ip_address = "127.0.0.1"' 'ip_address = "::1"' tls_www_server \
    signing_key encryption_key 'expiration_days = 200') || exit 1
db=$XDG_DATA_HOME/tern/tern.db

t_smtpd s1 --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --session-tickets
port=$s1_port
conf="from = Alice <alice@example.org>
relay = smtp://localhost:$port
logfile = $T/tern.log
timeout = 10"
bank="[domain bank.example]
tls = verify"
t_config "$conf
ca_file = $c/ca.pem
$bank"

# send SUBJECT [ADDR]: the JSON line of the one recipient.
send() {
	echo "body of $1" | "$TERN" send --json -s "$1" "${2:-bob@example.net}"
}
# facts JSON: the certificate facts and the verification, one per line.
facts() {
	for k in cert_subject cert_issuer cert_sha256 cert_expires verify; do
		t_json_get "$1" "$k"
	done
}
# resumed_at NAME N: the server's word on its Nth session (1 the first).
resumed_at() {
	t_wait_sessions "$1" "$2"
	t_json_get "$(t_sessions "$1" | sed -n "${2}p")" tls_resumed
}
tickets() {
	sqlite3 "$db" "SELECT count(*) FROM tickets WHERE host = 'localhost' \
	    AND port = $port${1:+ AND $1}"
}

# 1. A full handshake, verified; the server's ticket is kept.
one=$(send one) || t_fail "send one exited $?"
t_assert_eq "$(t_json_get "$one" outcome)" verified "one: outcome"
t_assert_eq "$(t_json_get "$one" resumed)" false "one: resumed"
t_assert_eq "$(resumed_at s1 1)" false "one: the server's handshake"
t_assert_eq "$(tickets 'verified = 1')" 1 "one: a verified ticket kept"

# 2. The second send resumes: the same certificate facts, still verified.
two=$(send two) || t_fail "send two exited $?"
t_assert_eq "$(t_json_get "$two" outcome)" verified "two: outcome"
t_assert_eq "$(t_json_get "$two" resumed)" true "two: resumed"
t_assert_eq "$(resumed_at s1 2)" true "two: the server resumed"
t_assert_eq "$(facts "$two")" "$(facts "$one")" "two: the full handshake's facts"
t_assert_eq "$(t_json_get "$two" tls_version)" \
    "$(t_json_get "$one" tls_version)" "two: version"
t_assert_eq "$(t_json_get "$two" downgrade)" false "two: no downgrade"
t_assert_eq "$(tickets)" 1 "two: the used ticket replaced, not added"
# The stored record, the log file, the words and the live events.
t_assert_eq "$(t_json_get "$("$TERN" log --json | head -1)" resumed)" true \
    "two: tern log --json"
t_assert_match "$(tail -1 "$T/tern.log")" \
    'outcome=verified .*verified=yes verify_method=pkix resumed=yes' "two: log line"
t_assert_match "$(head -1 "$T/tern.log")" 'verify_method=pkix reply=' \
    "one: log line without resumed"
err=$T/three.err
out=$(echo three | "$TERN" -v send -s three bob@example.net 2>"$err") ||
    t_fail "send three exited $?"
t_assert_match "$out" '^\[TLS\+\] +bob@example.net: verified via .*TLS1\.[23] \(resumed\), .*certificate verified' \
    "three: text output"
t_assert_match "$(cat "$err")" 'TLS established: TLS1\.[23] \(resumed\), .*certificate verified' \
    "three: the live event"
# The ticket is a session secret: it reaches no output.
hex=$(sqlite3 "$db" "SELECT substr(hex(ticket), 33, 32) FROM tickets")
for f in "$err" "$T/tern.log"; do
	if od -An -tx1 "$f" | tr -d ' \n' | tr a-f A-F | grep -q "$hex"; then
		t_fail "the ticket is in $f"
	fi
done

# 3. Restarted (a new ticket key): a full handshake, still verified.
t_stop s1
t_smtpd s2 -p "$port" --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --session-tickets
four=$(send four) || t_fail "send four exited $?"
t_assert_eq "$(t_json_get "$four" outcome)" verified "four: outcome"
t_assert_eq "$(t_json_get "$four" resumed)" false "four: resumed"
t_assert_eq "$(resumed_at s2 1)" false "four: the server's full handshake"
t_assert_eq "$(facts "$four")" "$(facts "$one")" "four: facts"
five=$(send five) || t_fail "send five exited $?"
t_assert_eq "$(t_json_get "$five" resumed)" true "five: resumed again"
t_assert_eq "$(t_count s2)" 2 "s2: messages"

# 4. Another certificate from the same CA: a full handshake with its
# facts, verified, no downgrade; the old certificate's tickets are gone.
t_stop s2
t_smtpd s3 -p "$port" --cert "$c/good2-chain.pem" --key "$c/good2-key.pem" \
    --session-tickets
six=$(send six) || t_fail "send six exited $?"
t_assert_eq "$(t_json_get "$six" outcome)" verified "six: outcome"
t_assert_eq "$(t_json_get "$six" resumed)" false "six: resumed"
t_assert_eq "$(t_json_get "$six" downgrade)" false "six: downgrade"
sha6=$(t_json_get "$six" cert_sha256)
[ "$sha6" != "$(t_json_get "$one" cert_sha256)" ] ||
    t_fail "six: the old certificate's fingerprint"
[ "$(t_json_get "$six" cert_expires)" != "$(t_json_get "$one" cert_expires)" ] ||
    t_fail "six: the old certificate's expiry"
t_assert_eq "$(tickets "cert_sha256 IS NOT '$sha6'")" 0 "six: old tickets gone"
seven=$(send seven) || t_fail "send seven exited $?"
t_assert_eq "$(t_json_get "$seven" resumed)" true "seven: resumed"
t_assert_eq "$(facts "$seven")" "$(facts "$six")" "seven: the new facts"

# 5. A certificate from a CA tern does not trust: the full handshake
# shows the issuer change (downgrade) and does not verify.
t_stop s3
t_smtpd s4 -p "$port" --cert "$c/other-chain.pem" --key "$c/other-key.pem" \
    --session-tickets
eight=$(send eight) || t_fail "send eight exited $?"
t_assert_eq "$(t_json_get "$eight" outcome)" encrypted "eight: outcome"
t_assert_eq "$(t_json_get "$eight" resumed)" false "eight: resumed"
t_assert_eq "$(t_json_get "$eight" downgrade)" true "eight: downgrade"
t_assert_match "$(t_json_get "$eight" reason)" 'issuer' "eight: the reason"
t_assert_match "$(t_json_get "$eight" cert_issuer)" 'tern other test CA' \
    "eight: issuer"
t_assert_eq "$(tickets 'verified = 1')" 0 "eight: no verified ticket left"
# Resumed from the unverified handshake: still not verified, same words.
nine=$(send nine) || t_fail "send nine exited $?"
t_assert_eq "$(t_json_get "$nine" resumed)" true "nine: resumed"
t_assert_eq "$(t_json_get "$nine" outcome)" encrypted "nine: outcome"
t_assert_eq "$(facts "$nine")" "$(facts "$eight")" "nine: facts"
t_assert_eq "$(t_json_get "$nine" downgrade)" true "nine: downgrade still seen"

# 6. A verify recipient is not given that ticket: a full handshake, which
# does not verify, so it is held and the server gets nothing.
t_assert_eq "$(tickets)" 1 "ten: an unverified ticket is there"
rc=0
ten=$(send ten carol@bank.example) || rc=$?
t_assert_eq "$rc" 75 "ten: exit code"
t_assert_eq "$(t_json_get "$ten" outcome)" held "ten: held"
t_assert_match "$(t_json_get "$ten" reason)" 'verified certificate' \
    "ten: the reason"
t_assert_eq "$(t_json_get "$ten" resumed)" false "ten: resumed"
t_assert_eq "$(resumed_at s4 3)" false "ten: the server's full handshake"
t_assert_eq "$(t_count s4)" 2 "ten: nothing more at the server"

# 7. Other trust anchors (ca_file now trusts the other CA too): no
# resumption across them; the full handshake verifies.
cat "$c/ca.pem" "$c/other-ca.pem" >"$T/both.pem"
t_config "$conf
ca_file = $T/both.pem
$bank"
eleven=$(send eleven carol@bank.example) || t_fail "send eleven exited $?"
t_assert_eq "$(t_json_get "$eleven" resumed)" false "eleven: resumed"
t_assert_eq "$(t_json_get "$eleven" outcome)" verified "eleven: outcome"
twelve=$(send twelve carol@bank.example) || t_fail "send twelve exited $?"
t_assert_eq "$(t_json_get "$twelve" resumed)" true "twelve: resumed"
t_assert_eq "$(t_json_get "$twelve" outcome)" verified "twelve: outcome"
t_assert_eq "$(facts "$twelve")" "$(facts "$eleven")" "twelve: facts"
t_pass
