#!/bin/sh
# A broken config line gets an error naming the file and line, exit 78;
# -F picks another file; no config at all is a clear error too.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup config
rc=0
echo hi | "$TERN" send bob@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 78 "exit code without a config"
t_assert_match "$(cat "$T/err")" 'config' "message without a config"

t_config "from = Alice <alice@example.org>
relay = smtp://localhost:587
tls = sometimes"
rc=0
echo hi | "$TERN" send bob@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 78 "exit code for a bad value"
t_assert_match "$(cat "$T/err")" "tern/config:3: " "file and line"

printf 'from = Alice <alice@example.org>\nrelay smtp://x\n' >"$T/other"
rc=0
echo hi | "$TERN" -F "$T/other" send bob@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 78 "exit code with -F"
t_assert_match "$(cat "$T/err")" "$T/other:2: " "-F file and line"
t_pass
