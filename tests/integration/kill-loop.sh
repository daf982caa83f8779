#!/bin/sh
# No second copy after a crash (DESIGN.md, issue 9, 2).  A recipient's
# outcome is committed right after the server's reply to the final dot,
# before QUIT and before the next transaction; it is marked uncertain
# just before the dot.  Two bounded loops, copies counted at the server:
#  - KILL_TRIALS (30) times: 20 queued messages, "tern flush" killed with
#    SIGKILL (every fifth trial SIGTERM) at a random moment, then a flush
#    to the end: every message arrives, none more than twice, and every
#    second copy is one tern's record marks "resent after an interrupted
#    delivery" (a kill inside [dot sent, reply committed]);
#  - QUIT_TRIALS (20) times: the server never answers QUIT and tern is
#    killed then: the next flush sends nothing again.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip "sqlite3 not installed"
t_setup kill-loop
KILL_TRIALS=${KILL_TRIALS:-30}
QUIT_TRIALS=${QUIT_TRIALS:-20}
MSGS=20
# A reply delay makes a flush last long enough to be hit anywhere; the
# delay after a saved message widens the window where a kill must give a
# flagged resend.
t_smtpd srv --starttls none --delay 2 --dot-delay 8
t_smtpd quit --starttls none --quit-kill "$T/tern.pid"
db=$XDG_DATA_HOME/tern/tern.db

conf() {
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$1
timeout = 5"
}

# queue PREFIX N: N messages queued while no server answers.
queue() {
	conf 9
	_q=1
	while [ "$_q" -le "$2" ]; do
		_rc=0
		echo "body $1-$_q" | "$TERN" send -s "$1-$_q" bob@example.org \
		    >/dev/null 2>&1 || _rc=$?
		[ "$_rc" = 75 ] || t_fail "queue $1-$_q: exit $_rc"
		_q=$((_q + 1))
	done
}

# rand N: a number in 0..N-1.
rand() {
	echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 ))
}

trial=1
inside=0
while [ "$trial" -le "$KILL_TRIALS" ]; do
	queue "k$trial" "$MSGS"
	conf "$srv_port"
	sig=KILL
	[ $((trial % 5)) -ne 0 ] || sig=TERM
	"$TERN" flush >/dev/null 2>&1 &
	pid=$!
	ms=$(rand 450)
	sleep "$(printf '0.%03d' "$ms")"
	kill -s "$sig" "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	rc=0
	timeout 60 "$TERN" flush >/dev/null 2>&1 || rc=$?
	t_assert_eq "$rc" 0 "trial $trial: the second flush"
	left=$("$TERN" outbox --json | grep -c . || :)
	t_assert_eq "$left" 0 "trial $trial: outbox empty"
	trial=$((trial + 1))
done

# Copies at the server, by subject, against tern's resend flags.
t_wait_idle srv 10
grep -h '^Subject: ' "$T"/srv/*.eml | sort | uniq -c |
    tr -d '\r' | awk '{ print $1, $3 }' >"$T/copies"
sqlite3 "$db" "SELECT DISTINCT m.subject FROM deliveries d JOIN messages m
    ON m.id = d.message_id WHERE d.resent = 1" | sort >"$T/resent"
got=$(wc -l <"$T/copies" | tr -d ' ')
t_assert_eq "$got" $((KILL_TRIALS * MSGS)) "every message arrived"
dups=0
unflagged=0
while read -r n subj; do
	[ "$n" -le 2 ] || t_fail "$subj arrived $n times"
	[ "$n" -eq 2 ] || continue
	dups=$((dups + 1))
	grep -qx -- "$subj" "$T/resent" || {
		echo "unflagged duplicate: $subj" >&2
		unflagged=$((unflagged + 1))
	}
done <"$T/copies"
resent=$(wc -l <"$T/resent" | tr -d ' ')
echo "kill loop: $KILL_TRIALS trials of $MSGS messages; $dups second copies," \
    "all inside the window and flagged ($unflagged unflagged);" \
    "$resent flagged resends in all"
t_assert_eq "$unflagged" 0 "duplicates outside the window"

# Killed by the server the moment QUIT arrives ("tern send": the session
# ends with QUIT right after the message): the outcome is committed
# already, so a flush sends nothing again.
trial=1
before=$(t_count srv)
while [ "$trial" -le "$QUIT_TRIALS" ]; do
	conf "$quit_port"
	rm -f "$T/tern.pid"
	# The server reads the pid from the file when QUIT comes.
	sh -c 'echo $$ >"$1"; exec "$2" send -s "q$3" bob@example.org' sh \
	    "$T/tern.pid" "$TERN" "$trial" </dev/null >/dev/null 2>&1 &
	pid=$!
	wait "$pid" 2>/dev/null || :
	conf "$srv_port"
	rc=0
	timeout 60 "$TERN" flush >/dev/null 2>&1 || rc=$?
	t_assert_eq "$rc" 0 "quit trial $trial: flush"
	trial=$((trial + 1))
done
t_assert_eq "$(t_count quit)" "$QUIT_TRIALS" "quit trials: one copy each"
killed=$(grep -c '"event":"quit-kill"' "$T/quit/commands.jsonl" || :)
t_assert_eq "$killed" "$QUIT_TRIALS" "quit trials: tern killed at each QUIT"
t_assert_eq "$(t_count srv)" "$before" "quit trials: no second copy"
echo "quit loop: $QUIT_TRIALS trials killed by the server at QUIT, 0 second copies"
t_pass
