#!/bin/sh
# tern 'mailto:...' (RFC 6068, as xdg-open hands it over) opens the
# composer with To, Cc, Subject and the body filled in from the URL,
# percent-decoded as UTF-8; the server gets those fields.  tern -H FILE
# (mutt's draft file) does the same from a prepared message, Reply-To
# and a header of the user's own included; a bad file, or a URL that
# would inject a header with %0D%0A, is refused with words and opens
# nothing.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-mailto
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"

u_start 'mailto:bob@example.net,eve@example.net?cc=carol@example.net&subject=Gr%C3%BC%C3%9Fe%20from%20a%20link&body=First%20line%0D%0ASecond%20line&x-evil=1'
u_wait 'Compose'
u_wait '^ *To: +bob@example\.net,eve@example\.net'
u_has '^ *Cc: +carol@example\.net' "Cc filled in"
u_has '^ *Subject: +Grüße from a link' "Subject filled in"
u_has '^  First line$' "body line 1"
u_has '^  Second line$' "body line 2"
u_has 'Ignored in the mailto URL: x-evil' "the ignored hfield said"
u_type y
u_wait 'Send "Grüße from a link" \(finished\)' 15
t_assert_eq "$(t_count s)" 1 "message on the server"
m=$(ls "$T"/s/msg-*.eml | head -1)
grep -q '^To: bob@example.net, eve@example.net' "$m" || t_fail "To did not arrive"
grep -q '^Cc: carol@example.net' "$m" || t_fail "Cc did not arrive"
grep -q '^Subject: =?UTF-8?' "$m" || t_fail "Subject not encoded"
grep -q '^First line' "$m" || t_fail "body did not arrive"
grep -qi '^x-evil' "$m" && t_fail "an unknown hfield reached the message"
u_type q
u_quit

# A header injection in the URL: refused, visibly, nothing opened.
if "$TERN" 'mailto:bob@example.net?subject=Hi%0D%0ABcc:%20all@evil.example' \
    >"$T/inj.out" 2>&1; then
	t_fail "an injecting URL was accepted"
fi
grep -q 'line break' "$T/inj.out" || t_fail "no words for the injection: $(cat "$T/inj.out")"

# tern -H FILE: a prepared message.
cat >"$T/draft" <<'D'
To: Dan <dan@example.net>
Cc: fay@example.net
Subject: Prepared in a file
Reply-To: replies@example.org
X-Project: tern
Message-ID: <old@example.org>

The body from the draft file.
D
u_start -H "$T/draft"
u_wait 'Compose'
u_wait '^ *To: +Dan <dan@example\.net>'
u_has '^ *Cc: +fay@example\.net' "Cc from the file"
u_has '^ *Subject: +Prepared in a file' "Subject from the file"
u_has '^  The body from the draft file\.$' "body from the file"
# Kept as a draft and reopened: Reply-To and the user's header stay.
u_type q
u_wait 'Draft kept in Drafts'
u_quit
u_start
u_wait '3 Drafts 1( |$)'
u_type 3
u_wait 'Prepared in a file'
u_key Enter
u_wait 'Compose \(draft saved'
u_has '^ *To: +Dan <dan@example\.net>' "To kept in the draft"
u_type y
u_wait 'Send "Prepared in a file" \(finished\)' 15
t_assert_eq "$(t_count s)" 2 "second message on the server"
m=$(ls -t "$T"/s/msg-*.eml | head -1)
grep -q '^Subject: Prepared in a file' "$m" || m=$(ls "$T"/s/msg-*.eml | tail -1)
grep -q '^Subject: Prepared in a file' "$m" || t_fail "the draft's Subject did not arrive"
grep -q '^To: Dan <dan@example.net>' "$m" || t_fail "the draft's To did not arrive"
grep -q '^Reply-To: replies@example.org' "$m" || t_fail "Reply-To did not arrive"
grep -q '^X-Project: tern' "$m" || t_fail "the user's header did not arrive"
grep -q '^Message-ID: <old@example.org>' "$m" && t_fail "the file's Message-ID was used"
u_type q
u_quit

# A bad draft file: file:line, exit 65.
printf 'To: a@example.net\nnot a header line\n\nbody\n' >"$T/bad"
rc=0
"$TERN" -H "$T/bad" >"$T/bad.out" 2>&1 || rc=$?
t_assert_eq "$rc" 65 "a bad draft file is a data error"
grep -q "$T/bad:2: not a header field" "$T/bad.out" ||
    t_fail "no file:line: $(cat "$T/bad.out")"
t_pass
