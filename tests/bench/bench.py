#!/usr/bin/env python3
"""tern's benchmarks (issue 6), run by tests/bench/run.sh ("make bench").

Five benchmarks, each printed with its peers' figures, the ratio and the
target.  Nothing here asserts anything about time: a missed target is
printed as such and the exit status stays 0.  A benchmark whose sends do
not arrive at the server is reported as invalid (exit status 1), since its
figures would mean nothing.

  1  one message over STARTTLS: tern send vs msmtp vs curl --ssl-reqd
  2  a queue of 1,000 messages: tern flush vs 1,000 msmtp / curl runs vs
     a pipelining raw client (the server's own acceptance rate)
  3  direct mode to 50 domains behind a server that waits 200 ms before
     every reply: default concurrency vs concurrency = 1
  4  a 20 MiB message: peak RSS and throughput, vs msmtp and curl
  5  tern log / tern outbox on a store of 100,000 messages: time to the
     first line and peak RSS
  6  bounded waits (moved here from tests/integration/replies.sh, dns.sh
     and tests/unit/test-dns.c, which only check that nothing hangs): how
     long tern send takes to give up on a server that never greets, and
     a DNS lookup on a resolver that never answers, with timeout = 2

Environment: TERN, SMTPD (binaries), T (a scratch directory with the test
certificates in $T/certs, made by tests/integration/lib.sh's t_certs).
Knobs: BENCH_RUNS (bench 1, default 25), BENCH_QUEUE (bench 2, default
1000), BENCH_STORE (bench 5, default 100000), BENCH_SERIAL_FULL=1 (bench 3:
run the serial contrast on all 50 domains instead of 5, extrapolated).
Standard library only; Python 3.7 or later.
"""

import atexit
import os
import platform
import shutil
import signal
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TERN = os.environ["TERN"]
SMTPD = os.environ["SMTPD"]
T = os.environ["T"]
CERTS = os.path.join(T, "certs")
CA = os.path.join(CERTS, "ca.pem")
CERT = os.path.join(CERTS, "good-chain.pem")
KEY = os.path.join(CERTS, "good-key.pem")
FROM_ADDR = "alice@example.org"
RCPT = "bob@example.org"
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
        try:
            with open(os.path.join(self.spool, f), "rb") as fp:
                return fp.read().count(b"\n")
        except FileNotFoundError:
            return 0

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
    return ("from = Alice <%s>\nrelay = smtp://localhost:%d\n"
            "ca_file = %s\ntimeout = 30\n%s" % (FROM_ADDR, port, CA, extra))


def store_path(env):
    return os.path.join(env["XDG_DATA_HOME"], "tern", "tern.db")


# ----------------------------------------------------------------- peers

def have(prog):
    return shutil.which(prog) is not None


def msmtp_rc(port, name):
    """An msmtp config for the loopback server: STARTTLS, the test CA."""
    path = os.path.join(T, "msmtprc-" + name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("defaults\nauth off\ntls on\ntls_starttls on\n"
                "tls_trust_file %s\n\naccount bench\nhost localhost\n"
                "port %d\nfrom %s\n\naccount default : bench\n"
                % (CA, port, FROM_ADDR))
    return path


def peer_argv(port, name):
    """argv for each peer that is installed (message on stdin / -T -)."""
    peers = {}
    if have("msmtp"):
        peers["msmtp"] = [shutil.which("msmtp"), "-C", msmtp_rc(port, name),
                          "-a", "bench", RCPT]
    if have("curl"):
        peers["curl"] = [shutil.which("curl"), "-sS", "--ssl-reqd",
                         "--cacert", CA, "--mail-from", FROM_ADDR,
                         "--mail-rcpt", RCPT, "-T", "-",
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


# ================================================================ bench 1

def bench1():
    head("1. One message over STARTTLS to a loopback server")
    runs = max(env_int("BENCH_RUNS", 25), 1)
    srv = Server("b1", "--cert", CERT, "--key", KEY)
    env = tern_env("b1", relay_config(srv.port))
    body = os.path.join(T, "b1-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    tern = [TERN, "send", "-s", "Minutes of Tuesday", RCPT]
    r = measure(tern, env, body)
    if not r.ok or srv.count() != 1:
        INVALID.append("1")
        say("  tern send did not deliver; skipped")
        return
    msg = os.path.join(T, "b1-msg.eml")        # the message tern sent
    shutil.copy(srv.eml(1), msg)
    tools = {"tern": (tern, env, body)}
    penv = peer_env("b1")
    for name, argv in peer_argv(srv.port, "b1").items():
        tools[name] = (argv, penv, msg)
    note_absent()
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
            r = measure(argv, e, inp)
            if r.ok:
                results[name].append(r)
            else:
                failures[name] += 1
    rssrun = {n: [] for n in tools}
    for i in range(3):          # peak RSS, through GNU time
        for name in names:
            argv, e, inp = tools[name]
            r = measure(argv, e, inp, rss=True)
            if r.ok:
                rssrun[name].append(r)
    arrived = srv.count() - before
    want = sum(len(v) for v in results.values()) + \
        sum(len(v) for v in rssrun.values())
    say("  server: tests/smtpd, STARTTLS, TLS 1.3, certificate from the test "
        "CA (all three verify it); Postfix is not run (optional)")
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
        INVALID.append("1")
        say("  ! the server accepted %d messages, the tools reported %d"
            % (arrived, want))
    if "tern" not in med:
        return
    peers = [n for n in med if n != "tern"]
    for k, what in ((0, "wall"), (1, "CPU")):
        if not peers:
            row("1", "one send, %s (median)" % what, ms(med["tern"][k]),
                "no peer installed", "-", "<= fastest peer", None)
            continue
        best = min(peers, key=lambda n: med[n][k])
        rr = ratio(med["tern"][k], med[best][k])
        say("  %s: tern / %s (the faster peer) = %s%s" % (
            what, best, rtxt(rr), "".join(
                ";  tern / %s = %s" % (n, rtxt(ratio(med["tern"][k],
                                                     med[n][k])))
                for n in peers if n != best)))
        row("1", "one send, %s (median)" % what, ms(med["tern"][k]),
            "%s %s" % (best, ms(med[best][k])), rr, "<= 1.00x", rr <= 1.0)
    srv.stop()


# ================================================================ bench 2

class SMTPError(Exception):
    pass


def read_reply(f):
    """One (multi-line) SMTP reply: (code, text)."""
    lines = []
    while True:
        ln = f.readline()
        if not ln:
            raise SMTPError("connection closed")
        lines.append(ln.decode("utf-8", "replace").rstrip("\r\n"))
        if len(ln) < 4 or ln[3:4] != b"-":
            break
    return int(lines[-1][:3]), "\n".join(lines)


def expect(f, code):
    c, text = read_reply(f)
    if c != code:
        raise SMTPError("want %d, got %s" % (code, text))
    return text


def raw_pipelined(port, msg, n):
    """The server's own acceptance rate: one connection, STARTTLS, then N
    transactions, each group (end of the previous message's data, MAIL,
    RCPT, DATA) sent in one write as RFC 2920 allows: one round trip per
    message.  Returns (seconds, messages accepted)."""
    data = msg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    data = data.replace(b"\r\n.", b"\r\n..")
    if data.startswith(b"."):
        data = b"." + data
    data += b".\r\n"
    txn = ("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n"
           % (FROM_ADDR, RCPT)).encode()
    t0 = time.perf_counter()
    sock = socket.create_connection(("localhost", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = sock.makefile("rb")
    expect(f, 220)
    sock.sendall(b"EHLO bench.example\r\n")
    expect(f, 250)
    sock.sendall(b"STARTTLS\r\n")
    expect(f, 220)
    ctx = ssl.create_default_context(cafile=CA)
    tls = ctx.wrap_socket(sock, server_hostname="localhost")
    f = tls.makefile("rb")
    tls.sendall(b"EHLO bench.example\r\n")
    ehlo = expect(f, 250)
    if "PIPELINING" not in ehlo.upper():
        raise SMTPError("no PIPELINING in EHLO")
    accepted = 0
    tls.sendall(txn)
    for i in range(n):
        expect(f, 250)          # MAIL
        expect(f, 250)          # RCPT
        expect(f, 354)          # DATA
        tls.sendall(data + txn if i + 1 < n else data)
        expect(f, 250)          # the message
        accepted += 1
    tls.sendall(b"QUIT\r\n")
    try:
        read_reply(f)
    except SMTPError:
        pass
    wall = time.perf_counter() - t0
    tls.close()
    return wall, accepted


def bench2():
    n = max(env_int("BENCH_QUEUE", 1000), 1)
    head("2. A queue of %d messages to one relay" % n)
    srv = Server("b2", "--cert", CERT, "--key", KEY)
    dead = free_port()
    env = tern_env("b2", relay_config(dead))
    body = os.path.join(T, "b2-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    say("  queueing %d messages with tern send while the relay is down "
        "(localhost:%d refuses) ..." % (n, dead))
    t0 = time.perf_counter()
    queued = 0
    for i in range(n):
        r = measure([TERN, "send", "-s", "Queued message %d" % (i + 1),
                     RCPT], env, body, ok_status=(75,))
        if r.status == 75:
            queued += 1
        elif queued == 0 and i >= 2:
            break
    say("  queued %d in %s (each send found the relay down: exit 75)"
        % (queued, secs(time.perf_counter() - t0)))
    if queued == 0:
        INVALID.append("2")
        say("  nothing queued; skipped")
        return
    write_config(env, relay_config(srv.port))
    con = sqlite3.connect(store_path(env))
    # schema 3 keeps texts in "bodies"; older ones in messages.text
    try:
        last = con.execute("SELECT text FROM bodies ORDER BY id DESC "
                           "LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        last = con.execute("SELECT text FROM messages ORDER BY id DESC "
                           "LIMIT 1").fetchone()
    mtext = bytes(last[0])
    con.close()
    # the server's own rate: one raw run just before the flush and two
    # just after, so that the machine's mood is the same for both
    tries = []

    def raw_try():
        try:
            b = srv.count()
            w, _ = raw_pipelined(srv.port, mtext, n)
            tries.append((w, srv.count() - b))
        except (OSError, SMTPError, ssl.SSLError) as e:
            say("  ! pipelining raw client failed: %s" % e)
        srv.drop_spool()
    raw_try()
    before, sess0 = srv.count(), srv.sessions()
    r = measure([TERN, "flush"], env, timeout=900, ok_status=(0, 75),
                rss=True)
    srv.wait_sessions(sess0 + 1)
    delivered = srv.count() - before
    sessions = srv.sessions() - sess0
    figures = []      # (name, messages, seconds, note)
    figures.append(("tern flush", delivered, r.wall,
                    "one run, %d session(s), CPU %s, peak RSS %s, exit %s" %
                    (sessions, ms(r.cpu), mib(r.rss), r.status)))
    if delivered != queued:
        INVALID.append("2")
        say("  ! tern flush delivered %d of %d" % (delivered, queued))
    msg = os.path.join(T, "b2-msg.eml")
    if delivered:
        shutil.copy(srv.eml(before + 1), msg)
    else:
        with open(msg, "wb") as f:
            f.write(mtext)
    raw_try()
    raw_try()
    srv.drop_spool()
    penv = peer_env("b2")
    note_absent()
    for name, argv in peer_argv(srv.port, "b2").items():
        say("  %d invocations of %s ..." % (n, name))
        before = srv.count()
        cpu = 0.0
        t0 = time.perf_counter()
        for i in range(n):
            rr = measure(argv, penv, msg)
            cpu += rr.cpu
        wall = time.perf_counter() - t0
        got = srv.count() - before
        if got != n:
            INVALID.append("2")
            say("  ! %s delivered %d of %d" % (name, got, n))
        figures.append(("%s x%d" % (name, n), got, wall,
                        "%d processes, CPU %s in all" % (n, secs(cpu))))
        srv.drop_spool()
    with open(msg, "rb") as f:
        mbytes = f.read()
    raw = None
    if tries:
        wall, got = sorted(tries)[len(tries) // 2]
        raw = ("raw client (server rate)", got, wall,
               "python3, one connection, STARTTLS, PIPELINING (end of data "
               "+ MAIL + RCPT + DATA per write); median of runs before and "
               "after the flush: %s msg/s" %
               " ".join("%.0f" % (g / w) for w, g in tries))
        figures.append(raw)
    srv.drop_spool()
    say("  message: %d bytes, server: tests/smtpd with STARTTLS (every run "
        "uses TLS)" % len(mbytes))
    rows = []
    for name, got, wall, note in figures:
        rows.append((name, got, secs(wall),
                     "%.0f" % (got / wall) if wall else "-", note))
    table(rows, ("sender", "delivered", "wall", "msg/s", "notes"))
    rate = {name: (got / wall if wall else None)
            for name, got, wall, _ in figures}
    tr = rate["tern flush"]
    peers = [(k, v) for k, v in rate.items()
             if k not in ("tern flush", "raw client (server rate)")]
    if peers:
        best = max(peers, key=lambda kv: kv[1])
        rr = ratio(tr, best[1])
        say("  tern flush / %s = %s (target >= 20x)" % (best[0], rtxt(rr)))
        row("2", "queue flush, msg/s", "%.0f" % tr, "%s %.0f" % (
            best[0].split()[0], best[1]), rr, ">= 20x", rr >= 20)
    else:
        row("2", "queue flush, msg/s", "%.0f" % tr, "no peer installed",
            "-", ">= 20x", None)
    if raw is not None:
        sr = rate["raw client (server rate)"]
        rr = ratio(tr, sr)
        say("  tern flush / server's own rate = %s (target >= 0.50x, "
            "within 2x)" % rtxt(rr))
        row("2", "queue flush vs server rate", "%.0f" % tr,
            "server %.0f" % sr, rr, ">= 0.50x", rr >= 0.5)
    srv.stop()


# ================================================================ bench 3

def bench3():
    ndom = 50
    delay = 200
    head("3. Direct mode to %d domains, each reply delayed %d ms"
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
            INVALID.append("3")
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
    row("3", "%d domains, wall (default conc.)" % ndom, secs(rdef.wall),
        "serial %s%s" % (secs(est), "" if full else " (est.)"), rr, "< 2 s",
        rdef.wall < 2.0 and gdef == ndom)
    srv.stop()


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
        "median of %d runs each" % (size / MIB, msize / MIB, runs))
    rows = []
    med = {}
    for name, rs in results.items():
        if not rs:
            continue
        w = statistics.median(x.wall for x in rs)
        m = max_rss(rs)
        med[name] = (w, m, msize / MIB / w)
        rows.append((name, secs(w), "%.0f MiB/s" % med[name][2],
                     ms(statistics.median(x.cpu for x in rs)), mib(m),
                     "%.2fx" % (m * 1024.0 / msize) if m else "-"))
    table(rows, ("tool", "wall", "throughput", "CPU", "peak RSS",
                 "RSS / message"))
    if "tern" not in med:
        return
    tr = med["tern"]
    peers = [n for n in med if n != "tern"]
    rr = tr[1] * 1024.0 / msize if tr[1] else None
    rpeers = [n for n in peers if med[n][1]]
    best = min(rpeers, key=lambda n: med[n][1]) if rpeers else None
    row("4", "20 MiB send, peak RSS", mib(tr[1]),
        "%s %s" % (best, mib(med[best][1])) if best else "-",
        "%.2fx msg" % rr if rr else "-", "< 3x msg",
        rr < 3 if rr else None)
    if peers:
        bt = max(peers, key=lambda n: med[n][2])
        q = ratio(tr[2], med[bt][2])
        say("  throughput: tern / %s = %s; peak RSS: tern / %s = %s"
            % (bt, rtxt(q), best, rtxt(ratio(tr[1], med[best][1])
                                       if best else None)))
        row("4", "20 MiB send, throughput", "%.0f MiB/s" % tr[2],
            "%s %.0f MiB/s" % (bt, med[bt][2]), q, "(none)", None)
    srv.stop()


# ================================================================ bench 5

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


def bench5():
    n = max(env_int("BENCH_STORE", 100000), 2)
    head("5. tern log and tern outbox on a store of %d messages" % n)
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
    runs = 5
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
        row("5", "%s, first line" % label, fshow, "target 50 ms",
            ratio(first if first is not None else wall, 0.050), "< 50 ms",
            first is not None and first < 0.050)
        row("5", "%s, whole run" % label, ("> " if warm.timed_out else "")
            + ms(wall), "%d lines" % rs[-1].lines, "-", "(none)", None)
        row("5", "%s, peak RSS" % label, mib(rss), "target 32 MiB",
            ratio(rss, 32 * 1024), "< 32 MiB",
            rss < 32 * 1024 if rss else None)
    say("  stdout is a pipe read by python3 (the first line arrives when "
        "tern writes it); median of %d runs after a warm-up, peak RSS the "
        "higher of two runs under GNU time; a command slower than 5 s is run "
        "once, killed at %d s (BENCH_CAP)" % (runs, cap))
    table(rows, ("command", "first line", "whole run", "peak RSS",
                 "lines out", "notes"))


# ================================================================= main

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
    for p, arg in (("msmtp", "--version"), ("curl", "--version")):
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


# ================================================================ bench 6

def bench6():
    tmo = 2
    runs = 3
    head("6. Bounded waits, timeout = %d s (median of %d)" % (tmo, runs))
    srv = Server("b6", "--starttls", "none", "--fault", "stall")
    env = tern_env("b6", "from = Alice <%s>\nrelay = smtp://127.0.0.1:%d\n"
                   "timeout = %d\n" % (FROM_ADDR, srv.port, tmo))
    body = os.path.join(T, "b6-body.txt")
    with open(body, "w") as f:
        f.write(SHORT_BODY)
    walls = []
    for _ in range(runs):
        r = measure([TERN, "send", "-s", "silent", RCPT], env, body,
                    timeout=120, ok_status=(75,))
        if r.timed_out or r.status != 75:
            INVALID.append("6")
            say("  ! tern send to a silent server: status %s%s" % (
                r.status, ", killed after 120 s" if r.timed_out else ""))
        walls.append(r.wall)
    w = statistics.median(walls)
    say("  tern send, server that accepts and never greets: %s" % secs(w))
    row("6", "silent server, give up", secs(w), "-", "-",
        "about %d s (one step)" % tmo, w < tmo + 1.0)
    srv.stop()

    client = os.path.join(os.environ.get("top_builddir", "."), "tests",
                          "unit", "test-dns")
    if not os.access(client, os.X_OK):
        say("  no %s (cmocka missing?): no DNS figure" % client)
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
    row("6", "dead resolver, MX lookup", secs(w), "-", "-",
        "about %d s" % tmo, w < tmo + 1.0)


BENCHES = {"1": bench1, "2": bench2, "3": bench3, "4": bench4, "5": bench5,
           "6": bench6}


def main():
    which = [a for a in sys.argv[1:]] or list(BENCHES)
    for w in which:
        if w not in BENCHES:
            raise SystemExit("usage: bench.py [1|2|3|4|5|6]...")
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    t0 = time.perf_counter()
    machine()
    for w in which:
        tb = time.perf_counter()
        try:
            BENCHES[w]()
        except (OSError, SMTPError, sqlite3.Error, ssl.SSLError) as e:
            INVALID.append(w)
            say("  ! benchmark %s broke: %s" % (w, e))
        finally:
            stop_all()
        say("  (benchmark %s took %s)" % (w, secs(time.perf_counter() - tb)))
    head("Summary (ratio = tern / peer; targets from issue 6; nothing "
         "asserted)")
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
