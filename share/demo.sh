#!/bin/sh
# The demo: two loopback SMTP servers (the project's test server), one with
# STARTTLS and a certificate from a throw-away CA, one without; a
# throw-away config; three sends that show verified, plaintext and held.
# Usage: sh share/demo.sh BUILDDIR
set -eu
b=${1:-build}
b=$(cd "$b" && pwd)
d=$(mktemp -d "${TMPDIR:-/tmp}/tern-demo.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$d"
}
trap cleanup EXIT INT TERM
cd "$d"

cert() { # name signer template-lines...
	n=$1 s=$2
	shift 2
	certtool --generate-privkey --key-type=ecdsa --outfile "$n-key.pem" \
	    >/dev/null 2>&1
	printf '%s\n' "$@" >"$n.tmpl"
	if [ "$s" = self ]; then
		certtool --generate-self-signed --load-privkey "$n-key.pem" \
		    --template "$n.tmpl" --outfile "$n.pem" >/dev/null 2>&1
	else
		certtool --generate-certificate --load-privkey "$n-key.pem" \
		    --load-ca-certificate "$s.pem" --load-ca-privkey "$s-key.pem" \
		    --template "$n.tmpl" --outfile "$n.pem" >/dev/null 2>&1
	fi
}
cert ca self 'cn = "tern demo CA"' ca cert_signing_key 'expiration_days = 1'
cert srv ca 'cn = "localhost"' 'dns_name = "localhost"' tls_www_server \
    signing_key encryption_key 'expiration_days = 1'
cat srv.pem ca.pem >chain.pem

start() { # name args...
	n=$1
	shift
	"$b/tern-smtpd" -P "$n.port" -d "$n" "$@" </dev/null &
	pids="$pids $!"
	i=0
	while [ ! -s "$n.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
start tls --cert chain.pem --key srv-key.pem
start plain --starttls none
mkdir -p cfg
cat >cfg/config <<CONF
from = Demo User <demo@example.org>
relay = direct
ca_file = $d/ca.pem
timeout = 10

[route secure.example]
host = localhost:$(cat tls.port)

[route legacy.example]
host = 127.0.0.1:$(cat plain.port)

[domain bank.example]
tls = verify
[route bank.example]
host = 127.0.0.1:$(cat plain.port)
CONF
chmod 600 cfg/config
export XDG_CONFIG_HOME="$d" XDG_DATA_HOME="$d/data"
mv cfg tern

echo "== 1. to a server with STARTTLS and a valid certificate"
echo "Hello over TLS." | "$b/tern" -v send -s "demo 1" alice@secure.example || :
echo
echo "== 2. to a server without STARTTLS (policy may: plaintext, with the reason)"
echo "Hello in the clear." | "$b/tern" -v send -s "demo 2" bob@legacy.example || :
echo
echo "== 3. to a domain that requires TLS, behind the same server (held)"
echo "Hello, bank." | "$b/tern" -v send -s "demo 3" carol@bank.example || :
echo
echo "The servers received $(cat tls/log.jsonl 2>/dev/null | wc -l) message(s) over TLS"
echo "and $(cat plain/log.jsonl 2>/dev/null | wc -l) in plaintext; nothing for carol."
