#!/bin/sh
# A store or fcc Maildir that another user controls is refused, never
# followed, written or chmod'ed: tern.db a symbolic link to another user's
# file, another user's tern.db, a world-writable one, a store directory
# that is a link or that others may write to; the same as an ordinary
# user (nobody) with a link to a world-writable file of root's; an fcc
# Maildir that is a link.  Each refusal names the path, says what is wrong
# and what to do, and the target keeps its content, owner and mode.
# Needs root (chown, another user).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || t_skip "needs root (files of another user)"
id nobody >/dev/null 2>&1 || t_skip "no user nobody"
t_setup store-safety
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"
dir=$XDG_DATA_HOME/tern
db=$dir/tern.db

# state FILE: content checksum, owner and mode.
state() {
	printf '%s %s\n' "$(cksum <"$1")" "$(stat -c '%U %a' "$1")"
}

# refused WHAT WANT-MESSAGE: a send stops with exit 74 and this message,
# and nothing reaches the server.
refused() {
	rc=0
	echo hi | "$TERN" send bob@example.net >"$T/out" 2>"$T/err" || rc=$?
	t_assert_eq "$rc" 74 "$1: exit code ($(cat "$T/err"))"
	t_assert_eq "$(cat "$T/err")" "tern: nothing was sent.
tern: $2" "$1: message"
	t_assert_eq "$(t_count s)" 0 "$1: nothing sent"
}

# The victim: another user's file.
mkdir -p "$T/victim"
printf 'private data of nobody\n' >"$T/victim/file"
chown nobody "$T/victim/file"
chmod 644 "$T/victim/file"
before=$(state "$T/victim/file")

# 1. tern.db is a symbolic link to it.
mkdir -p "$dir"
ln -s "$T/victim/file" "$db"
refused "link" "refusing the store $db: it is a symbolic link (to $T/victim/file) and tern follows no link there; put the real file in its place"
t_assert_eq "$(state "$T/victim/file")" "$before" "link: target untouched"
[ -L "$db" ] || t_fail "link: the link was replaced"
rm -f "$db"

# 2. A dangling link: tern does not create the file it points to.
ln -s "$T/victim/new" "$db"
refused "dangling link" "refusing the store $db: it is a symbolic link (to $T/victim/new) and tern follows no link there; put the real file in its place"
[ ! -e "$T/victim/new" ] || t_fail "dangling link: the target was created"
rm -f "$db"

# 3. tern.db belongs to another user.
cp "$T/victim/file" "$db"
chown nobody "$db"
chmod 666 "$db"
had=$(state "$db")
refused "owner" "refusing the store $db: it belongs to another user (uid $(id -u nobody), you are uid 0) and tern writes only into its own files; move it aside, or use a path of your own"
t_assert_eq "$(state "$db")" "$had" "owner: file untouched"
rm -f "$db"

# 4. Our own tern.db, but anyone may write to it.
printf '' >"$db"
chmod 666 "$db"
refused "world-writable file" "refusing the store $db: others may write to it (mode 0666); check what is in it, then chmod go-w $db"
t_assert_eq "$(stat -c %a "$db")" 666 "world-writable file: mode kept"
rm -f "$db"

# 5. A second hard link to another file of ours.
printf '' >"$T/mine"
chmod 600 "$T/mine"
ln "$T/mine" "$db"
refused "hard link" "refusing the store $db: it has 2 hard links, so writing it would change another file too; move it aside"
t_assert_eq "$(stat -c %s "$T/mine")" 0 "hard link: other file untouched"
rm -f "$db" "$T/mine"

# 6. The store directory others may write to.
chmod 777 "$dir"
refused "open directory" "refusing the store directory $dir: others may write to it (mode 0777); check what is in it, then chmod go-w $dir"
[ ! -e "$db" ] || t_fail "open directory: a store was created in it"
t_assert_eq "$(stat -c %a "$dir")" 777 "open directory: mode kept"
rmdir "$dir"

# 7. The store directory is a link to another user's directory.
mkdir -p "$T/victim/dir"
chown nobody "$T/victim/dir"
chmod 700 "$T/victim/dir"
ln -s "$T/victim/dir" "$dir"
refused "linked directory" "refusing the store directory $dir: it is a symbolic link (to $T/victim/dir) and tern follows no link there; put the real directory in its place"
t_assert_eq "$(ls -A "$T/victim/dir")" "" "linked directory: nothing written"
t_assert_eq "$(stat -c '%U %a' "$T/victim/dir")" "nobody 700" \
    "linked directory: owner and mode kept"
rm -f "$dir"

# 8. Another user's store directory.
mkdir -p "$dir"
chown nobody "$dir"
refused "directory owner" "refusing the store directory $dir: it belongs to another user (uid $(id -u nobody), you are uid 0) and tern writes only into its own files; move it aside, or use a path of your own"
t_assert_eq "$(ls -A "$dir")" "" "directory owner: nothing written"
rm -rf "$dir"

# 9. A store of our own still works, 0600 in a 0700 directory.
echo hi | "$TERN" send bob@example.net >/dev/null 2>"$T/err" ||
    t_fail "a clean store: $(cat "$T/err")"
t_assert_eq "$(stat -c %a "$db")" 600 "clean store: file mode"
t_assert_eq "$(stat -c %a "$dir")" 700 "clean store: directory mode"
t_assert_eq "$(t_count s)" 1 "clean store: sent"

# 10. As an ordinary user: tern.db a link to root's world-writable file.
if command -v setpriv >/dev/null 2>&1; then
	u=$T/user
	mkdir -p "$u/data/tern" "$u/config/tern"
	cp "$XDG_CONFIG_HOME/tern/config" "$u/config/tern/config"
	chown -R nobody "$u"
	chmod 711 "$T"
	printf 'root secrets\n' >"$T/victim/open"
	chmod 666 "$T/victim/open"
	chmod 755 "$T/victim"
	had=$(state "$T/victim/open")
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    ln -s "$T/victim/open" "$u/data/tern/tern.db"
	rc=0
	echo hi | setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME="$u" XDG_DATA_HOME="$u/data" XDG_CONFIG_HOME="$u/config" \
	    "$TERN" send bob@example.net >"$T/out" 2>"$T/err" || rc=$?
	t_assert_eq "$rc" 74 "user: exit code ($(cat "$T/err"))"
	t_assert_eq "$(tail -n 1 "$T/err")" "tern: refusing the store $u/data/tern/tern.db: it is a symbolic link (to $T/victim/open) and tern follows no link there; put the real file in its place" \
	    "user: message"
	t_assert_eq "$(state "$T/victim/open")" "$had" \
	    "user: root's file untouched (content, owner, mode)"
	t_assert_eq "$(t_count s)" 1 "user: nothing sent"
	chmod 700 "$T"
else
	echo "skipped the ordinary-user case: no setpriv"
fi

# 11. fcc: a Maildir that is a link to another user's Maildir.
mkdir -p "$T/victim/Maildir/cur" "$T/victim/Maildir/new" \
    "$T/victim/Maildir/tmp" "$HOME/Mail"
chown -R nobody "$T/victim/Maildir"
chmod -R 700 "$T/victim/Maildir"
ln -s "$T/victim/Maildir" "$HOME/Mail/Sent"
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
fcc = ~/Mail/Sent
timeout = 5"
rc=0
echo copy | "$TERN" -v send -s "copy me" dave@example.net >"$T/out" \
    2>"$T/err" || rc=$?
t_assert_eq "$rc" 0 "fcc link: the mail itself goes ($(cat "$T/err"))"
t_assert_eq "$(t_count s)" 2 "fcc link: sent"
t_assert_match "$(cat "$T/err")" "^tern: fcc: refusing the fcc Maildir $HOME/Mail/Sent: it is a symbolic link \\(to $T/victim/Maildir\\) and tern follows no link there; put the real directory in its place\$" \
    "fcc link: says why there is no copy"
t_assert_eq "$(find "$T/victim/Maildir" -type f | wc -l)" 0 \
    "fcc link: nothing written into the other Maildir"

# 12. fcc: our Maildir whose cur/ is a link elsewhere.
rm "$HOME/Mail/Sent"
mkdir -p "$HOME/Mail/Sent/new" "$HOME/Mail/Sent/tmp"
ln -s "$T/victim/Maildir/cur" "$HOME/Mail/Sent/cur"
rc=0
echo copy | "$TERN" -v send -s "copy me" dave@example.net >"$T/out" \
    2>"$T/err" || rc=$?
t_assert_eq "$rc" 0 "fcc cur link: the mail itself goes"
t_assert_match "$(cat "$T/err")" "^tern: fcc: refusing a folder of the fcc Maildir $HOME/Mail/Sent/cur: it is a symbolic link" \
    "fcc cur link: says why"
t_assert_eq "$(find "$T/victim/Maildir" "$HOME/Mail/Sent" -type f | wc -l)" 0 \
    "fcc cur link: nothing written"
t_pass
