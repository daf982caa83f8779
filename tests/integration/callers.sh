#!/bin/sh
# The programs that call a sendmail, pointed at tern: git send-email
# (sendmailCmd = tern sendmail, sendmailCmd = tern sendmail -t, and
# smtpServer = /path/to/tern), bsd-mailx through a sendmail symlink, and
# a cron-style call with no terminal and no XDG variables.  What arrives
# at the server is checked, and the callers' own output must hold
# nothing of tern's.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup callers
command -v git >/dev/null 2>&1 || t_skip "git not installed"
[ -x "$(git --exec-path)/git-send-email" ] ||
    t_skip "git send-email (git-email) not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"

# A repository with three patches and a cover letter.
git init -q "$T/repo"
(
	cd "$T/repo"
	git config user.name 'Alice Example'
	git config user.email alice@example.org
	for i in 1 2 3; do
		echo "change $i" >"file$i"
		git add "file$i"
		git commit -q -m "Change number $i"
	done
	git format-patch -q --cover-letter -3 -o "$T/patches" >/dev/null
	sed -i 's/\*\*\* SUBJECT HERE \*\*\*/The series/;s/\*\*\* BLURB HERE \*\*\*/Three changes./' \
	    "$T"/patches/0000-*.patch
) || t_fail "making the patch series"
[ "$(ls "$T"/patches/*.patch | wc -l | tr -d ' ')" = 4 ] ||
    t_fail "format-patch made $(ls "$T"/patches | wc -l) files"

# check_series SERVER GITOUT: 4 messages to each of to, cc and bcc, the
# Message-IDs git printed, In-Reply-To and References to the cover
# letter, no Bcc header, and no line of tern's in git's output.
check_series() {
	t_assert_eq "$(t_count "$1")" 4 "$1: messages"
	python3 - "$T/$1" "$2" <<'PY' || t_fail "$1: what arrived"
import email, glob, json, os, re, sys
spool, gitout = sys.argv[1], open(sys.argv[2]).read()
log = [json.loads(l) for l in open(os.path.join(spool, "log.jsonl"))]
for want in ("to@example.net", "cc@example.net", "hidden@example.net"):
    n = sum(1 for m in log if want in m["rcpts"])
    assert n == 4, "%s got %d messages" % (want, n)
msgs = []
for f in sorted(glob.glob(os.path.join(spool, "msg-*.eml"))):
    raw = open(f, "rb").read()
    assert not re.search(rb"(?im)^bcc:", raw), "Bcc header in " + f
    assert b"hidden@" not in raw, "the Bcc address is in " + f
    msgs.append(email.message_from_bytes(raw))
ids = {m["Message-ID"].strip() for m in msgs}
assert len(ids) == 4, ids
said = set(re.findall(r"(?im)^Message-I[dD]: (<[^>]+>)", gitout))
assert said == ids, "git's Message-IDs %s, the server's %s" % (said, ids)
cover = [m for m in msgs if "0/3" in m["Subject"]]
assert len(cover) == 1, [m["Subject"] for m in msgs]
cid = cover[0]["Message-ID"].strip()
for m in msgs:
    if m is cover[0]:
        continue
    assert m["In-Reply-To"].strip() == cid, m["In-Reply-To"]
    assert cid in m["References"], m["References"]
    assert m["Cc"] and "cc@example.net" in m["Cc"], m["Cc"]
PY
	if grep -E 'tern:|\[(PLAIN|TLS\+?|WAIT|HELD|FAIL)\]|policy (may|encrypt)' \
	    "$2"; then
		t_fail "$1: tern's output in git's"
	fi
}

# send_series SERVER [GIT-CONFIG...]: git send-email the series.
send_series() {
	_srv=$1
	shift
	rc=0
	git -C "$T/repo" "$@" send-email --confirm=never --no-annotate \
	    --from='Alice Example <alice@example.org>' --to=to@example.net \
	    --cc=cc@example.net --bcc=hidden@example.net --suppress-cc=all \
	    "$T"/patches/*.patch >"$T/git-$_srv.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat "$T/git-$_srv.out" >&2; t_fail "$_srv: git exit $rc"; }
	check_series "$_srv" "$T/git-$_srv.out"
}

t_smtpd g1 --starttls none
t_config "from = Alice Example <alice@example.org>
relay = smtp://127.0.0.1:$g1_port
timeout = 5"
send_series g1 -c "sendemail.sendmailCmd=$TERN sendmail"

t_smtpd g2 --starttls none
t_config "from = Alice Example <alice@example.org>
relay = smtp://127.0.0.1:$g2_port
timeout = 5"
send_series g2 -c "sendemail.sendmailCmd=$TERN sendmail -t"

t_smtpd g3 --starttls none
t_config "from = Alice Example <alice@example.org>
relay = smtp://127.0.0.1:$g3_port
timeout = 5"
send_series g3 -c "sendemail.smtpServer=$TERN"

# bsd-mailx through a sendmail symlink (its "sendmail" variable).
mkdir -p "$T/bin"
ln -s "$TERN" "$T/bin/sendmail"
if command -v bsd-mailx >/dev/null 2>&1 || command -v mailx >/dev/null 2>&1
then
	mailx=$(command -v bsd-mailx || command -v mailx)
	t_smtpd mx --starttls none
	t_config "from = Alice Example <alice@example.org>
relay = smtp://127.0.0.1:$mx_port
timeout = 5"
	printf 'set sendmail=%s\n' "$T/bin/sendmail" >"$T/mailrc"
	rc=0
	printf 'Hello from mailx\n.\nstill here\n' | MAILRC=$T/mailrc \
	    "$mailx" -s 'mailx test' -c mcc@example.net bob@example.net \
	    >"$T/mailx.out" 2>&1 </dev/stdin || rc=$?
	[ "$rc" = 0 ] || { cat "$T/mailx.out" >&2; t_fail "mailx exit $rc"; }
	[ ! -s "$T/mailx.out" ] || { cat "$T/mailx.out" >&2; t_fail "output in mailx's"; }
	t_assert_eq "$(t_count mx)" 1 "mailx: messages"
	t_assert_eq "$(t_json_get "$(t_log mx)" rcpts)" \
	    '["bob@example.net", "mcc@example.net"]' "mailx: recipients"
	m=$(ls "$T"/mx/msg-*.eml | head -1)
	grep -q '^Subject: mailx test' "$m" || t_fail "mailx: subject"
	grep -q '^still here' "$m" || t_fail "mailx: text after a lone dot"
fi

# cron: no terminal, no XDG variables, only HOME; its own arguments and
# From header.  The config is found under ~/.config.
t_smtpd cron --starttls none
mkdir -p "$T/cronhome/.config/tern"
printf 'from = Alice Example <alice@example.org>\nrelay = smtp://127.0.0.1:%s\ntimeout = 5\n' \
    "$cron_port" >"$T/cronhome/.config/tern/config"
chmod 600 "$T/cronhome/.config/tern/config"
printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@host> run-parts /etc/cron.daily\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\n\nthe job said: Grüße\n' \
    >"$T/cron.eml"
rc=0
setsid env -i HOME="$T/cronhome" PATH=/usr/bin:/bin "$T/bin/sendmail" \
    -FCronDaemon -i -B8BITMIME -oem root <"$T/cron.eml" >"$T/cron.out" 2>&1 ||
    rc=$?
[ "$rc" = 0 ] || { cat "$T/cron.out" >&2; t_fail "cron: exit $rc"; }
[ ! -s "$T/cron.out" ] || { cat "$T/cron.out" >&2; t_fail "cron: output"; }
t_assert_eq "$(t_json_get "$(t_log cron)" rcpts)" '["root@example.org"]' \
    "cron: root@maildomain"
grep -q 'Grüße' "$T"/cron/msg-*.eml || t_fail "cron: body"
# maildomain = sets the domain for bare names.
printf 'maildomain = host.example\n' >>"$T/cronhome/.config/tern/config"
setsid env -i HOME="$T/cronhome" PATH=/usr/bin:/bin "$T/bin/sendmail" \
    -FCronDaemon -i -B8BITMIME -oem root <"$T/cron.eml" >"$T/cron.out" 2>&1 ||
    t_fail "cron with maildomain: exit $?"
t_assert_eq "$(t_json_get "$(t_log cron | tail -1)" rcpts)" \
    '["root@host.example"]' "cron: maildomain"
t_pass
