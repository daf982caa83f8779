#!/bin/sh
# Accounts (DESIGN.md "Accounts, authentication, the queue"): the top of
# the config is the account "default", [account NAME] another one; -a
# picks one; without it, the account whose from is the sender's; a queued
# message keeps its account and a flush sends it through that account's
# relay with its sender.  Submission is idempotent: the same Message-ID
# handed in again while the relay is down gives one copy.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup accounts
t_smtpd home --starttls none
t_smtpd work --starttls none
conf() {
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$home_port
timeout = 5

[account work]
from = Alice Work <alice@work.example>
relay = smtp://127.0.0.1:$1"
}
conf "$work_port"

# -a picks the account: its relay and its sender.
echo one | "$TERN" -a work send -s one bob@example.net >/dev/null ||
    t_fail "send -a work exited $?"
t_assert_eq "$(t_count work)" 1 "-a work: through work's relay"
t_assert_eq "$(t_count home)" 0 "-a work: not through the default's"
t_assert_eq "$(t_json_get "$(t_log work)" from)" alice@work.example \
    "-a work: work's sender"
grep -q '^From: Alice Work <alice@work.example>' "$T"/work/*.eml ||
    t_fail "-a work: the From header is work's"

# Without -a: the account whose from is the message's sender.
printf 'From: Alice Work <alice@work.example>\nTo: bob@example.net\nSubject: two\n\ntwo\n' |
    "$TERN" sendmail -t || t_fail "sendmail -t (work From) exited $?"
t_assert_eq "$(t_count work)" 2 "From work: through work's relay"
printf 'From: alice@example.org\nTo: bob@example.net\nSubject: three\n\nthree\n' |
    "$TERN" sendmail -t || t_fail "sendmail -t (home From) exited $?"
t_assert_eq "$(t_count home)" 1 "From home: through the default relay"
printf 'Subject: four\n\nfour\n' |
    "$TERN" sendmail -f alice@work.example bob@example.net ||
    t_fail "sendmail -f exited $?"
t_assert_eq "$(t_count work)" 3 "-f work: through work's relay"
printf 'Subject: five\n\nfive\n' |
    "$TERN" sendmail -a work bob@example.net ||
    t_fail "sendmail -a work exited $?"
t_assert_eq "$(t_count work)" 4 "sendmail -a work"

# An unknown account is a config error that names the accounts.
rc=0
err=$(echo x | "$TERN" -a nosuch send bob@example.net 2>&1 >/dev/null) ||
    rc=$?
t_assert_eq "$rc" 78 "-a nosuch: exit"
t_assert_match "$err" 'no account "nosuch" \(accounts: default, work\)' \
    "-a nosuch: message"

# Queued under work while work's relay is down; the flush, with no -a,
# sends it through work's relay, as work.
t_stop work
rc=0
echo six | "$TERN" -a work send -s six bob@example.net >/dev/null || rc=$?
t_assert_eq "$rc" 75 "queued while work is down"
t_smtpd work2 --starttls none
conf "$work2_port"
"$TERN" flush >/dev/null || t_fail "flush exited $?"
t_assert_eq "$(t_count work2)" 1 "flush: the queued message went through work"
t_assert_eq "$(t_json_get "$(t_log work2)" from)" alice@work.example \
    "flush: with work's sender"
t_assert_eq "$(t_count home)" 1 "flush: nothing through the default relay"

# The same Message-ID twice while the relay is down (send pressed again
# after an error), then a flush: one copy.
t_stop work2
msg='From: Alice Work <alice@work.example>
To: carol@example.net
Subject: again
Message-ID: <again.1@work.example>

the same message
'
for i in 1 2; do
	rc=0
	printf '%s' "$msg" | "$TERN" sendmail -t 2>/dev/null || rc=$?
	t_assert_eq "$rc" 75 "resubmission $i waits"
done
t_assert_eq "$("$TERN" outbox --json | grep -c carol@example.net)" 1 \
    "one queued recipient, not two"
t_smtpd work3 --starttls none
conf "$work3_port"
"$TERN" flush >/dev/null || t_fail "flush after resubmission exited $?"
t_assert_eq "$(t_count work3)" 1 "resubmission: one copy"
# Handed in once more after it was delivered: nothing is sent again.
printf '%s' "$msg" | "$TERN" sendmail -t || t_fail "third submission exited $?"
t_assert_eq "$(t_count work3)" 1 "after delivery: still one copy"
t_pass
