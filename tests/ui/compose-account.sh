#!/bin/sh
# The composer's From cycles through the accounts' identities (f), and
# the message goes out through the chosen account's relay, as it.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-compose-account
t_smtpd home --starttls none
t_smtpd work --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$home_port
glyphs = ascii
timeout = 10

[account work]
from = Alice Work <alice@work.example>
relay = smtp://127.0.0.1:$work_port"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_key Escape
u_wait 'account default; f: next'
u_type f
u_wait 'From: +Alice Work <alice@work.example>  \(account work; f: next\)'
u_type t
u_type 'carol@example.net'
u_key Enter
u_type s
u_type 'From work'
u_key Enter
u_type y
u_wait 'Send "From work" \(finished\)' 15
t_assert_eq "$(t_count work)" 1 "through work's relay"
t_assert_eq "$(t_count home)" 0 "not through the default's"
t_assert_eq "$(t_json_get "$(t_log work)" from)" alice@work.example \
    "work's sender"
u_quit
t_pass
