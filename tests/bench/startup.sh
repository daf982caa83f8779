#!/bin/sh
# Startup benchmark for the interface (not part of make check):
# a store with 100,000 sent messages (one recipient and one delivery
# record each) and 10,000 contacts, then the time from tern's start to
# its first screen and the peak memory, against the targets (issue 13:
# 15 ms, 16 MiB).  make bench runs it as part of bench 5.  tern --bench-startup=FILE exits after drawing the first
# screen and writes the figures there.
#
# Usage: sh tests/bench/startup.sh [BUILDDIR]   (needs sqlite3, tmux)
set -eu
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-${top_builddir:-$top_srcdir}}
TERN=${TERN:-$b/tern}
MESSAGES=${MESSAGES:-100000}
CONTACTS=${CONTACTS:-10000}
RUNS=${RUNS:-5}
[ -x "$TERN" ] || { echo "no tern at $TERN (give the build dir)" >&2; exit 2; }
command -v sqlite3 >/dev/null 2>&1 || { echo "needs sqlite3" >&2; exit 77; }
command -v tmux >/dev/null 2>&1 || { echo "needs tmux" >&2; exit 77; }

d=$(mktemp -d "${TMPDIR:-/tmp}/tern-bench.XXXXXX")
trap 'tmux -S "$d/tmux.sock" kill-server 2>/dev/null || :; rm -rf "$d"' EXIT
export HOME="$d/home" XDG_CONFIG_HOME="$d/config" XDG_DATA_HOME="$d/data"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/tern" "$XDG_DATA_HOME"
printf 'from = Bench <bench@example.org>\nrelay = smtp://127.0.0.1:1\n' \
    >"$XDG_CONFIG_HOME/tern/config"
chmod 600 "$XDG_CONFIG_HOME/tern/config"
"$TERN" contacts add seed@example.org >/dev/null   # makes the store
db=$XDG_DATA_HOME/tern/tern.db

echo "filling the store: $MESSAGES messages, $CONTACTS contacts ..."
t0=$(date +%s)
sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
    WHERE i < $MESSAGES)
INSERT INTO messages (id, state, created, updated, env_from, rcpts, subject,
    text, worst)
SELECT i, 2, 1600000000 + i * 60, 1600000000 + i * 60, 'bench@example.org',
    'user' || i || '@example.net', 'Message number ' || i,
    'From: Bench <bench@example.org>' || char(13, 10) || 'To: user' || i ||
    '@example.net' || char(13, 10) || 'Subject: Message number ' || i ||
    char(13, 10, 13, 10) || 'Hello, this is message ' || i || '.' ||
    char(13, 10), i % 3 FROM n;
INSERT INTO recipients (id, message_id, address, status)
SELECT id, id, rcpts, 2 FROM messages;
INSERT INTO deliveries (recipient_id, message_id, time, outcome, policy,
    policy_source, reason, server, address, port, tls_version, cipher,
    cert_subject, cert_issuer, cert_sha256, cert_expires, verified, verify,
    code, reply)
SELECT id, id, updated, CASE worst WHEN 0 THEN 'verified' WHEN 1 THEN
    'encrypted' ELSE 'plaintext' END, 'may', 'default', NULL,
    'mx.example.net', '192.0.2.1', 25, 'TLS1.3', 'TLS_AES_256_GCM_SHA384',
    'CN=mx.example.net', 'CN=Bench CA', 'AA:BB', '2030-01-01T00:00:00Z',
    worst = 0, 'verified', 250, '250 ok' FROM messages;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
    WHERE i < $CONTACTS)
INSERT INTO contacts (address, akey, name, policy, created, updated)
SELECT 'contact' || i || '@example.com', 'contact' || i || '@example.com',
    'Contact ' || i, CASE i % 4 WHEN 0 THEN 'verify' ELSE NULL END,
    1600000000, 1600000000 FROM n;
COMMIT;
SQL
echo "filled in $(($(date +%s) - t0)) s: $(du -h "$db" | cut -f1) on disk"

# Warm the page cache once, then measure.
sock=$d/tmux.sock
tmux -S "$sock" -f /dev/null new-session -d -s bench -x 120 -y 40 \
    "sleep 100000"
tmux -S "$sock" set-option -g remain-on-exit on >/dev/null
results=
i=0
while [ "$i" -le "$RUNS" ]; do
	rm -f "$d/out"
	tmux -S "$sock" respawn-pane -k -t bench env TERM=screen-256color \
	    LANG=C.UTF-8 HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
	    XDG_DATA_HOME="$XDG_DATA_HOME" "$TERN" --bench-startup="$d/out"
	n=0
	while [ ! -s "$d/out" ] || ! grep -q peak_rss "$d/out"; do
		n=$((n + 1))
		[ "$n" -lt 200 ] || { echo "tern did not start" >&2; exit 1; }
		sleep 0.05
	done
	if [ "$i" -gt 0 ]; then
		ms=$(awk '/first_screen_ms/ { print $2 }' "$d/out")
		kib=$(awk '/peak_rss_kib/ { print $2 }' "$d/out")
		results="$results$ms $kib
"
	fi
	i=$((i + 1))
done
printf '%s' "$results" | sort -n | awk -v runs="$RUNS" '
{ ms[NR] = $1; kib[NR] = $2; if ($2 > maxkib) maxkib = $2 }
END {
	med = ms[int((NR + 1) / 2)]
	printf "time to first screen: median %.1f ms, best %.1f ms, worst %.1f ms (%d runs; target < 15 ms): %s\n",
	    med, ms[1], ms[NR], runs, med < 15 ? "OK" : "OVER"
	printf "peak memory (RSS): %.1f MiB (target < 16 MiB): %s\n",
	    maxkib / 1024, maxkib < 16384 ? "OK" : "OVER"
}'
