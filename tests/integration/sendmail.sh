#!/bin/sh
# The sendmail interface, as msmtp's and Postfix's: recipients from the
# arguments (headers then only describe) or -t (Resent- ones when there
# are such fields), Bcc and Resent-Bcc never sent, all of stdin always (a
# lone dot never ends it), nothing on stdout, every option they take,
# long lines made fit, sysexits codes; a sendmail symlink works too.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup sendmail
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"

# newest: the last message the server accepted.
newest() {
	ls -t "$T"/s/msg-*.eml | head -1
}
# sm ARGS...: tern sendmail with stdin; stdout must stay empty.
sm() {
	"$TERN" sendmail "$@" >"$T/out" 2>"$T/err" || return $?
	[ ! -s "$T/out" ] || { cat "$T/out" >&2; return 99; }
}

# -t: To, Cc and Bcc; Bcc dropped; -i keeps lone dots; -f the envelope.
printf 'To: Bob <bob@example.net>\nCc: carol@example.net\nBcc: secret@example.net\nSubject: hi\n\nbody\n.\nmore\n' |
    sm -t -i -f bounce@example.org || t_fail "exit $?"
log=$(t_log s)
t_assert_eq "$(t_json_get "$log" rcpts)" \
    '["bob@example.net", "carol@example.net", "secret@example.net"]' "recipients"
t_assert_eq "$(t_json_get "$log" from)" bounce@example.org "envelope sender"
m=$(newest)
if grep -qi '^bcc:\|secret@' "$m"; then t_fail "Bcc transmitted"; fi
grep -q '^more' "$m" || t_fail "-i: text after a lone dot lost"
grep -q '^Message-ID: ' "$m" || t_fail "no Message-ID added"
grep -q '^From: bounce@example.org' "$m" || t_fail "no From added (from -f)"

# The crash of 2737b8b: To/Cc/Bcc in the message and recipients in the
# arguments (git send-email, neomutt, aerc).  Only the arguments count.
rc=0
printf 'To: a@x.net\nCc: c@x.net\nBcc: hidden@x.net\n\nb\n' | sm d@x.net || rc=$?
t_assert_eq "$rc" 0 "exit with headers and arguments"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" rcpts)" '["d@x.net"]' \
    "recipients from the arguments only"
if grep -qi '^bcc:' "$(newest)"; then t_fail "Bcc sent without -t"; fi

# A line with a single dot never ends the input, with or without -i.
for flags in "" -i -oi; do
	printf 'Subject: dot\n\nbefore\n.\nafter\n' | sm $flags dave@example.net ||
	    t_fail "dot ($flags): exit $?"
	grep -q '^after' "$(newest)" || t_fail "text after the dot lost ($flags)"
done

# Every option msmtp and Postfix take is parsed; -ox VAL keeps VAL.
n=$(t_count s)
touch "$T/log"
printf 'Subject: opts\n\nx\n' | sm -a default -C "$XDG_CONFIG_HOME/tern/config" \
    --from=opt@example.org -FOpt -B8BITMIME -B 7BIT -N success,failure \
    -R hdrs -V envid42 -L tag -bm -h 5 -h7 -n -O DeliveryMode=b -d -v \
    -oem -odi -oQ/x -ox val -o i -G -U -i -oi -X "$T/log" -- o1@example.net ||
    t_fail "options: exit $? ($(cat "$T/err"))"
t_assert_eq "$(t_count s)" $((n + 1)) "options: one message"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" rcpts)" '["o1@example.net"]' \
    "options: -ox VAL kept VAL out of the recipients"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" from)" opt@example.org "--from="
grep -q '^From: Opt <opt@example.org>' "$(newest)" || t_fail "-F name not in From"
t_assert_match "$(cat "$T/log")" \
    'recipient=o1@example.net outcome=plaintext .*exitcode=EX_OK' "-X log line"
if grep -qi 'pass' "$T/log"; then t_fail "the log names a password"; fi
printf 'Subject: f\n\nx\n' | sm -fattached@example.org -FName o2@example.net ||
    t_fail "-fADDR: exit $?"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" from)" attached@example.org "-fADDR"
# --read-envelope-from: the envelope sender from the From header.
printf 'From: Hdr <hdr@example.org>\n\nx\n' | sm --read-envelope-from o3@example.net ||
    t_fail "--read-envelope-from: exit $?"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" from)" hdr@example.org \
    "--read-envelope-from"
# -P prints the set-up and sends nothing; -bs, -bp, -q are refused clearly.
n=$(t_count s)
"$TERN" sendmail -P </dev/null >"$T/out" || t_fail "-P: exit $?"
t_assert_match "$(cat "$T/out")" "relay: smtp://127.0.0.1" "-P output"
for o in -bs -bp -q; do
	rc=0
	"$TERN" sendmail $o </dev/null >"$T/out" 2>"$T/err" || rc=$?
	t_assert_eq "$rc" 64 "$o: exit"
	t_assert_match "$(cat "$T/err")" "not supported|no queue runner" "$o: reason"
done
rc=0
echo x | "$TERN" sendmail -Y a@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 64 "unknown option: exit"
t_assert_match "$(cat "$T/err")" "^usage: tern sendmail" "unknown option: usage"
rc=0
echo x | "$TERN" sendmail -a nosuch a@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 78 "unknown account: exit"
t_assert_match "$(cat "$T/err")" 'nosuch' "unknown account: reason"
"$TERN" sendmail --help >"$T/out" || t_fail "sendmail --help: exit $?"
t_assert_match "$(cat "$T/out")" "^usage: tern sendmail" "sendmail --help"
t_assert_eq "$(t_count s)" "$n" "nothing sent by -P, -b*, -q, errors"

# Bare local parts: qualified with the domain of from, or maildomain.
printf 'From: root (Cron Daemon)\nTo: root\nSubject: cron\n\nout\n' |
    sm -FCronDaemon -i -B8BITMIME -oem root || t_fail "cron: exit $?"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" rcpts)" '["root@example.org"]' \
    "cron: root qualified"

# -t with Resent- fields: only the Resent- recipients; Resent-Bcc hidden.
printf 'From: a@example.org\nTo: orig@example.net\nResent-From: alice@example.org\nResent-To: new@example.net\nResent-Bcc: rbcc@example.net\nSubject: fwd\n\nx\n' |
    sm -t || t_fail "resent: exit $?"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" rcpts)" \
    '["new@example.net", "rbcc@example.net"]' "Resent- recipients only"
m=$(newest)
if grep -qi '^resent-bcc:\|rbcc@' "$m"; then t_fail "Resent-Bcc transmitted"; fi
grep -q '^Resent-To: new@example.net' "$m" || t_fail "Resent-To lost"

# Long lines: a 2,000-octet header folded, a 5,000-octet body line sent
# quoted-printable; every line the server got is at most 998 octets and
# the text decodes back to the original.
python3 -c '
import sys
words = " ".join("w%04d" % i for i in range(333))
sys.stdout.write("To: long@example.net\nSubject: " + words + "\n\n" +
    "B" * 5000 + "\nshort line\n")
' >"$T/long.eml"
sm -t <"$T/long.eml" || t_fail "long lines: exit $? ($(cat "$T/err"))"
m=$(newest)
python3 - "$m" "$T/long.eml" <<'PY' || t_fail "long lines on the wire"
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
for n, line in enumerate(raw.split(b"\r\n"), 1):
    assert len(line) <= 998, "line %d has %d octets" % (n, len(line))
msg = email.message_from_bytes(raw, policy=email.policy.compat32)
orig = email.message_from_bytes(open(sys.argv[2], "rb").read())
subj = "".join(msg["Subject"].split("\r\n"))
assert " ".join(subj.split()) == " ".join(orig["Subject"].split()), subj[:80]
assert msg["Content-Transfer-Encoding"].lower() == "quoted-printable"
body = msg.get_payload(decode=True).decode()
assert body.replace("\r\n", "\n") == "B" * 5000 + "\nshort line\n", body[:80]
PY
# A header that cannot be folded is refused with a clear reason (65).
n=$(t_count s)
rc=0
python3 -c 'print("To: x@example.net\nX-Long: " + "a" * 1200 + "\n\nb")' |
    "$TERN" sendmail -t 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "unfoldable header: exit"
t_assert_match "$(cat "$T/err")" 'X-Long header .*without a space' \
    "unfoldable header: reason"
t_assert_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "one line on stderr"
t_assert_eq "$(t_count s)" "$n" "unfoldable header: nothing sent"

# A bad address in the header: 65 and the reason; no recipient: 64/65.
rc=0
printf 'To: bad>@example.net\n\nx\n' | "$TERN" sendmail -t 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "bad address: exit"
t_assert_match "$(cat "$T/err")" 'To header .*bad>@example.net' "bad address: reason"
rc=0
printf 'Subject: none\n\nx\n' | "$TERN" sendmail -t 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "-t without recipients: exit"
t_assert_match "$(cat "$T/err")" 'no recipient' "no recipient: reason"

# A deferred recipient: 75, one reason on stderr, nothing on stdout.
t_smtpd d --starttls none --rcpt-reply 'w@example.net=451 4.3.0 try later'
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$d_port
timeout = 5"
rc=0
printf 'Subject: wait\n\nx\n' | "$TERN" sendmail w@example.net >"$T/out" \
    2>"$T/err" || rc=$?
t_assert_eq "$rc" 75 "deferred: exit"
[ ! -s "$T/out" ] || t_fail "deferred: stdout not empty"
t_assert_match "$(cat "$T/err")" 'w@example.net: deferred' "deferred: reason"
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"

# Called through a sendmail symlink, and as tern with sendmail's options
# (git's smtpServer = /path/to/tern runs "tern -i RCPT...").
ln -s "$TERN" "$T/sendmail"
n=$(t_count s)
printf 'Subject: link\n\nx\n' | "$T/sendmail" -oi erin@example.net >"$T/out" ||
    t_fail "symlink exit $?"
[ ! -s "$T/out" ] || t_fail "symlink: stdout not empty"
printf 'Subject: smtpserver\n\nx\n' | "$TERN" -i frank@example.net >"$T/out" ||
    t_fail "tern -i: exit $?"
[ ! -s "$T/out" ] || t_fail "tern -i: stdout not empty"
printf 'Subject: smtpserver\n\nx\n' | "$TERN" -f alice@example.org -i \
    gina@example.net >"$T/out" || t_fail "tern -f -i: exit $?"
t_assert_eq "$(t_count s)" $((n + 3)) "messages through the link and tern -i"
t_assert_eq "$(t_json_get "$(t_log s | tail -1)" rcpts)" '["gina@example.net"]' \
    "tern -f A -i R"
t_pass
