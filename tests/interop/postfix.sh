#!/bin/sh
# Postfix as the peer: a private instance on loopback (own config, queue,
# log, Maildir) with five listeners:
#	plain	no STARTTLS
#	tls	STARTTLS, certificate from the test CA
#	tls12	STARTTLS, TLS 1.2 only
#	sub	submission: STARTTLS then SMTP AUTH (Cyrus SASL, sasldb)
#	subplain AUTH offered without TLS (tern must not use it)
#	smtps	implicit TLS (wrapper mode) with AUTH
# For each send, tern's record (tern send --json) is compared with what
# Postfix saw: its Received header ("using TLSv1.3 with cipher ..." or
# none), its log ("TLS connection established ... with cipher ...",
# "sasl_username="), and what it delivered.  Needs root (Postfix's master
# runs as root); bounded: every send has timeout = 10 and runs under
# timeout 60.  Postfix is the installed package or a private unpacked
# copy (POSTFIX_ROOT, /opt/postfix: see i_postfix_find).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need_root
i_need saslpasswd2 python3 certtool
i_postfix_find
t_setup interop-postfix
t_certs

pf=$T/pfx
p_plain=$(i_free_port)
p_tls=$(i_free_port)
p_tls12=$(i_free_port)
p_sub=$(i_free_port)
p_subplain=$(i_free_port)
p_smtps=$(i_free_port)
pf_main="virtual_mailbox_domains = example.net, plain.test, tls.test, tls12.test, strict.test
smtpd_sasl_local_domain = mx.postfix.test
tls_high_cipherlist = DEFAULT"
pf_services="127.0.0.1:$p_plain inet n - n - - smtpd
127.0.0.1:$p_tls inet n - n - - smtpd -o smtpd_tls_security_level=may
127.0.0.1:$p_tls12 inet n - n - - smtpd -o smtpd_tls_security_level=may -o smtpd_tls_protocols=>=TLSv1.2,<=TLSv1.2
127.0.0.1:$p_sub inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$p_subplain inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=no -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$p_smtps inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"

# SASL: alice / s3cret in a sasldb that Postfix's smtpd can read.
mkdir -p "$pf/etc/sasl"
printf 's3cret' | saslpasswd2 -f "$pf/etc/sasldb2" -c -p \
    -u mx.postfix.test alice || t_fail "saslpasswd2"
chown postfix "$pf/etc/sasldb2"
printf '%s\n' 'pwcheck_method: auxprop' 'auxprop_plugin: sasldb' \
    'mech_list: PLAIN LOGIN' "sasldb_path: $pf/etc/sasldb2" \
    >"$pf/etc/sasl/smtpd.conf"
i_postfix_start "$pf"
for p in $p_plain $p_tls $p_tls12 $p_sub $p_subplain $p_smtps; do
	i_wait_port 127.0.0.1 "$p"
done
printf '#!/bin/sh\necho s3cret\n' >"$T/pass.sh"
chmod 700 "$T/pass.sh"

base="from = Alice <alice@example.org>
ca_file = $T/certs/ca.pem
timeout = 10"
direct="$base
relay = direct
[route plain.test]
host = localhost:$p_plain
[route tls.test]
host = localhost:$p_tls
[route tls12.test]
host = localhost:$p_tls12
[route strict.test]
host = localhost:$p_plain
tls = encrypt"

# send RCPT...: tern send --json, bounded; sets out and rc.
send() {
	rc=0
	out=$(printf 'Hello from tern to Postfix.\n' |
	    timeout 60 "$TERN" send --json -s "interop" "$@") || rc=$?
}

# received RCPT: the Received header Postfix wrote for RCPT, unfolded.
received() {
	python3 - "$pf/mail/inbox" "$1" <<'EOF'
import email, email.policy, os, sys
root, rcpt = sys.argv[1], sys.argv[2]
for sub in ("new", "cur"):
    d = os.path.join(root, sub)
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
                                           policy=email.policy.compat32)
        if m.get("Delivered-To", "").strip() == rcpt:
            print(" ".join(m.get_all("Received")[0].split()))
            sys.exit(0)
sys.exit(1)
EOF
}

# same_cipher TERN POSTFIX: GnuTLS and OpenSSL spell suites differently
# for TLS 1.2 (TLS_ECDHE_ECDSA_AES_256_GCM_SHA384 and
# ECDHE-ECDSA-AES256-GCM-SHA384); compare the letters and digits.
same_cipher() {
	a=$(printf '%s' "$1" | sed 's/^TLS_//; s/_WITH_//' | tr -d '_-' |
	    tr a-z A-Z)
	b=$(printf '%s' "$2" | sed 's/^TLS_//; s/_WITH_//' | tr -d '_-' |
	    tr a-z A-Z)
	[ "$a" = "$b" ] || t_fail "cipher: tern says $1, Postfix says $2"
}

# check_tls RCPT: the Received header agrees with tern's TLS facts.
check_tls() {
	rec=$(received "$1") || t_fail "$1: not delivered by Postfix"
	v=$(printf '%s\n' "$rec" | sed -n 's/.*(using \(TLSv[0-9.]*\) with cipher \([^ ]*\).*/\1/p')
	c=$(printf '%s\n' "$rec" | sed -n 's/.*(using \(TLSv[0-9.]*\) with cipher \([^ ]*\).*/\2/p')
	[ -n "$v" ] || t_fail "$1: Postfix saw no TLS: $rec"
	t_assert_eq "$(t_json_get "$out" tls_version)" \
	    "$(printf '%s' "$v" | sed 's/^TLSv/TLS/')" "$1: TLS version"
	same_cipher "$(t_json_get "$out" cipher)" "$c"
	echo "ok: $1: tern $(t_json_get "$out" outcome)" \
	    "$(t_json_get "$out" tls_version) $(t_json_get "$out" cipher);" \
	    "Postfix: $v $c"
}

# 1. STARTTLS with a certificate from the test CA: verified, TLS 1.3.
t_config "$direct"
send bob@tls.test
t_assert_eq "$rc" 0 "tls: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" verified "tls: outcome"
t_assert_match "$(t_json_get "$out" reply)" '^250 .*queued as' "tls: reply"
i_postfix_wait "$pf" 1
check_tls bob@tls.test
grep -q 'TLS connection established from localhost\[127.0.0.1\]' \
    "$pf/maillog" || t_fail "tls: no TLS line in Postfix's log"

# 2. TLS 1.2 only: still verified, and both sides name the same suite.
send carol@tls12.test
t_assert_eq "$rc" 0 "tls12: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" verified "tls12: outcome"
t_assert_eq "$(t_json_get "$out" tls_version)" TLS1.2 "tls12: version"
i_postfix_wait "$pf" 2
check_tls carol@tls12.test

# 3. No STARTTLS: plaintext, and Postfix's Received says no TLS either.
send dave@plain.test
t_assert_eq "$rc" 0 "plain: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "plain: outcome"
t_assert_match "$(t_json_get "$out" reason)" 'did not offer STARTTLS|not offered' \
    "plain: reason"
t_assert_eq "$(t_json_get "$out" tls_version)" "" "plain: no TLS facts"
i_postfix_wait "$pf" 3
rec=$(received dave@plain.test) || t_fail "plain: not delivered"
case $rec in
*using\ TLS*) t_fail "plain: Postfix saw TLS: $rec" ;;
*"with ESMTP id"*) echo "ok: plain: Postfix: $rec" ;;
*) t_fail "plain: unexpected Received: $rec" ;;
esac

# 4. Policy encrypt to the server without STARTTLS: held; Postfix
# received nothing for it (no delivery, no RCPT in its log).
send erin@strict.test
t_assert_eq "$rc" 75 "strict: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" held "strict: outcome"
echo "ok: strict: tern held: $(t_json_get "$out" reason)"
sleep 1
t_assert_eq "$(i_postfix_count "$pf")" 3 "strict: nothing delivered"
if grep -q 'erin@strict.test' "$pf/maillog"; then
	t_fail "strict: the held recipient reached Postfix"
fi

# 5. Submission: STARTTLS, then AUTH PLAIN; Postfix authenticated alice
# (its relay rule needs it) and says so in the log and the Received.
t_config "$base
relay = smtp://localhost:$p_sub
user = alice
passcmd = $T/pass.sh"
send frank@example.net
t_assert_eq "$rc" 0 "sub: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" verified "sub: outcome"
i_postfix_wait "$pf" 4
check_tls frank@example.net
grep -q 'sasl_method=PLAIN, sasl_username=alice' "$pf/maillog" ||
    grep -q 'sasl_method=LOGIN, sasl_username=alice' "$pf/maillog" ||
    t_fail "sub: Postfix did not log the AUTH"
t_assert_match "$(received frank@example.net)" 'with ESMTPSA id' \
    "sub: Received says authenticated (ESMTPSA)"

# 6. AUTH offered only without TLS: tern does not authenticate over
# plaintext (no sasl_username for that listener's sessions), so nothing
# is delivered, and the record says why.
lines=$(wc -l <"$pf/maillog")
t_config "$base
relay = smtp://localhost:$p_subplain
user = alice
passcmd = $T/pass.sh"
send gina@example.net
[ "$rc" -ne 0 ] || t_fail "subplain: exit 0 ($out)"
case $(t_json_get "$out" outcome) in
held|failed) ;;
*) t_fail "subplain: outcome $(t_json_get "$out" outcome) ($out)" ;;
esac
t_assert_match "$(t_json_get "$out" reason)" 'AUTH|auth|TLS' "subplain: reason"
echo "ok: subplain: tern $(t_json_get "$out" outcome): $(t_json_get "$out" reason)"
sleep 1
if tail -n +"$((lines + 1))" "$pf/maillog" | grep -q 'sasl_username'; then
	t_fail "subplain: tern authenticated over plaintext"
fi
t_assert_eq "$(i_postfix_count "$pf")" 4 "subplain: nothing delivered"

# 7. Implicit TLS (smtps://, Postfix wrapper mode) with AUTH: verified.
t_config "$base
relay = smtps://localhost:$p_smtps
user = alice
passcmd = $T/pass.sh"
send henry@example.net
t_assert_eq "$rc" 0 "smtps: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" verified "smtps: outcome"
i_postfix_wait "$pf" 5
check_tls henry@example.net

# 8. Postfix's 550 for an unauthenticated relay attempt is a failure,
# never a delivery: the submission port without credentials.
t_config "$base
relay = smtp://localhost:$p_sub"
send ivan@example.net
t_assert_eq "$rc" 69 "no auth: exit code ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" failed "no auth: outcome"
t_assert_match "$(t_json_get "$out" reply)" '^5[0-9][0-9] ' "no auth: reply"
echo "ok: no auth: tern failed: $(t_json_get "$out" reply)"
sleep 1
t_assert_eq "$(i_postfix_count "$pf")" 5 "no auth: nothing delivered"
t_pass
