#!/bin/sh
# The store file: a database from an earlier schema opens and migrates
# with its data; a corrupt or foreign file gets a clear error naming it and
# is never overwritten; a store that cannot be written stops the send
# before anything goes out.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip "sqlite3 not installed"
t_setup store
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"
db=$XDG_DATA_HOME/tern/tern.db
mkdir -p "$XDG_DATA_HOME/tern"

# Schema 1 -> current.
sqlite3 "$db" <"$top_srcdir/tests/data/store-v1.sql"
t_assert_eq "$(sqlite3 "$db" 'PRAGMA user_version')" 1 "fixture version"
log=$("$TERN" log --json) || t_fail "log on an old store exited $?"
want=$(sed -n 's/^#define STORE_VERSION[[:space:]]*//p' "$top_srcdir/src/store.h")
t_assert_eq "$(sqlite3 "$db" 'PRAGMA user_version')" "$want" "migrated"
# The counts the interface shows are kept by triggers from the migration on.
t_assert_eq "$(sqlite3 "$db" 'SELECT group_concat(n) FROM msg_counts ORDER BY state')" \
    "$(sqlite3 "$db" 'SELECT (SELECT count(*) FROM messages WHERE state = 0) || "," || (SELECT count(*) FROM messages WHERE state = 1) || "," || (SELECT count(*) FROM messages WHERE state = 2)')" \
    "counts backfilled"
t_assert_eq "$(printf '%s\n' "$log" | grep -c .)" 2 "old attempts kept"
t_assert_match "$log" '"cert_sha256":"AA:BB"' "old TLS facts kept"
t_assert_match "$log" '"verify_method":"pkix"' "an old verified record was PKIX"
t_assert_match "$("$TERN" outbox)" 'carol@example.net' "old outbox kept"
t_assert_match "$("$TERN" contacts list --json)" '"tls":"encrypt"' "old contact kept"
t_assert_eq "$(sqlite3 "$db" 'SELECT worst FROM messages WHERE id = 1')" 0 "glyph backfilled"
t_assert_eq "$(stat -c %a "$db")" 600 "store mode"
t_assert_eq "$(stat -c %a "$XDG_DATA_HOME/tern")" 700 "directory mode"
# The old held message goes out with today's policy.
"$TERN" flush >/dev/null || t_fail "flush exited $?"
t_assert_eq "$(t_count s)" 1 "old message sent"

# A file that is not a database.
rm -f "$db" "$db-wal" "$db-shm"
printf 'this is not a database, keep me\n' >"$db"
sum=$(cksum <"$db")
rc=0
echo hi | "$TERN" send bob@example.net 2>"$T/err" >/dev/null || rc=$?
t_assert_eq "$rc" 74 "exit code for a foreign file"
t_assert_match "$(cat "$T/err")" "$db" "error names the file"
t_assert_eq "$(cksum <"$db")" "$sum" "file untouched"

# An SQLite file of another program.
rm -f "$db"
sqlite3 "$db" 'CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ("mine");'
sum=$(cksum <"$db")
rc=0
echo hi | "$TERN" send bob@example.net 2>"$T/err" >/dev/null || rc=$?
t_assert_eq "$rc" 74 "exit code for another program's database"
t_assert_match "$(cat "$T/err")" 'not a tern store' "message"
t_assert_eq "$(cksum <"$db")" "$sum" "database untouched"

# A corrupt tern store.
rm -f "$db"
echo hi | "$TERN" send bob@example.net >/dev/null || t_fail "send exited $?"
n=$(t_count s)
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
dd if=/dev/urandom of="$db" bs=1024 seek=1 count=3 conv=notrunc 2>/dev/null
sum=$(cksum <"$db")
rc=0
echo hi | "$TERN" send bob@example.net 2>"$T/err" >/dev/null || rc=$?
[ "$rc" != 0 ] || t_fail "a corrupt store was used"
t_assert_match "$(cat "$T/err")" "$db" "error names the file"
t_assert_eq "$(cksum <"$db")" "$sum" "corrupt file untouched"
t_assert_eq "$(t_count s)" "$n" "nothing sent"

# A store that cannot be created: the send does not start.
printf 'file' >"$T/notadir"
rc=0
echo hi | XDG_DATA_HOME=$T/notadir/x "$TERN" send bob@example.net 2>"$T/err" \
    >/dev/null || rc=$?
t_assert_eq "$rc" 74 "exit code without a store"
t_assert_match "$(cat "$T/err")" 'nothing was sent' "says nothing was sent"
t_assert_eq "$(t_count s)" "$n" "nothing sent"
t_pass
