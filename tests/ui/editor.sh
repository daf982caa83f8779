#!/bin/sh
# With $EDITOR set, the body is edited there: tern leaves the screen,
# runs it, and comes back with the text (as mutt does); a second edit
# (e) changes it again, and what was edited last is what the server gets.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-editor
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"
# The first run writes a line; every later run rewrites it and adds one,
# so each edit leaves its own mark.  ed.count counts the runs.
cat >"$T/ed.sh" <<ED
#!/bin/sh
n=\$(cat "$T/ed.count" 2>/dev/null || echo 0)
n=\$((n + 1))
echo "\$n" >"$T/ed.count"
if [ "\$n" = 1 ]; then
	printf 'Written in the editor, née UTF-8.\\n' >>"\$1"
else
	sed 's/^Written in the editor/Rewritten in the editor/' "\$1" >"\$1.new"
	printf 'Edit number %s.\\n' "\$n" >>"\$1.new"
	mv "\$1.new" "\$1"
fi
ED
chmod +x "$T/ed.sh"

U_ENV="EDITOR=$T/ed.sh" u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'fay@example.org'
u_key Enter
u_type 'Via the editor'
u_key Enter
u_wait '^  Written in the editor, née UTF-8\.$'
t_assert_eq "$(cat "$T/ed.count")" 1 "the editor ran once"
u_has 'Body \(e: edit in \$EDITOR\)' "external editor named"
u_type e
u_wait '^  Rewritten in the editor, née UTF-8\.$'
u_wait '^  Edit number 2\.$'
u_wait_gone '^  Written in the editor'
t_assert_eq "$(cat "$T/ed.count")" 2 "the editor ran again for e"
u_wait '3 Drafts 1( |$)'

# The edited text is what the server gets.
u_type y
u_wait 'Send "Via the editor" \(finished\)' 15
t_assert_eq "$(t_count s)" 1 "message on the server"
m=$(ls "$T"/s/msg-*.eml | head -1)
grep -q '^Rewritten in the editor, n' "$m" || t_fail "the edited line did not arrive"
grep -q '^Edit number 2\.' "$m" || t_fail "the added line did not arrive"
if grep -q '^Written in the editor' "$m"; then
	t_fail "the text before the edit arrived"
fi
u_type q
u_quit
t_pass
