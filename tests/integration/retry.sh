#!/bin/sh
# The queue retries itself (DESIGN.md "Accounts, authentication, the
# queue"): a deferred recipient gets a next try after a backoff (5 min,
# doubling, at most 4 h), "tern outbox" shows it, "tern flush --due" tries
# only what is due (quiet: it runs from a timer), and after queue_lifetime
# the recipient fails with a reason of kind expired.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip "sqlite3 not installed"
t_setup retry
t_smtpd srv --starttls none
db=$XDG_DATA_HOME/tern/tern.db
conf() {
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$1
timeout = 5
${2:-}"
}
conf 9
rc=0
echo one | "$TERN" send -s one bob@example.net >/dev/null || rc=$?
t_assert_eq "$rc" 75 "deferred while nothing answers"
out=$("$TERN" outbox)
t_assert_match "$out" 'next try: in [45] min' "outbox shows the next try"
ob=$("$TERN" outbox --json)
t_assert_eq "$(t_json_get "$ob" attempts)" 1 "one attempt recorded"
now=$(date +%s)
next=$(t_json_get "$ob" next_try)
[ "$next" -ge $((now + 240)) ] && [ "$next" -le $((now + 310)) ] ||
    t_fail "first backoff: next try at $next, now $now (want about 5 min)"

# Not due yet: --due leaves it alone, and says nothing.
conf "$srv_port"
rc=0
out=$("$TERN" flush --due 2>&1) || rc=$?
t_assert_eq "$rc" 0 "flush --due with nothing due: exit"
t_assert_eq "$out" "" "flush --due is quiet"
t_assert_eq "$(t_count srv)" 0 "nothing due: nothing sent"
t_assert_eq "$(t_sessions srv | grep -c . || :)" 0 "nothing due: no connection"

# The backoff doubles: a second deferral waits 10 minutes.
conf 9
"$TERN" flush >/dev/null 2>&1 || :
ob=$("$TERN" outbox --json)
t_assert_eq "$(t_json_get "$ob" attempts)" 2 "two attempts"
now=$(date +%s)
next=$(t_json_get "$ob" next_try)
[ "$next" -ge $((now + 540)) ] && [ "$next" -le $((now + 610)) ] ||
    t_fail "second backoff: next try at $next, now $now (want about 10 min)"

# Due now (the store's clock moved on): --due sends it, quietly.
sqlite3 "$db" "UPDATE recipients SET next_try = strftime('%s','now') - 1"
conf "$srv_port"
rc=0
out=$("$TERN" flush --due 2>&1) || rc=$?
t_assert_eq "$rc" 0 "flush --due: exit"
t_assert_eq "$out" "" "flush --due is quiet on success"
t_assert_eq "$(t_count srv)" 1 "due: delivered"
t_assert_eq "$("$TERN" outbox --json | grep -c . || :)" 0 "outbox empty"

# queue_lifetime: given up with a clear reason, exit 69.
conf 9 "queue_lifetime = 2"
rc=0
echo two | "$TERN" send -s two carol@example.net >/dev/null || rc=$?
t_assert_eq "$rc" 75 "two: deferred"
sqlite3 "$db" "UPDATE recipients SET first_try = first_try - 10,
    next_try = strftime('%s','now') - 1 WHERE address = 'carol@example.net'"
rc=0
err=$("$TERN" flush --due 2>&1 >/dev/null) || rc=$?
t_assert_eq "$rc" 69 "expired: exit"
t_assert_match "$err" 'carol@example.net: failed: tern gave up after' \
    "expired: --due says so on stderr"
log=$("$TERN" log --json -n 1)
t_assert_eq "$(t_json_get "$log" outcome)" failed "expired: failed"
t_assert_eq "$(t_json_get "$log" reason_kind)" expired "expired: kind"
t_assert_eq "$("$TERN" outbox --json | grep -c . || :)" 0 "expired: not queued"
t_pass
