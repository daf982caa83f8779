#!/bin/sh
# issue 12: the composer's preview of a long body shows its first lines,
# not its last, and says which: "lines 1-N of 40".  After editing in the
# built-in editor it shows the lines around where the cursor was.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-body-preview
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 10"
cat >"$T/ed.sh" <<'ED'
#!/bin/sh
i=1
while [ "$i" -le 40 ]; do
	printf 'Body line %d\n' "$i"
	i=$((i + 1))
done >"$1"
ED
chmod +x "$T/ed.sh"

U_COLS=80 U_ROWS=24
U_ENV="EDITOR=$T/ed.sh" u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.org'
u_key Enter
u_type 'Long one'
u_key Enter
u_wait '^  Body line 1$'
u_has 'Body \(e: edit in \$EDITOR\)  lines 1-[0-9]+ of 40' "the position"
n=$(u_screen | sed -n 's/.*lines 1-\([0-9]*\) of 40.*/\1/p')
u_has "^  Body line $n\$" "the last line the position names"
if u_screen | grep -q '^  Body line 40$'; then
	u_dump
	t_fail "the preview shows the end, not the start"
fi
u_type q
u_wait 'Draft kept'
u_quit

# The built-in editor: the draft again, the cursor to its end and back
# up a little; leaving shows the lines where the cursor was.
U_ENV=
u_start
u_wait 'Nothing sent yet'
u_type 3
u_wait 'Long one'
u_key Enter
u_wait 'Compose \(draft'
u_wait 'lines 1-[0-9]+ of 40'
u_type e
u_wait 'editing the body'
u_wait 'lines [0-9]+-40 of 40'
u_key C-x
u_wait '^  Body line 40$'
u_has 'lines [0-9]+-40 of 40' "the preview where the cursor was"
u_type q
u_quit
t_pass
