#!/usr/bin/env python3
"""tern's benchmarks (issues 6 and 13), run by tests/bench/run.sh ("make bench").

Each figure is printed with its peer's, the ratio and the target.  Nothing
here asserts anything about time: a missed target is printed as such and
the exit status stays 0.  A benchmark whose messages do not all arrive is
reported as invalid (exit status 1), since its figures would mean nothing.

Issue 13's six targets:
  1  flush scales linearly: time per message of tern flush at 1,000 and
     at 100,000 queued (the big run is capped, BENCH_FLUSH_CAP)
  2  flush of 1,000 messages vs tests/bench/rawclient (a pipelining raw
     client in C: the server's own rate) on tests/smtpd and on Postfix when
     installed (run.sh starts a private one); also vs msmtp/curl loops
  3  one send with the system trust store (no ca_file) vs msmtp and curl,
     CPU and wall, interleaved runs; beside it the resumed send (a second
     send to a server that offers TLS session tickets); then the same
     with ca_file
  4  a 20 MiB message: throughput vs curl, peak RSS / message size
  5  interface start on 100,000 messages and 10,000 contacts
     (tests/bench/startup.sh), tern log / tern outbox time to first line
  6  fdatasync/fsync calls per send (strace -c), vs msmtp
And two from issue 6:
  7  direct mode to 50 domains behind a server that waits 200 ms before
     every reply: default concurrency vs concurrency = 1
  8  bounded waits: how long tern send takes to give up on a server that
     never greets, and a DNS lookup on a resolver that never answers

Environment: TERN, SMTPD, RAWCLIENT (binaries), T (a scratch directory with
the test certificates in $T/certs, made by tests/integration/lib.sh's
t_certs), BENCH_POSTFIX_PORT and BENCH_POSTFIX_DIR (a private Postfix with a
STARTTLS listener, from run.sh).  Knobs: BENCH_RUNS (3, default 25),
BENCH_QUEUE (1 and 2, default 1000), BENCH_BIG (1, default 100000),
BENCH_FLUSH_CAP (1: seconds the big flush may run, default 150),
BENCH_LOOP (2: msmtp/curl invocations, default 100), BENCH_STORE (5,
default 100000), BENCH_SERIAL_FULL=1 (7: the serial contrast on all 50
domains instead of 5, extrapolated).  Standard library only; Python 3.7 or
later.
"""

import atexit
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TERN = os.environ["TERN"]
SMTPD = os.environ["SMTPD"]
RAWCLIENT = os.environ.get("RAWCLIENT", "")
T = os.environ["T"]
CERTS = os.path.join(T, "certs")
CA = os.path.join(CERTS, "ca.pem")
CERT = os.path.join(CERTS, "good-chain.pem")
KEY = os.path.join(CERTS, "good-key.pem")
FROM_ADDR = "alice@example.org"
RCPT = "bob@example.net"    # Postfix delivers example.net
MIB = 1024 * 1024

SUMMARY = []       # rows of the final table
INVALID = []       # benchmarks whose messages did not all arrive
SERVERS = []


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


# ---------------------------------------------------------------- output

def say(*a):
    print(*a, flush=True)


def head(s):
    say("")
    say(s)
    say("-" * len(s))


def ms(sec):
    if sec is None:
        return "-"
    return "%.1f ms" % (sec * 1000) if sec < 10 else "%.2f s" % sec


def secs(sec):
    return "-" if sec is None else "%.2f s" % sec


def mib(kib):
    return "-" if kib is None else "%.1f MiB" % (kib / 1024.0)


def max_rss(rs):
    v = [x.rss for x in rs if x.rss is not None]
    return max(v) if v else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rtxt(r):
    return "-" if r is None else "%.2fx" % r


def row(bench, figure, tern, peer, r, target, met):
    """One line of the summary: figure, tern's value, the peer's, tern/peer."""
    SUMMARY.append((bench, figure, tern, peer, rtxt(r) if not isinstance(
        r, str) else r, target, "-" if met is None else
        ("met" if met else "NOT met")))


def table(rows, headers):
    w = [len(h) for h in headers]
    for r in rows:
        for i, c in enumerate(r):
            w[i] = max(w[i], len(str(c)))
    line = "  ".join(h.ljust(w[i]) for i, h in enumerate(headers))
    say(line.rstrip())
    say("  ".join("-" * x for x in w))
    for r in rows:
        say("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())


# ------------------------------------------------------------- processes

class Res:
    """One run: wall, CPU (user+sys) and peak RSS of the child."""

    def __init__(self):
        self.wall = self.cpu = self.first = None
        self.rss = None         # KiB (ru_maxrss)
        self.status = None
        self.err = b""
        self.out = b""
        self.lines = 0
        self.timed_out = False

    @property
    def ok(self):
        return self.status == 0


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def measure(argv, env=None, stdin=None, first_line=False, keep_out=False,
            timeout=600, ok_status=(0,), rss=False):
    """Run argv; wall time and the child's CPU (user + sys) from wait4.
    With first_line, stdout is a pipe: the time the first line arrived is
    kept and the rest is drained (and counted).  With rss, the run goes
    through GNU time for the peak RSS (wait4's ru_maxrss here would count
    the python3 process the child was forked from); its wall and CPU then
    include GNU time's own, about a millisecond."""
    res = Res()
    prog = argv[0]
    rssfile = None
    if rss and GNU_TIME:
        fd, rssfile = tempfile.mkstemp(prefix="rss.", dir=T)
        os.close(fd)
        argv = [GNU_TIME, "-f", "%M", "-o", rssfile] + list(argv)
    fin = open(stdin, "rb") if isinstance(stdin, str) else subprocess.DEVNULL
    errf = tempfile.TemporaryFile()
    piped = first_line or keep_out
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=fin, stderr=errf, env=env,
                         stdout=subprocess.PIPE if piped else
                         subprocess.DEVNULL, start_new_session=True)

    def kill():
        # the whole group (GNU time and its child); the peak RSS so far
        # from /proc, since GNU time reports nothing for a killed child
        res.timed_out = True
        res.rss = group_hwm(p.pid)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        if piped:
            chunks = []
            line = p.stdout.readline()
            if first_line and line:
                res.first = time.perf_counter() - t0
            n = line.count(b"\n")
            if keep_out:
                chunks.append(line)
            while True:
                b = p.stdout.read1(65536) if hasattr(p.stdout, "read1") \
                    else p.stdout.read(65536)
                if not b:
                    break
                n += b.count(b"\n")
                if keep_out:
                    chunks.append(b)
            res.lines = n
            res.out = b"".join(chunks)
            p.stdout.close()
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        timer.cancel()
    res.wall = time.perf_counter() - t0
    p.returncode = (os.WEXITSTATUS(status) if os.WIFEXITED(status)
                    else -os.WTERMSIG(status))
    res.status = p.returncode
    res.cpu = ru.ru_utime + ru.ru_stime
    if rssfile:
        try:
            with open(rssfile) as f:
                res.rss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rssfile)
    errf.seek(0)
    res.err = errf.read()
    errf.close()
    if fin is not subprocess.DEVNULL:
        fin.close()
    if res.status not in ok_status:
        tail = res.err.decode("utf-8", "replace").strip().splitlines()[-3:]
        say("    ! %s exited %s%s: %s" % (os.path.basename(prog),
            res.status, " (timed out)" if res.timed_out else "",
            " | ".join(tail)))
    return res


def group_hwm(pgid):
    """The highest VmHWM (KiB) among the live processes of a group."""
    best = None
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            if int(st[st.rindex(")") + 2:].split()[2]) != pgid:
                continue
            with open("/proc/%s/status" % d) as f:
                for ln in f:
                    if ln.startswith("VmHWM:"):
                        v = int(ln.split()[1])
                        best = v if best is None else max(best, v)
        except (OSError, ValueError, IndexError):
            continue
    return best


class Server:
    """One tests/smtpd with its spool in $T/NAME."""

    def __init__(self, name, *args):
        self.name = name
        self.seen = {}
        self.spool = os.path.join(T, name)
        portfile = os.path.join(T, name + ".port")
        if os.path.exists(portfile):
            os.unlink(portfile)
        self.proc = subprocess.Popen([SMTPD, "-P", portfile, "-d",
                                      self.spool] + list(args),
                                     stdin=subprocess.DEVNULL)
        SERVERS.append(self)
        for _ in range(100):
            if os.path.exists(portfile) and os.path.getsize(portfile) > 0:
                break
            if self.proc.poll() is not None:
                raise SystemExit("smtpd %s exited at start" % name)
            time.sleep(0.05)
        else:
            raise SystemExit("smtpd %s: no port after 5 s" % name)
        with open(portfile) as f:
            self.port = int(f.read().strip())

    def _lines(self, f):
        """Lines in the spool's file F, read on from where the last call
        stopped (the log of a 100,000-message flush is polled)."""
        off, n = self.seen.get(f, (0, 0))
        try:
            with open(os.path.join(self.spool, f), "rb") as fp:
                fp.seek(off)
                b = fp.read()
        except FileNotFoundError:
            return 0
        n += b.count(b"\n")
        self.seen[f] = (off + len(b), n)
        return n

    def count(self):
        return self._lines("log.jsonl")

    def sessions(self):
        return self._lines("sessions.jsonl")

    def wait_sessions(self, n, secs=5):
        end = time.time() + secs
        while self.sessions() < n and time.time() < end:
            time.sleep(0.02)

    def eml(self, n):
        return os.path.join(self.spool, "msg-%d.eml" % n)

    def drop_spool(self):
        """Remove the spooled message files (keep the logs)."""
        for f in os.listdir(self.spool):
            if f.startswith("msg-") and f.endswith(".eml"):
                os.unlink(os.path.join(self.spool, f))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def stop_all():
    for s in SERVERS:
        try:
            s.stop()
        except Exception:
            pass


def free_port():
    """A loopback port where nothing listens (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tern_env(name, config):
    """A fresh HOME and XDG directories for one tern, with CONFIG."""
    base = os.path.join(T, "home-" + name)
    env = dict(os.environ)
    for k in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "MAIL", "EDITOR",
              "VISUAL"):
        env.pop(k, None)
    env["HOME"] = os.path.join(base, "home")
    env["XDG_CONFIG_HOME"] = os.path.join(base, "config")
    env["XDG_DATA_HOME"] = os.path.join(base, "data")
    for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.makedirs(env[k], exist_ok=True)
    write_config(env, config)
    return env


def write_config(env, config):
    d = os.path.join(env["XDG_CONFIG_HOME"], "tern")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "config")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(config)
    os.chmod(path, 0o600)


def relay_config(port, extra=""):
    # next_hop = no: the peers look nothing up after the relay, and the
    # figures are the submission's, not the recipient domains' DNS.
    return ("from = Alice <%s>\nrelay = smtp://localhost:%d\n"
            "ca_file = %s\ntimeout = 30\nnext_hop = no\n%s"
            % (FROM_ADDR, port, CA, extra))


def store_path(env):
    return os.path.join(env["XDG_DATA_HOME"], "tern", "tern.db")


# ----------------------------------------------------------------- peers

def have(prog):
    return shutil.which(prog) is not None


def msmtp_rc(port, name, trust=None):
    """An msmtp config for the loopback server: STARTTLS, the test CA (or
    TRUST: "system" for the system trust store)."""
    path = os.path.join(T, "msmtprc-" + name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("defaults\nauth off\ntls on\ntls_starttls on\n"
                "tls_trust_file %s\n\naccount bench\nhost localhost\n"
                "port %d\nfrom %s\n\naccount default : bench\n"
                % (trust or CA, port, FROM_ADDR))
    return path


def peer_argv(port, name, system=False):
    """argv for each peer that is installed (message on stdin / -T -);
    with SYSTEM, the peers verify against the system trust store."""
    peers = {}
    if have("msmtp"):
        peers["msmtp"] = [shutil.which("msmtp"), "-C", msmtp_rc(
            port, name, "system" if system else None), "-a", "bench", RCPT]
    if have("curl"):
        peers["curl"] = [shutil.which("curl"), "-sS", "--ssl-reqd"] + \
            ([] if system else ["--cacert", CA]) + \
            ["--mail-from", FROM_ADDR, "--mail-rcpt", RCPT, "-T", "-",
             "smtp://localhost:%d" % port]
    return peers


def peer_env(name):
    env = dict(os.environ)
    env["HOME"] = os.path.join(T, "home-" + name, "home")
    os.makedirs(env["HOME"], exist_ok=True)
    return env


def note_absent():
    for p in ("msmtp", "curl"):
        if not have(p):
            say("  %s: not installed, skipped (apt-get install %s)" % (p, p))


def write_body(path, nbytes):
    """A plain text body of NBYTES: 72-character ASCII lines."""
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789"
    line_len = 72
    lines = []
    x = 12345
    for _ in range(997):        # a pool of distinct lines, cycled
        s = []
        for _ in range(line_len):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            s.append(alphabet[x % len(alphabet)])
        lines.append("".join(s).strip().replace("  ", " ") + "\n")
    with open(path, "w") as f:
        n = 0
        i = 0
        while n < nbytes:
            ln = lines[i % len(lines)]
            f.write(ln)
            n += len(ln)
            i += 1


SHORT_BODY = """Hello Bob,

here are the minutes of Tuesday's meeting, as promised.  The short
version: we agreed to move the release to the first week of next month,
Carol takes over the documentation, and the build machines get their
disks replaced on Friday.

The longer version is in the shared folder; tell me if anything is
missing or wrong before I send it to the whole list.

Thanks,
Alice
"""



# ======================================================= queues and flushes

def clone_store(db, n):
    """Turn the store's one message into N: copies of its message,
    recipient and delivery rows, one a minute back in time.  Every column
    of the schema tern made is copied, so new columns come along."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA foreign_keys = OFF")

    def cols(t):
        return [r[1] for r in con.execute("PRAGMA table_info(%s)" % t)]
    mid, created = con.execute(
        "SELECT id, created FROM messages ORDER BY id DESC LIMIT 1").fetchone()
    rids = [r[0] for r in con.execute(
        "SELECT id FROM recipients WHERE message_id = ?", (mid,))]
    dids = [r[0] for r in con.execute(
        "SELECT id FROM deliveries WHERE message_id = ?", (mid,))]
    if len(rids) != 1 or len(dids) > 1:
        raise SystemExit("clone_store: want one recipient and at most one "
                         "delivery, got %d and %d" % (len(rids), len(dids)))
    mbase = con.execute("SELECT MAX(id) FROM messages").fetchone()[0]
    rbase = con.execute("SELECT MAX(id) FROM recipients").fetchone()[0]
    dbase = con.execute("SELECT COALESCE(MAX(id), 0) FROM deliveries") \
        .fetchone()[0]
    t0 = created - n * 60

    def copy(table, over, where):
        c = cols(table)
        sel = ", ".join(over.get(x, "t." + x) for x in c)
        con.execute(
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM "
            "seq WHERE i < %d) INSERT INTO %s (%s) SELECT %s FROM %s t, seq "
            "WHERE %s" % (n, table, ", ".join(c), sel, table, where))
    con.execute("BEGIN")
    tm = "(%d + seq.i * 60)" % t0
    copy("messages", {"id": "%d + seq.i" % mbase, "created": tm,
                      "updated": tm,
                      "subject": "t.subject || ' ' || seq.i"},
         "t.id = %d" % mid)
    copy("recipients", {"id": "%d + seq.i" % rbase,
                        "message_id": "%d + seq.i" % mbase},
         "t.id = %d" % rids[0])
    if dids:
        copy("deliveries", {"id": "%d + seq.i" % dbase,
                            "recipient_id": "%d + seq.i" % rbase,
                            "message_id": "%d + seq.i" % mbase,
                            "time": tm}, "t.id = %d" % dids[0])
    if "text" in cols("bodies"):
        copy("bodies", {"id": "%d + seq.i" % mbase}, "t.id = %d" % mid)
        con.execute("DELETE FROM bodies WHERE id = ?", (mid,))
    # the template goes: N messages, ids and times in the same order
    con.execute("DELETE FROM deliveries WHERE message_id = ?", (mid,))
    con.execute("DELETE FROM recipients WHERE message_id = ?", (mid,))
    con.execute("DELETE FROM messages WHERE id = ?", (mid,))
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = con.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    con.close()
    d = os.path.dirname(db)
    for f in os.listdir(d):
        if f.startswith("tern.db"):
            os.chmod(os.path.join(d, f), 0o600)
    return total





def queued_store(name, n):
    """A store of N queued messages: one real tern send while the relay is
    down (exit 75: queued), its rows cloned with INSERT ... SELECT into
    the schema tern made.  Returns the tern environment, or None."""
    env = tern_env(name, relay_config(free_port()))
    body = os.path.join(T, name + "-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    r = measure([TERN, "send", "-s", "Queued message", RCPT], env, body,
                ok_status=(75,))
    if r.status != 75:
        return None
    got = clone_store(store_path(env), n)
    if got != n:
        say("  ! the cloned store holds %d messages, not %d" % (got, n))
        return None
    return env


def drop_env(env):
    """Remove the tern environment's directories (big stores)."""
    shutil.rmtree(os.path.dirname(env["HOME"]), ignore_errors=True)


def store_text(env):
    """The text of the store's newest message (what tern sends)."""
    con = sqlite3.connect(store_path(env))
    try:
        try:
            last = con.execute("SELECT text FROM bodies ORDER BY id DESC "
                               "LIMIT 1").fetchone()
        except sqlite3.OperationalError:
            last = con.execute("SELECT text FROM messages ORDER BY id DESC "
                               "LIMIT 1").fetchone()
    finally:
        con.close()
    return bytes(last[0])


class Flush:
    """One tern flush: wall, CPU, what arrived, whether it was capped."""

    def __init__(self):
        self.wall = self.cpu = None
        self.delivered = self.before = 0
        self.status = None
        self.capped = False
        self.err = b""

    def per_msg(self):
        return self.wall / self.delivered if self.delivered else None

    def rate(self):
        return self.delivered / self.wall if self.wall else None


def flush_run(env, counter, total, cap, label, every=15.0, between=None):
    """tern flush of a queue of TOTAL; COUNTER() is how many the server
    has accepted so far.  A thread prints progress every EVERY seconds
    (and calls BETWEEN, to drop the spool), and kills tern's process
    group after CAP seconds; the main thread waits for tern with wait4
    (the wall and CPU are tern's own)."""
    fl = Flush()
    before = fl.before = counter()
    errf = tempfile.TemporaryFile()
    done = threading.Event()
    t0 = time.perf_counter()
    p = subprocess.Popen([TERN, "flush"], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=errf,
                         start_new_session=True)

    def watch():
        last = t0
        while not done.wait(0.5):
            t = time.perf_counter()
            if t - t0 >= cap and not fl.capped:
                fl.capped = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
            if t - last >= every:
                last = t
                got = counter() - before
                say("    %s: %d of %d accepted after %.0f s (%.0f msg/s)"
                    % (label, got, total, t - t0, got / (t - t0)))
                if between:
                    between()
    th = threading.Thread(target=watch, daemon=True)
    th.start()
    _, status, ru = os.wait4(p.pid, 0)
    fl.wall = time.perf_counter() - t0
    done.set()
    th.join()
    p.returncode = (os.WEXITSTATUS(status) if os.WIFEXITED(status)
                    else -os.WTERMSIG(status))
    fl.status = p.returncode
    fl.cpu = ru.ru_utime + ru.ru_stime
    errf.seek(0)
    fl.err = errf.read()
    errf.close()
    fl.delivered = counter() - before
    if fl.status not in (0, 75) and not fl.capped:
        tail = fl.err.decode("utf-8", "replace").strip().splitlines()[-3:]
        say("    ! tern flush exited %s: %s" % (fl.status, " | ".join(tail)))
    return fl


def us(sec):
    return "-" if sec is None else "%.0f us" % (sec * 1e6)


# ================================================================ bench 1

def bench1():
    small = max(env_int("BENCH_QUEUE", 1000), 1)
    big = max(env_int("BENCH_BIG", 100000), small)
    cap = max(env_int("BENCH_FLUSH_CAP", 150), 1)
    head("1. Flush scales linearly: tern flush at %d and %d queued"
         % (small, big))
    srv = Server("b1", "--cert", CERT, "--key", KEY)
    res = {}
    for n in (small, big):
        t0 = time.perf_counter()
        env = queued_store("b1-%d" % n, n)
        if env is None:
            INVALID.append("1")
            say("  could not make a queue of %d; skipped" % n)
            return
        say("  %d queued messages (one tern send to a dead relay, its rows "
            "cloned with INSERT ... SELECT) in %s, %.0f MiB" % (
                n, secs(time.perf_counter() - t0),
                os.path.getsize(store_path(env)) / MIB))
        write_config(env, relay_config(srv.port))
        sess0 = srv.sessions()
        fl = flush_run(env, srv.count, n, cap, "flush of %d" % n,
                       between=srv.drop_spool)
        if not fl.capped:
            srv.wait_sessions(sess0 + 1)
            fl.delivered = srv.count() - fl.before
        srv.drop_spool()
        drop_env(env)
        if not fl.capped and fl.delivered != n:
            INVALID.append("1")
            say("  ! tern flush delivered %d of %d" % (fl.delivered, n))
        res[n] = fl
        say("  %d queued: %d accepted in %s (%s), %s per message, CPU %s%s"
            % (n, fl.delivered, secs(fl.wall), "%.0f msg/s" % fl.rate()
               if fl.rate() else "-", us(fl.per_msg()), secs(fl.cpu),
               "; killed at the %d s cap (BENCH_FLUSH_CAP): the figure is "
               "the time per message with %d to %d still queued" % (
                   cap, n, n - fl.delivered) if fl.capped else ""))
    srv.stop()
    a, b = res[small].per_msg(), res[big].per_msg()
    row("1", "flush, time per message at %dk" % (small // 1000), us(a),
        "-", "-", "(reference)", None)
    rr = ratio(b, a)
    row("1", "flush, time per message at %dk" % (big // 1000),
        us(b) + (" (capped)" if res[big].capped else ""),
        "at %dk %s" % (small // 1000, us(a)), rr, "<= 1.30x",
        rr is not None and rr <= 1.3)


# ================================================================ bench 2

def run_raw(port, msgfile, n, rcpt=RCPT):
    """tests/bench/rawclient: N messages over one STARTTLS connection;
    returns (seconds, accepted) or None."""
    if not RAWCLIENT or not os.access(RAWCLIENT, os.X_OK):
        return None
    r = measure([RAWCLIENT, "-s", "-c", CA, "-n", "localhost", "-f",
                 FROM_ADDR, "-r", rcpt, "-m", msgfile, "localhost",
                 str(port), str(n)], keep_out=True, timeout=300)
    out = r.out.decode("utf-8", "replace").split()
    # accepted N of COUNT in S s: R msg/s (...)
    try:
        return float(out[5]), int(out[1])
    except (IndexError, ValueError):
        return None


def flush_vs_raw(name, port, n, counter, between=None):
    """A queue of N flushed to PORT, with the raw client run once before
    and twice after (the machine's mood the same for both).  Returns
    (Flush, [(seconds, accepted)...], the message file) or None."""
    env = queued_store(name, n)
    if env is None:
        return None
    write_config(env, relay_config(port))
    msgfile = os.path.join(T, name + "-msg.eml")
    with open(msgfile, "wb") as f:
        f.write(store_text(env))
    tries = []

    def raw_try():
        r = run_raw(port, msgfile, n)
        if r is None:
            say("  ! rawclient failed (or not built: make "
                "tests/bench/rawclient)")
        else:
            tries.append(r)
        if between:
            between()
    raw_try()
    fl = flush_run(env, counter, n, 600, name, between=between)
    raw_try()
    raw_try()
    drop_env(env)
    return fl, tries, msgfile


def raw_rate(tries):
    if not tries:
        return None
    w, got = sorted(tries, key=lambda t: t[1] / t[0])[len(tries) // 2]
    return got / w


def maildir_count(d):
    n = 0
    for root, _, files in os.walk(os.path.join(d, "mail")):
        if os.path.basename(root) == "new":
            n += len(files)
    return n


def bench2():
    n = max(env_int("BENCH_QUEUE", 1000), 1)
    loops = max(env_int("BENCH_LOOP", 100), 1)
    head("2. A queue of %d messages vs the server's own rate "
         "(tests/bench/rawclient)" % n)
    rows = []
    srv = Server("b2", "--cert", CERT, "--key", KEY)
    sess0 = srv.sessions()
    got = flush_vs_raw("b2", srv.port, n, srv.count, srv.drop_spool)
    if got is None:
        INVALID.append("2")
        say("  could not make the queue; skipped")
        return
    fl, tries, msgfile = got
    srv.wait_sessions(sess0 + 1 + len(tries))
    fl.delivered = srv.count() - fl.before - sum(a for _, a in tries[1:])
    if fl.delivered != n or any(a != n for _, a in tries):
        INVALID.append("2")
        say("  ! tern flush delivered %d of %d; rawclient %s" % (
            fl.delivered, n, " ".join(str(a) for _, a in tries)))
    sr = raw_rate(tries)
    rows.append(("tests/smtpd", "tern flush", fl.delivered, secs(fl.wall),
                 "%.0f" % fl.rate(), "CPU %s, exit %s" % (secs(fl.cpu),
                                                          fl.status)))
    if sr:
        rows.append(("tests/smtpd", "rawclient", n, "-", "%.0f" % sr,
                     "median of %s msg/s (1 run before the flush, 2 after)"
                     % " ".join("%.0f" % (a / w) for w, a in tries)))
    rr = ratio(fl.rate(), sr)
    row("2", "flush %d vs rawclient, tests/smtpd" % n, "%.0f msg/s" %
        fl.rate(), "raw %s" % ("%.0f msg/s" % sr if sr else "-"), rr,
        ">= 0.50x", rr is not None and rr >= 0.5)

    # issue 6: the flush against one process per message
    penv = peer_env("b2")
    note_absent()
    loop_best = None
    for name, argv in peer_argv(srv.port, "b2").items():
        before = srv.count()
        cpu = 0.0
        t0 = time.perf_counter()
        for i in range(loops):
            cpu += measure(argv, penv, msgfile).cpu
        wall = time.perf_counter() - t0
        ok = srv.count() - before
        srv.drop_spool()
        if ok != loops:
            INVALID.append("2")
            say("  ! %s delivered %d of %d" % (name, ok, loops))
        rate = ok / wall
        rows.append(("tests/smtpd", "%s x%d" % (name, loops), ok,
                     secs(wall), "%.0f" % rate, "one process per message, "
                     "CPU %s in all" % secs(cpu)))
        if loop_best is None or rate > loop_best[1]:
            loop_best = (name, rate)
    if loop_best:
        rr = ratio(fl.rate(), loop_best[1])
        row("2", "flush vs one %s per message" % loop_best[0],
            "%.0f msg/s" % fl.rate(), "%s loop %.0f msg/s" % loop_best, rr,
            ">= 20x (issue 6)", rr >= 20)
    srv.stop()

    pport = env_int("BENCH_POSTFIX_PORT", 0)
    pdir = os.environ.get("BENCH_POSTFIX_DIR", "")
    if not pport or not pdir:
        say("  Postfix: %s; no Postfix figure" % os.environ.get(
            "BENCH_POSTFIX_WHY", "not started by run.sh"))
        row("2", "flush %d vs rawclient, Postfix" % n, "-",
            "Postfix not run", "-", ">= 0.90x", None)
    else:
        m0 = maildir_count(pdir)

        def pcount():
            return maildir_count(pdir) - m0
        got = flush_vs_raw("b2-pfx", pport, n, pcount)
        if got is None:
            INVALID.append("2")
            say("  could not make the Postfix queue; skipped")
        else:
            fl, tries, _ = got
            want = (n if fl.status == 0 else 0) + sum(a for _, a in tries)
            end = time.time() + 180
            while pcount() < want and time.time() < end:
                time.sleep(0.2)
            if pcount() < want or fl.status != 0:
                INVALID.append("2")
                say("  ! Postfix delivered %d of %d (tern flush exit %s)"
                    % (pcount(), want, fl.status))
            pr = raw_rate(tries)
            rows.append(("Postfix", "tern flush", n if fl.status == 0 else
                         "?", secs(fl.wall), "%.0f" % (n / fl.wall),
                         "CPU %s, exit %s" % (secs(fl.cpu), fl.status)))
            if pr:
                rows.append(("Postfix", "rawclient", n, "-", "%.0f" % pr,
                             "median of %s msg/s" % " ".join(
                                 "%.0f" % (a / w) for w, a in tries)))
            rr = ratio(n / fl.wall, pr)
            row("2", "flush %d vs rawclient, Postfix" % n, "%.0f msg/s" %
                (n / fl.wall), "raw %s" % ("%.0f msg/s" % pr if pr else
                                          "-"), rr, ">= 0.90x",
                rr is not None and rr >= 0.9)
    say("  every run: STARTTLS, the test CA verified, one connection; "
        "rawclient sends the end of one message with the next MAIL, RCPT "
        "and DATA in one write (RFC 2920), its rate is from connect to "
        "QUIT; tern flush's wall is the whole process")
    table(rows, ("server", "sender", "accepted", "wall", "msg/s", "notes"))


# ================================================================ bench 3

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def one_send(tag, srv, env, peers, runs):
    """tern send vs PEERS (name -> argv), RUNS interleaved rotating runs
    each after a warm-up, then three runs each under GNU time for the
    peak RSS.  Returns {name: (median wall, median CPU, peak RSS)} or
    None when tern did not deliver."""
    body = os.path.join(T, tag + "-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    tern = [TERN, "send", "-s", "Minutes of Tuesday", RCPT]
    before = srv.count()
    r = measure(tern, env, body)
    if not r.ok or srv.count() != before + 1:
        return None
    msg = os.path.join(T, tag + "-msg.eml")        # the message tern sent
    shutil.copy(srv.eml(srv.count()), msg)
    tools = {"tern": (tern, env, body)}
    penv = peer_env(tag)
    for name, argv in peers.items():
        tools[name] = (argv, penv, msg)
    for name, (argv, e, inp) in tools.items():     # warm the caches
        if name != "tern":
            measure(argv, e, inp)
    before = srv.count()
    results = {n: [] for n in tools}
    failures = {n: 0 for n in tools}
    names = list(tools)
    for i in range(runs):                          # interleaved, rotating
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            argv, e, inp = tools[name]
            rr = measure(argv, e, inp)
            if rr.ok:
                results[name].append(rr)
            else:
                failures[name] += 1
    rssrun = {n: [] for n in tools}
    for i in range(3):
        for name in names:
            argv, e, inp = tools[name]
            rr = measure(argv, e, inp, rss=True)
            if rr.ok:
                rssrun[name].append(rr)
    srv.drop_spool()
    arrived = srv.count() - before
    want = sum(len(v) for v in results.values()) + \
        sum(len(v) for v in rssrun.values())
    say("  message: %d bytes (the one tern built, fed to the peers), %d "
        "interleaved runs each, median" % (os.path.getsize(msg), runs))
    med = {}
    rows = []
    for name in names:
        rs = results[name]
        if not rs:
            continue
        med[name] = (statistics.median(x.wall for x in rs),
                     statistics.median(x.cpu for x in rs),
                     max_rss(rssrun[name]))
        rows.append((name, ms(med[name][0]), ms(min(x.wall for x in rs)),
                     ms(med[name][1]), mib(med[name][2]), len(rs),
                     failures[name]))
    table(rows, ("tool", "wall median", "wall min", "CPU median",
                 "peak RSS", "runs", "failed"))
    if arrived != want:
        INVALID.append("3")
        say("  ! the server accepted %d messages, the tools reported %d"
            % (arrived, want))
    return med


def last_verified(env):
    """The verification of the store's newest delivery (1 verified)."""
    con = sqlite3.connect(store_path(env))
    try:
        r = con.execute("SELECT verified, verify FROM deliveries ORDER BY "
                        "id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return r


def resumed_send(tag, srv_args, config_of, runs, full, med):
    """Bench 3's resumed send: tern send to a server that offers TLS
    session tickets (tests/smtpd --session-tickets), RUNS runs after a
    first send that kept a ticket, so that each run resumes the session
    the previous one left; beside the full handshake's figure FULL (wall,
    CPU) and the peers' MED (which resume nothing across runs).  Prints;
    asserts nothing."""
    srv = Server(tag, *(list(srv_args) + ["--session-tickets"]))
    env = tern_env(tag, config_of(srv.port))
    body = os.path.join(T, tag + "-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    tern = [TERN, "send", "-s", "Minutes of Tuesday", RCPT]
    first = measure(tern, env, body)
    rs = [measure(tern, env, body) for _ in range(runs)] if first.ok else []
    rs = [r for r in rs if r.ok]
    srv.wait_sessions(len(rs) + 1)
    srv.stop()
    resumed = 0
    try:
        with open(os.path.join(srv.spool, "sessions.jsonl")) as f:
            resumed = sum(1 for ln in f if json.loads(ln).get("tls_resumed"))
    except (OSError, ValueError):
        pass
    con = sqlite3.connect(store_path(env))
    try:
        rec = con.execute("SELECT tls_resumed, verified FROM deliveries "
                          "ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        rec = None
    finally:
        con.close()
    if not rs:
        say("  resumed send: tern send did not deliver; skipped")
        return
    w = statistics.median(x.wall for x in rs)
    c = statistics.median(x.cpu for x in rs)
    say("  resumed send (the server offers tickets; %d runs after a first "
        "that kept one): %d of %d sessions resumed at the server; the last "
        "record: resumed = %s, verified = %s" % (
            len(rs), resumed, len(rs) + 1, rec[0] if rec else "?",
            rec[1] if rec else "?"))
    for k, what, v in ((1, "CPU", c), (0, "wall", w)):
        rr = ratio(v, full[k])
        row("3", "one send resumed, system store, %s" % what, ms(v),
            "full handshake %s" % ms(full[k]), rr, "(printed only)", None)
        say("  resumed %s: %s; full handshake %s (%s)" % (what, ms(v),
            ms(full[k]), rtxt(rr)))
    for peer, k, what, v in (("msmtp", 1, "CPU", c), ("curl", 0, "wall", w)):
        if peer in med:
            say("  resumed %s: tern / %s = %s (target 3: <= %s)" % (
                what, peer, rtxt(ratio(v, med[peer][k])),
                "0.80x" if peer == "msmtp" else "1.00x"))


def bench3_system():
    """Run inside a private mount namespace where the system bundle is the
    system's plus the test CA (bench3 starts it), or else with tls = may
    against a certificate nobody trusts."""
    runs = max(env_int("BENCH_RUNS", 25), 1)
    mode = os.environ.get("BENCH_TRUST_MODE", "may")
    if mode == "namespace":
        srv_args = ("--cert", CERT, "--key", KEY)
        def config_of(port):
            return ("from = Alice <%s>\nrelay = smtp://localhost:%d\n"
                    "timeout = 30\nnext_hop = no\n" % (FROM_ADDR, port))
        srv = Server("b3s", *srv_args)
        env = tern_env("b3s", config_of(srv.port))
        peers = peer_argv(srv.port, "b3s", system=True)
    else:
        selfc = os.path.join(CERTS, "self.pem")
        selfk = os.path.join(CERTS, "self-key.pem")
        srv_args = ("--cert", selfc, "--key", selfk)
        def config_of(port):
            return ("from = Alice <%s>\nrelay = smtp://localhost:%d\n"
                    "tls = may\ntimeout = 30\nnext_hop = no\n"
                    % (FROM_ADDR, port))
        srv = Server("b3s", *srv_args)
        env = tern_env("b3s", config_of(srv.port))
        peers = peer_argv(srv.port, "b3s", system=True)
        if "msmtp" in peers:
            rc = peers["msmtp"][2]
            with open(rc) as f:
                text = f.read()
            with open(rc, "w") as f:
                f.write(text.replace("tls_trust_file system\n",
                                     "tls_trust_file system\n"
                                     "tls_certcheck off\n"))
        if "curl" in peers:
            peers["curl"].insert(1, "--insecure")
    med = one_send("b3s", srv, env, peers, runs)
    srv.stop()
    if med is None:
        INVALID.append("3")
        say("  tern send did not deliver; skipped")
        return
    v = last_verified(env)
    say("  tern's record of its last send: verified = %s (%s)" % v if v
        else "  no delivery record")
    if mode == "namespace" and (not v or v[0] != 1):
        INVALID.append("3")
        say("  ! the send was not verified against the system store")
    t = med["tern"]
    for peer, k, what, lim in (("msmtp", 1, "CPU", 0.8),
                               ("curl", 0, "wall", 1.0)):
        if peer not in med:
            row("3", "one send, system store, %s" % what, ms(t[k]),
                "%s not installed" % peer, "-", "<= %.2fx %s" % (lim, peer),
                None)
            continue
        rr = ratio(t[k], med[peer][k])
        row("3", "one send, system store, %s" % what, ms(t[k]),
            "%s %s" % (peer, ms(med[peer][k])), rr, "<= %.2fx" % lim,
            rr <= lim)
        other = [n for n in med if n not in ("tern", peer)]
        for o in other:
            say("  %s: tern / %s = %s" % (what, o, rtxt(ratio(t[k],
                                                               med[o][k]))))
    resumed_send("b3r", srv_args, config_of, runs, t, med)


def bench3():
    head("3. One send through the system trust store (no ca_file)")
    note_absent()
    bundle = os.path.join(T, "system-plus-test-ca.pem")
    mode = "may"
    why = ""
    if os.geteuid() != 0:
        why = "not root"
    elif not os.path.isfile(SYSTEM_BUNDLE):
        why = "no %s" % SYSTEM_BUNDLE
    elif not have("unshare"):
        why = "no unshare(1)"
    else:
        with open(bundle, "wb") as out:
            for p in (SYSTEM_BUNDLE, CA):
                with open(p, "rb") as f:
                    out.write(f.read().rstrip(b"\n") + b"\n")
        probe = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "mount", "--bind",
             bundle, SYSTEM_BUNDLE], stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        if probe.returncode == 0:
            mode = "namespace"
        else:
            why = "unshare -m failed: %s" % probe.stderr.decode(
                "utf-8", "replace").strip()
    with open(SYSTEM_BUNDLE, "rb") as f:
        nca = f.read().count(b"BEGIN CERTIFICATE")
    if mode == "namespace":
        say("  a throw-away system store: in a private mount namespace "
            "(unshare -m), %s is bind-mounted over by a copy with the test "
            "CA added (%d + 1 CAs), so tern (no ca_file, default policy), "
            "msmtp (tls_trust_file system) and curl (its default CA "
            "bundle) all verify the server through the real system store; "
            "nothing outside the namespace sees it" % (SYSTEM_BUNDLE, nca))
    else:
        say("  no private system store (%s): tern with tls = may against a "
            "self-signed certificate, which loads the system store (%d CAs) "
            "and does not verify; msmtp with tls_certcheck off, curl "
            "--insecure" % (why, nca))
    rowsf = os.path.join(T, "b3-rows.json")
    env = dict(os.environ)
    env["BENCH_TRUST_MODE"] = mode
    env["BENCH_ROWS"] = rowsf
    me = [sys.executable, os.path.abspath(__file__), "--child", "3s"]
    if mode == "namespace":
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" "$1" && shift && exec "$@"', bundle,
                SYSTEM_BUNDLE] + me
    else:
        argv = me
    subprocess.run(argv, env=env, stdin=subprocess.DEVNULL)
    try:
        with open(rowsf) as f:
            got = json.load(f)
        SUMMARY.extend(tuple(r) for r in got["summary"])
        INVALID.extend(got["invalid"])
    except (OSError, ValueError, KeyError):
        INVALID.append("3")
        say("  ! the system-store run reported nothing")

    head("3b. One send with ca_file (the test CA only; issue 6)")
    runs = max(env_int("BENCH_RUNS", 25), 1)
    srv = Server("b3c", "--cert", CERT, "--key", KEY)
    env = tern_env("b3c", relay_config(srv.port))
    med = one_send("b3c", srv, env, peer_argv(srv.port, "b3c"), runs)
    srv.stop()
    if med is None:
        INVALID.append("3")
        say("  tern send did not deliver; skipped")
        return
    peers = [n for n in med if n != "tern"]
    for k, what in ((0, "wall"), (1, "CPU")):
        if not peers:
            continue
        best = min(peers, key=lambda n: med[n][k])
        rr = ratio(med["tern"][k], med[best][k])
        row("3", "one send, ca_file, %s" % what, ms(med["tern"][k]),
            "%s %s" % (best, ms(med[best][k])), rr, "<= 1.00x (issue 6)",
            rr <= 1.0)


# ================================================================ bench 4

def bench4():
    size = 20 * MIB
    head("4. A 20 MiB message over loopback TLS")
    srv = Server("b4", "--cert", CERT, "--key", KEY)
    env = tern_env("b4", relay_config(srv.port))
    body = os.path.join(T, "b4-body.txt")
    write_body(body, size)
    runs = 3
    tern = [TERN, "send", "-s", "A big one", RCPT]
    results = {"tern": []}
    first = measure(tern, env, body, timeout=300, rss=True)
    if not first.ok or srv.count() != 1:
        INVALID.append("4")
        say("  tern send did not deliver the big message; skipped")
        return
    msg = os.path.join(T, "b4-msg.eml")
    shutil.copy(srv.eml(1), msg)
    srv.drop_spool()
    msize = os.path.getsize(msg)
    tools = {"tern": (tern, env, body)}
    penv = peer_env("b4")
    for name, argv in peer_argv(srv.port, "b4").items():
        tools[name] = (argv, penv, msg)
        results[name] = []
    note_absent()
    before = srv.count()
    want = 0
    for i in range(runs):
        for name, (argv, e, inp) in tools.items():
            r = measure(argv, e, inp, timeout=300, rss=True)
            if r.ok:
                results[name].append(r)
                want += 1
            srv.drop_spool()
    if srv.count() - before != want:
        INVALID.append("4")
        say("  ! the server accepted %d, the tools reported %d"
            % (srv.count() - before, want))
    say("  body %.1f MiB of 72-column ASCII text; on the wire %.1f MiB; "
        "median of %d interleaved runs each; peak RSS from GNU time"
        % (size / MIB, msize / MIB, runs))
    rows = []
    med = {}
    for name, rs in results.items():
        if not rs:
            continue
        w = statistics.median(x.wall for x in rs)
        m = max_rss(rs)
        med[name] = (w, m, msize / MIB / w,
                     statistics.median(x.cpu for x in rs))
        rows.append((name, secs(w), "%.0f MiB/s" % med[name][2],
                     ms(med[name][3]), mib(m),
                     "%.2fx" % (m * 1024.0 / msize) if m else "-"))
    table(rows, ("tool", "wall", "throughput", "CPU", "peak RSS",
                 "RSS / message"))
    srv.stop()
    if "tern" not in med:
        return
    tr = med["tern"]
    if "curl" in med:
        q = ratio(tr[2], med["curl"][2])
        row("4", "20 MiB send, throughput", "%.0f MiB/s" % tr[2],
            "curl %.0f MiB/s" % med["curl"][2], q, ">= 0.50x", q >= 0.5)
        say("  CPU: tern / curl = %s" % rtxt(ratio(tr[3], med["curl"][3])))
    else:
        row("4", "20 MiB send, throughput", "%.0f MiB/s" % tr[2],
            "curl not installed", "-", ">= 0.50x curl", None)
    rr = tr[1] * 1024.0 / msize if tr[1] else None
    row("4", "20 MiB send, peak RSS", mib(tr[1]), "message %.1f MiB" %
        (msize / MIB), "%.2fx msg" % rr if rr else "-", "<= 1.50x msg",
        rr <= 1.5 if rr else None)


# ================================================================ bench 5

def startup(n):
    """tests/bench/startup.sh: the interface's first screen on a store of
    N messages and 10,000 contacts (it needs sqlite3 and tmux)."""
    head("5. Interface start on %d messages and 10,000 contacts "
         "(tests/bench/startup.sh)" % n)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "startup.sh")
    env = dict(os.environ)
    env["MESSAGES"] = str(n)
    env["TMPDIR"] = T
    p = subprocess.run(["sh", script], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=600)
    for ln in p.stdout.splitlines():
        say("  " + ln)
    if p.returncode == 77:
        row("5", "interface start, first screen", "-", "skipped "
            "(sqlite3, tmux)", "-", "< 15 ms", None)
        return
    m = re.search(r"first screen: median ([0-9.]+) ms", p.stdout)
    k = re.search(r"peak memory \(RSS\): ([0-9.]+) MiB", p.stdout)
    if p.returncode != 0 or not m or not k:
        INVALID.append("5")
        say("  ! startup.sh failed (exit %d)" % p.returncode)
        return
    t, r = float(m.group(1)), float(k.group(1))
    row("5", "interface start, first screen", "%.1f ms" % t,
        "target 15 ms", ratio(t, 15.0), "< 15 ms", t < 15.0)
    row("5", "interface start, peak RSS", "%.1f MiB" % r, "target 16 MiB",
        ratio(r, 16.0), "< 16 MiB", r < 16.0)


def bench5():
    n = max(env_int("BENCH_STORE", 100000), 2)
    startup(n)
    head("5b. tern log and tern outbox on a store of %d messages" % n)
    srv = Server("b5", "--cert", CERT, "--key", KEY)
    body = os.path.join(T, "b5-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    # one store of sent mail (for log), one with everything queued (outbox)
    elog = tern_env("b5-log", relay_config(srv.port))
    r = measure([TERN, "send", "-s", "Minutes of Tuesday", RCPT], elog, body)
    eout = tern_env("b5-outbox", relay_config(free_port()))
    r2 = measure([TERN, "send", "-s", "Minutes of Tuesday", RCPT], eout,
                 body, ok_status=(75,))
    srv.stop()
    if not r.ok or r2.status != 75:
        INVALID.append("5")
        say("  could not make the template messages; skipped")
        return
    t0 = time.perf_counter()
    nlog = clone_store(store_path(elog), n)
    nout = clone_store(store_path(eout), n)
    say("  stores built with SQL from one real message each in %s: %d sent "
        "(%.0f MiB), %d queued (%.0f MiB)" % (
            secs(time.perf_counter() - t0), nlog,
            os.path.getsize(store_path(elog)) / MIB, nout,
            os.path.getsize(store_path(eout)) / MIB))
    runs = 3
    cap = max(env_int("BENCH_CAP", 60), 1)
    rows = []
    for label, argv, env in (
            ("tern log", [TERN, "log"], elog),
            ("tern log --json", [TERN, "log", "--json"], elog),
            ("tern outbox", [TERN, "outbox"], eout)):
        # a warm-up run that also gives the peak RSS; a slow command is
        # run once only, and killed at the cap
        warm = measure(argv, env, first_line=True, timeout=cap, rss=True)
        note = ""
        if warm.timed_out or warm.wall > 5:
            rs, rssrun = [warm], [warm]
            note = ("killed after %d s" % cap if warm.timed_out else
                    "slow: one run only")
        else:
            rs = []
            for _ in range(runs):
                rr = measure(argv, env, first_line=True, timeout=cap)
                if rr.ok or rr.first is not None:
                    rs.append(rr)
            rssrun = [warm] + [measure(argv, env, first_line=True,
                                       timeout=cap, rss=True)]
        if not rs:
            rows.append((label, "-", "-", "-", "-", "failed"))
            continue
        firsts = [x.first for x in rs if x.first is not None]
        first = statistics.median(firsts) if firsts else None
        rss = max_rss(rssrun)
        wall = statistics.median(x.wall for x in rs)
        if not note and not all(x.ok for x in rs):
            note = "exit %s" % rs[-1].status
        fshow = ms(first) if first is not None else "> %s" % ms(wall)
        rows.append((label, fshow, ("> " if warm.timed_out else "") +
                     ms(wall), mib(rss), rs[-1].lines, note))
        row("5", "%s, first line" % label, fshow, "target 10 ms",
            ratio(first if first is not None else wall, 0.010), "< 10 ms",
            first is not None and first < 0.010)
    say("  stdout is a pipe read by python3 (the first line arrives when "
        "tern writes it); median of %d runs after a warm-up, peak RSS the "
        "higher of two runs under GNU time; a command slower than 5 s is run "
        "once, killed at %d s (BENCH_CAP)" % (runs, cap))
    table(rows, ("command", "first line", "whole run", "peak RSS",
                 "lines out", "notes"))




# ================================================================ bench 6

def strace_syncs(argv, env, stdin):
    """fdatasync and fsync calls of one run of ARGV (with its children),
    from strace -c; (fdatasync, fsync, exit status)."""
    fd, out = tempfile.mkstemp(prefix="strace.", dir=T)
    os.close(fd)
    r = measure(["strace", "-f", "-c", "-o", out, "-e",
                 "trace=fdatasync,fsync"] + argv, env, stdin,
                ok_status=(0, 75))
    calls = {"fdatasync": 0, "fsync": 0}
    with open(out) as f:
        for ln in f:
            w = ln.split()
            if len(w) >= 5 and w[-1] in calls:
                try:
                    calls[w[-1]] = int(w[3])
                except ValueError:
                    pass
    os.unlink(out)
    return calls["fdatasync"], calls["fsync"], r.status


def bench6():
    today = 5           # issue 13, measured on 2737b8b
    head("6. fdatasync / fsync calls per send (strace -c -f)")
    if not have("strace"):
        say("  strace not installed (apt-get install strace); skipped")
        row("6", "fdatasync per send", "-", "strace not installed", "-",
            "< %d" % today, None)
        return
    runs = 3
    srv = Server("b6s", "--cert", CERT, "--key", KEY)
    env = tern_env("b6s", relay_config(srv.port))
    body = os.path.join(T, "b6s-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    tern = [TERN, "send", "-s", "Minutes of Tuesday", RCPT]
    measure(tern, env, body)                # the store exists: a 2nd send
    got = {"tern send": [strace_syncs(tern, env, body) for _ in
                         range(runs)]}
    msg = os.path.join(T, "b6s-msg.eml")
    shutil.copy(srv.eml(srv.count()), msg)
    penv = peer_env("b6s")
    for name, argv in peer_argv(srv.port, "b6s").items():
        got[name] = [strace_syncs(argv, penv, msg) for _ in range(runs)]
    note_absent()
    srv.drop_spool()
    # per message of a flush of 100 queued messages
    n = 100
    qenv = queued_store("b6q", n)
    if qenv is not None:
        write_config(qenv, relay_config(srv.port))
        b, sess0 = srv.count(), srv.sessions()
        d, s, st = strace_syncs([TERN, "flush"], qenv, None)
        srv.wait_sessions(sess0 + 1)
        ok = srv.count() - b
        got["tern flush (per message)"] = [(d / max(ok, 1), s / max(ok, 1),
                                            st)]
        drop_env(qenv)
        srv.drop_spool()
    srv.stop()
    rows = []
    med = {}
    for name, rs in got.items():
        d = statistics.median(x[0] for x in rs)
        s = statistics.median(x[1] for x in rs)
        med[name] = (d, s)
        rows.append((name, ("%.2f" if d != int(d) else "%d") % d,
                     ("%.2f" if s != int(s) else "%d") % s, len(rs),
                     " ".join(str(x[2]) for x in rs)))
    table(rows, ("run", "fdatasync", "fsync", "runs", "exit"))
    say("  the second send into an existing store (the first makes the "
        "schema); %d at 2737b8b (issue 13)" % today)
    t = med["tern send"]
    tsync = t[0] + t[1]
    if "msmtp" in med:
        m = med["msmtp"][0] + med["msmtp"][1]
        row("6", "fdatasync+fsync per send", "%g" % tsync, "msmtp %g" % m,
            "%g more" % (tsync - m), "< %d (%d today)" % (today, today),
            tsync < today)
    else:
        row("6", "fdatasync+fsync per send", "%g" % tsync,
            "msmtp not installed", "-", "< %d" % today, tsync < today)
    if "tern flush (per message)" in med:
        f = med["tern flush (per message)"]
        row("6", "fdatasync+fsync per flushed message", "%.2f" % (f[0] +
                                                                  f[1]),
            "-", "-", "(none)", None)


# ================================================================ bench 7

def bench7():
    ndom = 50
    delay = 200
    head("7. Direct mode to %d domains, each reply delayed %d ms"
         % (ndom, delay))
    srv = Server("b3", "--cert", CERT, "--key", KEY, "--delay", str(delay))
    domains = ["d%02d.example" % (i + 1) for i in range(ndom)]
    routes = "".join("\n[route %s]\nhost = localhost:%d\n" % (d, srv.port)
                     for d in domains)

    def config(extra):
        return ("from = Alice <%s>\nrelay = direct\nca_file = %s\n"
                "timeout = 30\n%s%s" % (FROM_ADDR, CA, extra, routes))
    body = os.path.join(T, "b3-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    say("  one server (threaded, STARTTLS, --delay %d) behind %d [route] "
        "entries; one tern send to bob@ each domain" % (delay, ndom))

    def run(name, extra, doms):
        env = tern_env("b3-" + name, config(extra))
        before = srv.count()
        r = measure([TERN, "send", "-s", "To %d domains" % len(doms)]
                    + ["bob@" + d for d in doms], env, body, timeout=600,
                    ok_status=(0, 75), rss=True)
        got = srv.count() - before
        if got != len(doms):
            INVALID.append("7")
            say("  ! %s: the server accepted %d of %d" % (name, got,
                                                          len(doms)))
        return r, got
    full = os.environ.get("BENCH_SERIAL_FULL") == "1"
    nser = ndom if full else 5
    rows = []
    rdef, gdef = run("default", "", domains)
    rows.append(("default (not set)", ndom, gdef, secs(rdef.wall),
                 secs(rdef.wall), "measured"))
    r50, g50 = run("c50", "concurrency = %d\n" % ndom, domains)
    rows.append(("concurrency = %d" % ndom, ndom, g50, secs(r50.wall),
                 secs(r50.wall), "measured"))
    rser, gser = run("serial", "concurrency = 1\n", domains[:nser])
    est = rser.wall * ndom / nser
    rows.append(("concurrency = 1", nser, gser, secs(rser.wall), secs(est),
                 "measured" if full else "%d domains measured, x%d"
                 % (nser, ndom // nser)))
    table(rows, ("concurrency", "domains", "accepted", "wall",
                 "wall for %d" % ndom, "how"))
    say("  one domain, one at a time: %s (about %d replies x %d ms)"
        % (secs(rser.wall / nser), round(rser.wall / nser / (delay / 1000.0)),
           delay))
    if not full:
        say("  the serial run is capped at %d domains and extrapolated "
            "(BENCH_SERIAL_FULL=1 runs all %d, about %s)" % (
                nser, ndom, secs(est)))
    rr = ratio(rdef.wall, est)
    say("  default / serial = %s; target: under 2 s with the default "
        "concurrency" % rtxt(rr))
    row("7", "%d domains, wall (default conc.)" % ndom, secs(rdef.wall),
        "serial %s%s" % (secs(est), "" if full else " (est.)"), rr, "< 2 s",
        rdef.wall < 2.0 and gdef == ndom)
    srv.stop()




# ================================================================ bench 8

def bench8():
    tmo = 2
    runs = 3
    head("8. Bounded waits, timeout = %d s (median of %d)" % (tmo, runs))
    srv = Server("b6", "--starttls", "none", "--fault", "stall")
    env = tern_env("b6", "from = Alice <%s>\nrelay = smtp://127.0.0.1:%d\n"
                   "timeout = %d\nnext_hop = no\n" % (FROM_ADDR, srv.port, tmo))
    body = os.path.join(T, "b6-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    walls = []
    for _ in range(runs):
        r = measure([TERN, "send", "-s", "silent", RCPT], env, body,
                    timeout=120, ok_status=(75,))
        if r.timed_out or r.status != 75:
            INVALID.append("8")
            say("  ! tern send to a silent server: status %s%s" % (
                r.status, ", killed after 120 s" if r.timed_out else ""))
        walls.append(r.wall)
    w = statistics.median(walls)
    say("  tern send, server that accepts and never greets: %s" % secs(w))
    row("8", "silent server, give up", secs(w), "-", "-",
        "about %d s (one step)" % tmo, w < tmo + 1.0)
    srv.stop()

    client = os.path.join(os.environ.get("top_builddir", "."), "tests",
                          "unit", "test-dns")
    if not os.access(client, os.X_OK):
        say("  no %s (make tests/unit/test-dns; needs cmocka): no DNS "
            "figure" % client)
        return
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    walls = []
    try:
        for _ in range(runs):
            r = measure([client, "lookup", "example.test", "127.0.0.1",
                         str(port), str(tmo)], timeout=120, ok_status=(1,))
            walls.append(r.wall)
    finally:
        u.close()
    w = statistics.median(walls)
    say("  MX lookup, resolver that never answers: %s" % secs(w))
    row("8", "dead resolver, MX lookup", secs(w), "-", "-",
        "about %d s" % tmo, w < tmo + 1.0)


BENCHES = {"1": bench1, "2": bench2, "3": bench3, "4": bench4, "5": bench5,
           "6": bench6}



# ============================================================== machine

def machine():
    head("Machine")
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    cpu = ln.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    osname = platform.platform()
    try:
        with open("/etc/os-release") as f:
            for ln in f:
                if ln.startswith("PRETTY_NAME="):
                    osname = ln.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GiB" % (int(f.readline().split()[1]) / 1024.0 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    say("  %s, %d CPUs, %s RAM; %s, kernel %s" % (
        cpu, os.cpu_count() or 0, mem, osname, platform.release()))
    rev = "?"
    top = os.environ.get("top_srcdir", "")
    if top and have("git"):
        try:
            rev = subprocess.run(
                ["git", "-C", top, "describe", "--always", "--dirty"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                universal_newlines=True, timeout=10).stdout.strip() or "?"
        except (OSError, subprocess.SubprocessError):
            pass
    say("  tern %s (%s)" % (rev, TERN))
    for p, arg in (("msmtp", "--version"), ("curl", "--version"),
                   ("strace", "-V")):
        if have(p):
            out = subprocess.run([p, arg], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL,
                                 universal_newlines=True).stdout
            say("  " + out.splitlines()[0] if out else "  %s ?" % p)
        else:
            say("  %s: not installed" % p)
    say("  python %s" % platform.python_version())
    if not GNU_TIME:
        say("  GNU time: not installed, no peak RSS figures (apt-get install "
            "time)")




# ================================================================= main

BENCHES = {"1": bench1, "2": bench2, "3": bench3, "4": bench4, "5": bench5,
           "6": bench6, "7": bench7, "8": bench8}
CHILDREN = {"3s": bench3_system}


def child(name):
    """A part run in another process (bench 3's private mount namespace):
    its rows go to $BENCH_ROWS for the parent's summary."""
    atexit.register(stop_all)
    try:
        CHILDREN[name]()
    except (OSError, sqlite3.Error) as e:
        INVALID.append(name[0])
        say("  ! %s broke: %s" % (name, e))
    finally:
        stop_all()
    with open(os.environ["BENCH_ROWS"], "w") as f:
        json.dump({"summary": SUMMARY, "invalid": INVALID}, f)
    return 0


def main():
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2])
    which = [a for a in sys.argv[1:]] or list(BENCHES)
    for w in which:
        if w not in BENCHES:
            raise SystemExit("usage: bench.py [%s]..." % "|".join(BENCHES))
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    t0 = time.perf_counter()
    machine()
    for w in which:
        tb = time.perf_counter()
        try:
            BENCHES[w]()
        except (OSError, sqlite3.Error, subprocess.SubprocessError) as e:
            INVALID.append(w)
            say("  ! benchmark %s broke: %s" % (w, e))
        finally:
            stop_all()
        say("  (benchmark %s took %s)" % (w, secs(time.perf_counter() - tb)))
    head("Summary (ratio = tern / peer; targets 1-6 from issue 13, the "
         "others from issue 6; nothing asserted)")
    table(SUMMARY, ("#", "figure", "tern", "peer", "ratio", "target",
                    "status"))
    say("")
    say("total %s" % secs(time.perf_counter() - t0))
    if INVALID:
        say("INVALID: benchmark(s) %s: not every message arrived, see above"
            % ", ".join(sorted(set(INVALID))))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
