#!/bin/sh
# Exim (Debian's exim4-daemon-light, GnuTLS) as a second real MTA: a
# private daemon on loopback with its own config, spool, logs and Maildir,
# one port offering STARTTLS with a certificate from the test CA and one
# without TLS.  tern's record is compared with Exim's: the Received header
# ("with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384" or "with esmtp") and
# the main log ("P=esmtps X=TLS1.3:...").  A recipient whose policy needs
# TLS is held at the plaintext port and Exim never hears of it.
#
# Exim conflicts with Postfix as a Debian package, so CI unpacks the .deb
# instead of installing it (apt-get download exim4-daemon-light; dpkg-deb
# -x into /opt/exim4; useradd Debian-exim): the binary is found on PATH,
# as $EXIM, or at /opt/exim4/usr/sbin/exim4.  Skips (77) when absent.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
i_need_root
i_need python3 certtool
exim=${EXIM:-}
for c in exim4 exim /opt/exim4/usr/sbin/exim4; do
	[ -n "$exim" ] && break
	if command -v "$c" >/dev/null 2>&1; then
		exim=$(command -v "$c")
	fi
done
[ -n "$exim" ] && [ -x "$exim" ] || t_skip "exim not installed"
id Debian-exim >/dev/null 2>&1 || t_skip "no Debian-exim user (exim4-base)"
t_setup interop-exim
t_certs

ex=$T/exim
mkdir -p "$ex/spool" "$ex/log" "$ex/mail"
chmod 755 "$T" "$ex"
chown Debian-exim:Debian-exim "$ex/spool" "$ex/log" "$ex/mail"
cp "$T/certs/good-chain.pem" "$T/certs/good-key.pem" "$ex/"
chown Debian-exim "$ex/good-chain.pem" "$ex/good-key.pem"
p_tls=$(i_free_port)
p_plain=$(i_free_port)
cat >"$ex/exim.conf" <<EOF
exim_path = $exim
primary_hostname = mx.exim.test
local_interfaces = <; 127.0.0.1.$p_tls ; 127.0.0.1.$p_plain
spool_directory = $ex/spool
log_file_path = $ex/log/%slog
log_selector = +tls_cipher +tls_peerdn +received_recipients +smtp_connection
tls_certificate = $ex/good-chain.pem
tls_privatekey = $ex/good-key.pem
tls_advertise_hosts = \${if eq{\$received_port}{$p_tls}{*}{}}
acl_smtp_rcpt = acl_rcpt
keep_environment =
host_lookup =
rfc1413_hosts =
queue_run_in_order = false
deliver_drop_privilege = false

begin acl
acl_rcpt:
  accept domains = example.net : tls.test : plain.test : strict.test
  deny message = relay not permitted

begin routers
inbox:
  driver = accept
  transport = maildir

begin transports
maildir:
  driver = appendfile
  directory = $ex/mail/inbox
  maildir_format
  envelope_to_add
  delivery_date_add
  create_directory
  user = Debian-exim
  group = Debian-exim
EOF
chmod 644 "$ex/exim.conf"
"$exim" -C "$ex/exim.conf" -bV >"$ex/bV.log" 2>&1 || {
	cat "$ex/bV.log" >&2
	t_fail "exim does not accept its config"
}
"$exim" -C "$ex/exim.conf" -bdf -q1m >"$ex/daemon.out" 2>&1 &
_i_track $!
i_wait_port 127.0.0.1 "$p_tls"
i_wait_port 127.0.0.1 "$p_plain"

t_config "from = Alice <alice@example.org>
relay = direct
ca_file = $T/certs/ca.pem
timeout = 10
[route tls.test]
host = localhost:$p_tls
[route plain.test]
host = localhost:$p_plain
[route strict.test]
host = localhost:$p_plain
tls = encrypt"

# received RCPT: Exim's Received header for RCPT, unfolded (waits up to
# 20 s for the delivery).
received() {
	python3 - "$ex/mail/inbox" "$1" <<'EOF'
import email, email.policy, os, sys, time
root, rcpt = sys.argv[1], sys.argv[2]
end = time.time() + 20
while time.time() < end:
    for sub in ("new", "cur"):
        d = os.path.join(root, sub)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            m = email.message_from_binary_file(
                open(os.path.join(d, f), "rb"), policy=email.policy.compat32)
            if rcpt in m.get("Envelope-to", ""):
                print(" ".join(m.get_all("Received")[0].split()))
                sys.exit(0)
    time.sleep(0.2)
sys.exit(1)
EOF
}

# STARTTLS: verified; Exim's header and log name the same TLS.
i_send 60 bob@tls.test <<EOF
Hello Exim, over TLS.
EOF
t_assert_eq "$rc" 0 "tls: exit ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" verified "tls: outcome"
rec=$(received bob@tls.test) || { cat "$ex/log/"* >&2; t_fail "tls: not delivered"; }
t_assert_match "$rec" "with esmtps \\($(t_json_get "$out" tls_version)\\) tls " \
    "tls: Exim's Received names the same TLS version"
# Exim 4.96's "standard" suite name is wrong for TLS 1.3 under GnuTLS
# (it builds a TLS 1.2 name); its log line has GnuTLS's description,
# whose bulk cipher must be the one in tern's suite.
bulk=$(t_json_get "$out" cipher | grep -oE 'AES_(128|256)_(GCM|CCM|CBC)|CHACHA20_POLY1305')
[ -n "$bulk" ] || t_fail "tls: no bulk cipher in $(t_json_get "$out" cipher)"
line=$(grep "<= alice@example.org .*P=esmtps" "$ex/log/mainlog" | tail -n 1)
t_assert_match "$line" "X=$(t_json_get "$out" tls_version):[^ ]*$bulk" \
    "tls: Exim's log agrees with tern (version, cipher)"
echo "ok: tls: tern $(t_json_get "$out" outcome) $(t_json_get "$out" tls_version) $(t_json_get "$out" cipher); Exim: $(printf '%s' "$line" | grep -o 'P=esmtps X=[^ ]*')"

# No STARTTLS offered: plaintext on both sides.
i_send 60 carol@plain.test <<EOF
Hello Exim, in clear.
EOF
t_assert_eq "$rc" 0 "plain: exit ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "plain: outcome"
t_assert_match "$(t_json_get "$out" reason)" 'did not offer STARTTLS' \
    "plain: reason"
rec=$(received carol@plain.test) || t_fail "plain: not delivered"
t_assert_match "$rec" 'with esmtp \(Exim' "plain: Exim saw no TLS"
echo "ok: plain: tern plaintext; Exim: $rec"

# encrypt at the plaintext port: held, Exim never sees the recipient.
i_send 60 dave@strict.test <<EOF
must not go in clear
EOF
t_assert_eq "$rc" 75 "strict: exit ($out)"
t_assert_eq "$(t_json_get "$out" outcome)" held "strict: outcome"
sleep 1
if grep -q 'dave@strict.test' "$ex/log/mainlog"; then
	t_fail "strict: Exim heard of the held recipient"
fi
t_assert_eq "$(find "$ex/mail" -path '*/new/*' -type f | wc -l | tr -d ' ')" \
    2 "messages delivered by Exim"
t_pass
