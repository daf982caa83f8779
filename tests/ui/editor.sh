#!/bin/sh
# With $EDITOR set, the body is edited there: tern leaves the screen,
# runs it, and comes back with the text (as mutt does).
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-editor
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 5"
cat >"$T/ed.sh" <<'ED'
#!/bin/sh
printf 'Written in the editor, née UTF-8.\n' >>"$1"
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
u_wait '^  Written in the editor, née UTF-8\.'
u_has 'Body \(e: edit in \$EDITOR\)' "external editor named"
u_type e
u_wait '^  Written in the editor, née UTF-8\.$'
u_wait '3 Drafts 1( |$)'
u_type q
u_quit
t_pass
