#!/bin/sh
# issue 12: postponed drafts are listed with their age: "just now",
# "3 min ago", "5 h ago", "3 days ago".
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-drafts-age
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 10"

draft() {
	u_type m
	u_wait 'Compose'
	u_type 'bob@example.org'
	u_key Enter
	u_type "$1"
	u_key Enter
	u_wait 'editing the body'
	u_type 'Later.'
	u_key C-x
	u_wait 'y: send'
	u_type q
	u_wait 'Draft kept'
}

u_start
u_wait 'Nothing sent yet'
draft 'Fresh one'
draft 'Minutes old'
draft 'Hours old'
draft 'Days old'
u_wait 'Drafts 4'
u_quit
# Age three of them in the store.
python3 - "$XDG_DATA_HOME/tern/tern.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
for subj, age in (("Minutes old", 3 * 60 + 5), ("Hours old", 5 * 3600 + 60),
                  ("Days old", 3 * 86400 + 60)):
    db.execute("UPDATE messages SET updated = ? WHERE subject = ?",
               (now - age, subj))
db.commit()
PY
u_start
u_wait 'Nothing sent yet'
u_type 3
u_wait 'Drafts 4'
u_wait 'just now +bob@example.org +Fresh one'
u_has '3 min ago +bob@example.org +Minutes old' "minutes"
u_has '5 h ago +bob@example.org +Hours old' "hours"
u_has '3 days ago +bob@example.org +Days old' "days"
u_quit
t_pass
