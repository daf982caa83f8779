# The DNSSEC test lab: signed and unsigned zones served by nsd, a
# validating unbound in front of it with the lab's trust anchors, and an
# HTTPS server for MTA-STS policies.  Sourced after tests/integration/lib.sh
# (t_setup) and tests/interop/lib.sh; everything lives in $T/dns and every
# daemon's pid is added to lib.sh's list, so the EXIT trap stops it.
#
#	dl_zone NAME MODE [FILE]	a zone from the records in FILE (else
#					stdin), MODE signed, insecure, bogus
#					(expired signatures) or forged (bad
#					signatures on the data)
#	dl_start			dl_nsd_start, then dl_unbound_start
#	dl_nsd_start			nsd on 127.0.0.1:$dl_nsd_port
#	dl_unbound_start		unbound on 127.0.0.1:$dl_port: tern's
#					"resolver = 127.0.0.1:$dl_port"
#	dl_reload			after dl_zone again: nsd rereads zones
#	dl_tlsa USAGE SEL MTYPE CERT	"USAGE SEL MTYPE HEX" of a PEM cert,
#					computed with openssl (not GnuTLS,
#					which tern's DANE code uses)
#	dl_cert NAME CN [DNSNAME...]	$T/certs/NAME.pem, -key.pem, -chain.pem:
#					for those names, signed by the test CA
#	dl_https_start ADDR CERT KEY DIR	tests/integration/mtasts-httpd.py on
#					ADDR:443 serving DIR/HOST/policy
#	dl_https_log			what the HTTPS servers saw
#
# A zone's records are zone-file lines relative to NAME ($ORIGIN NAME.,
# $TTL 60); the lab adds the SOA, "@ NS ns" and "ns A 127.0.0.1", so "ns"
# is taken.  Example, a signed zone with DANE for its MX:
#
#	dl_zone dane.test signed <<EOF
#	@ MX 10 mx
#	mx A 127.0.1.1
#	_25._tcp.mx TLSA $(dl_tlsa 3 1 1 "$T/certs/mx.pem")
#	EOF
#	dl_start
#	t_config "relay = direct
#	resolver = 127.0.0.1:$dl_port"
#
# The trust anchors are the DS of each signed, bogus and forged zone (no
# root, no network: a stub for "." points at nsd, which refuses what it
# does not serve, so every other name is a quick SERVFAIL).  Insecure
# zones are domain-insecure.  unbound caches nothing (cache-max-ttl 0), so
# a dl_reload is seen by the next query.  Needs nsd, unbound, ldnsutils
# (ldns-keygen, ldns-signzone), openssl and python3: share/setup.sh
# installs them (test_deps); dl_need skips (77) without them.

DL=
dl_zones=
dl_nsd_port=
dl_port=

# dl_need: skip unless the lab's tools are there.
dl_need() {
	i_need nsd nsd-checkconf unbound unbound-checkconf ldns-keygen \
	    ldns-signzone openssl python3
}

# _dl_init: the lab's directory and ports, once.
_dl_init() {
	[ -n "$T" ] || t_fail "dnssec-lib: t_setup first"
	[ -z "$DL" ] || return 0
	dl_need
	DL=$T/dns
	mkdir -p "$DL/zones" "$DL/https"
	: >"$DL/anchors"
	: >"$DL/insecure"
}

# dl_zone NAME MODE [FILE]: write (again) the zone NAME from FILE or stdin.
dl_zone() {
	_dl_init
	_dl_n=$1
	_dl_m=$2
	case $_dl_n in
	''|*[!a-z0-9.-]*|.*|*.) t_fail "dl_zone: bad zone name '$_dl_n'" ;;
	esac
	case $_dl_m in
	signed|insecure|bogus|forged) ;;
	*) t_fail "dl_zone $_dl_n: mode '$_dl_m' (signed, insecure, bogus, forged)" ;;
	esac
	_dl_z=$DL/zones/$_dl_n
	{
		echo "\$ORIGIN $_dl_n."
		echo "\$TTL 60"
		# The serial grows with each dl_zone, for dl_reload.
		echo "@ SOA ns.$_dl_n. hostmaster.$_dl_n. $(date +%s) 3600 600 86400 60"
		echo "@ NS ns"
		echo "ns A 127.0.0.1"
		if [ $# -ge 3 ]; then cat "$3"; else cat; fi
	} >"$_dl_z.zone" || t_fail "dl_zone $_dl_n: cannot write"
	case " $dl_zones " in
	*" $_dl_n "*) ;;
	*) dl_zones="$dl_zones $_dl_n" ;;
	esac
	if [ "$_dl_m" = insecure ]; then
		cp "$_dl_z.zone" "$_dl_z.served"
		grep -qx "$_dl_n" "$DL/insecure" || echo "$_dl_n" >>"$DL/insecure"
		return 0
	fi
	# One key (KSK and ZSK at once), made once per zone.
	if [ ! -f "$_dl_z.keyname" ]; then
		(cd "$DL/zones" && timeout 20 ldns-keygen -a ECDSAP256SHA256 -k \
		    "$_dl_n") >"$_dl_z.keyname" 2>"$_dl_z.err" ||
		    { cat "$_dl_z.err" >&2; t_fail "ldns-keygen $_dl_n"; }
		cat "$DL/zones/$(cat "$_dl_z.keyname").ds" >>"$DL/anchors"
	fi
	_dl_now=$(date +%s)
	if [ "$_dl_m" = bogus ]; then
		# Expired a year ago: the validator must call it bogus.
		_dl_i=$((_dl_now - 400 * 86400))
		_dl_e=$((_dl_now - 365 * 86400))
	else
		_dl_i=$((_dl_now - 86400))
		_dl_e=$((_dl_now + 30 * 86400))
	fi
	(cd "$DL/zones" && timeout 20 ldns-signzone -i "$_dl_i" -e "$_dl_e" \
	    -o "$_dl_n" -f "$_dl_n.signed" "$_dl_n.zone" \
	    "$(cat "$_dl_n.keyname")") 2>"$_dl_z.err" ||
	    { cat "$_dl_z.err" >&2; t_fail "ldns-signzone $_dl_n"; }
	if [ "$_dl_m" = forged ]; then
		# The keys are good, the data's signatures are not: flip the
		# first character of every RRSIG's signature but the DNSKEY's.
		awk 'BEGIN { OFS = "\t" }
		$4 == "RRSIG" && $5 != "DNSKEY" {
			c = substr($NF, 1, 1)
			$NF = (c == "A" ? "B" : "A") substr($NF, 2)
		}
		{ print }' "$_dl_z.signed" >"$_dl_z.served" ||
		    t_fail "dl_zone $_dl_n: awk"
	else
		cp "$_dl_z.signed" "$_dl_z.served"
	fi
}

# _dl_wait PORT NAME: wait (at most 10 s) until a DNS server on
# 127.0.0.1:PORT answers a SOA query for NAME with anything but SERVFAIL.
_dl_wait() {
	python3 - "$1" "$2" <<'EOF'
import socket, struct, sys, time
port, name = int(sys.argv[1]), sys.argv[2]
q = struct.pack(">HHHHHH", 0x7e57, 0x0100, 1, 0, 0, 0)
for l in name.split("."):
    q += bytes([len(l)]) + l.encode()
q += b"\0" + struct.pack(">HH", 6, 1)
end = time.time() + 10
while time.time() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    try:
        s.sendto(q, ("127.0.0.1", port))
        r = s.recv(4096)
        if len(r) >= 4 and r[:2] == q[:2] and (r[3] & 15) != 2:
            sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
    time.sleep(0.05)
sys.exit(1)
EOF
}

# dl_nsd_start: nsd serving every zone, in the foreground of a job.
dl_nsd_start() {
	_dl_init
	[ -n "$dl_zones" ] || t_fail "dl_nsd_start: no zone (dl_zone first)"
	dl_nsd_port=$(i_free_port)
	{
		cat <<EOF
server:
	ip-address: 127.0.0.1@$dl_nsd_port
	port: $dl_nsd_port
	do-ip4: yes
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$DL/zones"
	pidfile: "$DL/nsd.pid"
	database: ""
	zonelistfile: "$DL/nsd.zonelist"
	xfrdfile: "$DL/nsd.xfrd"
	xfrdir: "$DL"
	logfile: "$DL/nsd.log"
	server-count: 1
	verbosity: 2
	hide-version: yes
	reuseport: no
	refuse-any: yes
remote-control:
	control-enable: no
EOF
		for _dl_n in $dl_zones; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.served"\n' \
			    "$_dl_n" "$_dl_n"
		done
	} >"$DL/nsd.conf"
	nsd-checkconf "$DL/nsd.conf" >"$DL/nsd.check" 2>&1 ||
	    { cat "$DL/nsd.check" >&2; t_fail "nsd-checkconf"; }
	timeout -s TERM 600 nsd -d -c "$DL/nsd.conf" >"$DL/nsd.out" 2>&1 &
	dl_nsd_pid=$!
	_i_track "$dl_nsd_pid"
	set -- $dl_zones
	_dl_wait "$dl_nsd_port" "$1" || {
		cat "$DL/nsd.out" "$DL/nsd.log" >&2 2>/dev/null
		t_fail "nsd does not answer on port $dl_nsd_port"
	}
}

# dl_unbound_start: a validating unbound in front of nsd.
dl_unbound_start() {
	_dl_init
	[ -n "$dl_nsd_port" ] || t_fail "dl_unbound_start: dl_nsd_start first"
	dl_port=$(i_free_port)
	{
		cat <<EOF
server:
	interface: 127.0.0.1@$dl_port
	port: $dl_port
	do-ip4: yes
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$DL"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	log-servfail: yes
	ede: yes
	num-threads: 1
	so-reuseport: no
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: "validator iterator"
	qname-minimisation: no
	harden-dnssec-stripped: yes
	trust-anchor-signaling: no
	root-key-sentinel: no
	auto-trust-anchor-file: ""
	cache-max-ttl: 0
	cache-max-negative-ttl: 0
	val-bogus-ttl: 0
	infra-host-ttl: 1
	local-zone: "test." nodefault
	trust-anchor-file: "$DL/anchors"
EOF
		while read -r _dl_n; do
			printf '\tdomain-insecure: "%s"\n' "$_dl_n"
		done <"$DL/insecure"
		cat <<EOF
remote-control:
	control-enable: no
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$dl_nsd_port
EOF
		for _dl_n in $dl_zones; do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s\n' \
			    "$_dl_n" "127.0.0.1@$dl_nsd_port"
		done
	} >"$DL/unbound.conf"
	# Without a signed zone the anchor file is empty: unbound wants none.
	[ -s "$DL/anchors" ] ||
	    sed -i '/trust-anchor-file:/d' "$DL/unbound.conf"
	unbound-checkconf "$DL/unbound.conf" >"$DL/unbound.check" 2>&1 ||
	    { cat "$DL/unbound.check" "$DL/unbound.conf" >&2; t_fail "unbound-checkconf"; }
	timeout -s TERM 600 unbound -d -c "$DL/unbound.conf" \
	    >"$DL/unbound.log" 2>&1 &
	dl_unbound_pid=$!
	_i_track "$dl_unbound_pid"
	set -- $dl_zones
	_dl_wait "$dl_port" "$1" || {
		cat "$DL/unbound.log" >&2
		t_fail "unbound does not answer on port $dl_port"
	}
}

# dl_start: the whole DNS side of the lab; prints how long it took.
dl_start() {
	_dl_t0=$(date +%s%N)
	dl_nsd_start
	dl_unbound_start
	echo "dnssec lab: nsd and unbound up in" \
	    "$((($(date +%s%N) - _dl_t0) / 1000000)) ms"
}

# dl_reload: nsd rereads the zone files (after dl_zone on a zone it
# serves; a new zone needs a new lab).
dl_reload() {
	[ -n "${dl_nsd_pid:-}" ] || t_fail "dl_reload: nsd not started"
	_dl_p=$(cat "$DL/nsd.pid") || t_fail "dl_reload: no nsd.pid"
	_dl_c=$(grep -c 'zone .* read with success' "$DL/nsd.log")
	kill -HUP "$_dl_p" || t_fail "dl_reload: nsd is gone"
	_dl_i=0
	while [ "$(grep -c 'zone .* read with success' "$DL/nsd.log")" -le \
	    "$_dl_c" ]; do
		[ "$_dl_i" -lt 100 ] || t_fail "dl_reload: nsd did not reload"
		sleep 0.1
		_dl_i=$((_dl_i + 1))
	done
}

# dl_tlsa USAGE SELECTOR MTYPE CERT: the RDATA of a TLSA record for CERT
# (PEM; its first certificate), "3 1 1 HEX".
dl_tlsa() {
	_dl_init
	_dl_f=$DL/tlsa.der
	rm -f "$_dl_f"
	case $2 in
	0) openssl x509 -in "$4" -outform DER -out "$_dl_f" ;;
	1) openssl x509 -in "$4" -noout -pubkey |
	    openssl pkey -pubin -outform DER -out "$_dl_f" ;;
	*) t_fail "dl_tlsa: selector $2" ;;
	esac
	[ -s "$_dl_f" ] || t_fail "dl_tlsa: cannot read $4"
	case $3 in
	0) _dl_hex=$(od -An -v -tx1 "$_dl_f" | tr -d ' \n') ;;
	1) _dl_hex=$(openssl dgst -sha256 -r "$_dl_f" | cut -d' ' -f1) ;;
	2) _dl_hex=$(openssl dgst -sha512 -r "$_dl_f" | cut -d' ' -f1) ;;
	*) t_fail "dl_tlsa: matching type $3" ;;
	esac
	echo "$1 $2 $3 $_dl_hex"
}

# dl_cert NAME CN [DNSNAME...]: $T/certs/NAME.pem (and -key.pem,
# -chain.pem), a server certificate for CN and the DNSNAMEs, signed by
# the test CA of t_certs.
dl_cert() {
	t_certs
	(
		cd "$T/certs" || exit 1
		_dl_c=$1
		_dl_cn=$2
		shift
		_dl_k=$#
		for _dl_d in "$@"; do
			set -- "$@" "dns_name = \"$_dl_d\""
		done
		shift "$_dl_k"
		_t_cert "$_dl_c" ca "cn = \"$_dl_cn\"" "$@" tls_www_server \
		    signing_key encryption_key 'expiration_days = 30'
	) || exit 1
}

# dl_https_start ADDR CERT KEY DIR [ARGS...]: the MTA-STS policy server
# tests/integration/mtasts-httpd.py on ADDR:443 (needs root), serving
# DIR/HOST/policy (and DIR/HOST/type, DIR/HOST/redirect: see there) by
# the Host header; ARGS go to it (--sni NAME=CERT,KEY, --tls11).  Sets
# dl_https_pid.
dl_https_start() {
	_dl_init
	_dl_a=$1
	_dl_r=$DL/https/$1.ready
	rm -f "$_dl_r"
	shift
	_dl_cert=$1
	_dl_key=$2
	_dl_dir=$3
	shift 3
	timeout 600 python3 "$top_srcdir/tests/integration/mtasts-httpd.py" \
	    --addr "$_dl_a" --port 443 --dir "$_dl_dir" --cert "$_dl_cert" \
	    --key "$_dl_key" --log "$DL/https/log" --ready "$_dl_r" \
	    --max-secs 600 "$@" </dev/null >"$DL/https/$_dl_a.out" 2>&1 &
	dl_https_pid=$!
	_i_track "$dl_https_pid"
	_dl_i=0
	while [ ! -s "$_dl_r" ]; do
		kill -0 "$dl_https_pid" 2>/dev/null || {
			cat "$DL/https/$_dl_a.out" >&2
			t_fail "mtasts-httpd on $_dl_a:443 exited at start"
		}
		[ "$_dl_i" -lt 100 ] || t_fail "mtasts-httpd on $_dl_a:443: not up"
		sleep 0.1
		_dl_i=$((_dl_i + 1))
	done
}

# dl_https_log: one line "HOST PATH STATUS" per request the HTTPS servers
# answered.
dl_https_log() {
	[ ! -f "$DL/https/log" ] || cat "$DL/https/log"
}
