#!/bin/sh
# A mutt group name completes in the composer to all its members.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-group
t_config "from = Alice <alice@example.org>
relay = direct
glyphs = ascii"
printf 'alias liz Liz L <liz@example.org>\nalias mo mo@example.org (Mo M)\nalias crew liz, mo, pat@example.org\n' >"$T/aliases"
"$TERN" contacts import "$T/aliases" >/dev/null || t_fail import
u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'cre'
u_wait '> liz@example.org, mo@example.org, pat@example.org +group crew: 3 contacts'
u_key Tab
u_wait 'liz@example.org +may'
u_has 'mo@example.org +may' "mo"
u_has 'pat@example.org +may' "pat"
t_pass
