#!/bin/sh
# edit_headers = yes: the $EDITOR file starts with the headers (as in
# mutt); Subject and Reply-To changed there, and a header of the user's
# own, reach the server, Bcc never does.  A line that is not a header
# shows an error naming it and offers the file again with the text kept.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-edit-headers
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
edit_headers = yes
timeout = 5
[account work]
from = Alice at Work <alice@work.example>
relay = smtp://127.0.0.1:$s_port"
# Run 1: headers changed, a user header and a body added.
# Run 2 (the second message): a broken line.  Run 3: fixes it.
cat >"$T/ed.sh" <<ED
#!/bin/sh
n=\$(cat "$T/ed.count" 2>/dev/null || echo 0)
n=\$((n + 1))
echo "\$n" >"$T/ed.count"
cp "\$1" "$T/ed.in.\$n"
case \$n in
1)	sed -e 's/^Subject: .*/Subject: Changed in the editor/' \\
	    -e 's/^From: .*/From: Alice at Work <alice@work.example>/' \\
	    -e 's/^Reply-To: .*/Reply-To: Lists <lists@example.org>/' \\
	    -e 's/^Bcc: .*/Bcc: hidden@example.net/' \\
	    -e 's/^Cc: .*/Cc: cc@example.net\\nX-Ticket: 42/' "\$1" >"\$1.new"
	printf 'Body written with the headers.\\n' >>"\$1.new"
	mv "\$1.new" "\$1";;
2)	sed -e 's/^Subject: .*/Subject: Second/' \\
	    -e 's/^Cc: .*/this line is no header/' "\$1" >"\$1.new"
	printf 'Text typed before the mistake.\\n' >>"\$1.new"
	mv "\$1.new" "\$1";;
*)	sed -e 's/^this line is no header\$/Cc: fixed@example.net/' "\$1" \\
	    >"\$1.new"
	mv "\$1.new" "\$1";;
esac
ED
chmod +x "$T/ed.sh"

U_ENV="EDITOR=$T/ed.sh" u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.net'
u_key Enter
u_type 'Before the editor'
u_key Enter
u_wait '^  Body written with the headers\.$'
grep -q '^From: Alice <alice@example.org>$' "$T/ed.in.1" || t_fail "no From in the file"
grep -q '^To: bob@example.net$' "$T/ed.in.1" || t_fail "no To in the file"
grep -q '^Subject: Before the editor$' "$T/ed.in.1" || t_fail "no Subject in the file"
grep -q '^Reply-To: $' "$T/ed.in.1" || t_fail "no Reply-To in the file"
u_has '^ *Subject: +Changed in the editor' "the Subject read back"
u_has '^ *Cc: +cc@example\.net' "the Cc read back"
u_has '^ *Bcc: +hidden@example\.net' "the Bcc read back"
u_has '^ *From: +Alice at Work <alice@work\.example>' "the account from From"
u_type y
u_wait 'Send "Changed in the editor" \(finished\)' 15
t_assert_eq "$(t_count s)" 1 "message on the server"
m=$(ls "$T"/s/msg-*.eml | head -1)
grep -q '^Subject: Changed in the editor' "$m" || t_fail "Subject did not arrive"
grep -q '^Reply-To: Lists <lists@example.org>' "$m" || t_fail "Reply-To did not arrive"
grep -q '^X-Ticket: 42' "$m" || t_fail "the user's header did not arrive"
grep -q '^Body written with the headers' "$m" || t_fail "the body did not arrive"
grep -qi '^Bcc:' "$m" && t_fail "Bcc went on the wire"
grep -q '^From: Alice at Work <alice@work.example>' "$m" ||
    t_fail "the From chosen in the editor did not arrive"

# A bad line: its number in the error, the file again, nothing lost.
u_type m
u_wait 'Compose'
u_type 'dan@example.net'
u_key Enter
u_type 'First'
u_key Enter
u_wait 'Edit again\? header:3: not a header field'
u_type y
u_wait '^  Text typed before the mistake\.$'
grep -q '^this line is no header$' "$T/ed.in.3" || t_fail "the second try lost the text"
grep -q '^Text typed before the mistake' "$T/ed.in.3" || t_fail "the body was lost"
u_has '^ *Cc: +fixed@example\.net' "the fixed Cc read back"
u_has '^ *Subject: +Second' "the Subject kept"
u_type y
u_wait 'Send "Second" \(finished\)' 15
t_assert_eq "$(t_count s)" 2 "the second message on the server"
u_type q
u_quit
t_pass
