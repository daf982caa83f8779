#!/usr/bin/env python3
"""pcap.py: what an SMTP conversation looked like on the wire.

usage: pcap.py FILE.pcap SERVER_PORT

Reads a capture written by "tcpdump -w" (loopback, Ethernet or Linux
cooked or raw link types, IPv4 and IPv6), reassembles each TCP connection
to SERVER_PORT in both directions and prints one JSON line per connection:

  client_port       the client's port (connections come in order)
  plain_commands    what the client sent in plaintext, line by line
  plain_replies     what the server sent in plaintext, line by line
  ehlo_starttls     whether an EHLO reply in plaintext offered STARTTLS
  starttls_reply    the server's reply to STARTTLS (first line) or null
  client_tls        the client's bytes after STARTTLS (or from the start,
                    for implicit TLS) are TLS records and nothing else
  client_hello      the client sent a TLS ClientHello
  server_hello      the server sent a TLS ServerHello
  tls_version       from the ServerHello ("TLS1.3", "TLS1.2", ...)
  cipher            the suite the ServerHello chose (IANA name, if known)
  app_data          both sides exchanged TLS application data records
  plain_after_tls   printable text the client sent after STARTTLS that is
                    not inside TLS records (must be empty)
  server_plain_after_220  plaintext the server sent after its 220 to
                    STARTTLS (response injection)
  alert             a TLS alert record was seen
"""
import json
import struct
import sys

SUITES = {
    0x1301: "TLS_AES_128_GCM_SHA256",
    0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC0AC: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
    0xC0AD: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
}
VERSIONS = {0x0301: "TLS1.0", 0x0302: "TLS1.1", 0x0303: "TLS1.2",
            0x0304: "TLS1.3"}


def packets(path):
    """Yield (src, sport, dst, dport, seq, flags, payload)."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("pcap.py: %s is not a pcap file" % path)
    link = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if link == 1:          # Ethernet
            et, ip = struct.unpack(">H", pkt[12:14])[0], pkt[14:]
        elif link == 113:      # Linux cooked
            et, ip = struct.unpack(">H", pkt[14:16])[0], pkt[16:]
        elif link == 276:      # Linux cooked v2
            et, ip = struct.unpack(">H", pkt[0:2])[0], pkt[20:]
        elif link in (101, 12):  # raw IP
            et = 0x86DD if pkt[0] >> 4 == 6 else 0x0800
            ip = pkt
        elif link == 0:        # BSD loopback
            et, ip = 0x0800, pkt[4:]
        else:
            sys.exit("pcap.py: link type %d not handled" % link)
        if et == 0x0800 and len(ip) >= 20:
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6:
                continue
            tot = struct.unpack(">H", ip[2:4])[0]
            src, dst = ip[12:16], ip[16:20]
            tcp = ip[ihl:tot]
        elif et == 0x86DD and len(ip) >= 40:
            if ip[6] != 6:
                continue
            plen = struct.unpack(">H", ip[4:6])[0]
            src, dst = ip[8:24], ip[24:40]
            tcp = ip[40:40 + plen]
        else:
            continue
        if len(tcp) < 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        yield src, sport, dst, dport, seq, flags, tcp[doff:]


def streams(path, port):
    """[(client port, c2s bytes, s2c bytes)], one per connection in order
    (a connection is its client address and port and its server address:
    one client port may be used again towards another server)."""
    conns = {}
    order = []
    for src, sport, dst, dport, seq, flags, payload in packets(path):
        if dport == port:
            key, d = (src, sport, dst), 0
        elif sport == port:
            key, d = (dst, dport, src), 1
        else:
            continue
        if key not in conns:
            conns[key] = [{}, {}, [None, None]]
            order.append(key)
        c = conns[key]
        if flags & 0x02:       # SYN: the data starts at seq + 1
            c[2][d] = seq + 1
            continue
        if payload:
            c[0 if d == 0 else 1].setdefault(seq, payload)
    out = []
    for key in order:
        c = conns[key]
        dirs = []
        for d in (0, 1):
            segs = c[d]
            if not segs:
                dirs.append(b"")
                continue
            base = c[2][d] if c[2][d] is not None else min(segs)
            buf = bytearray()
            for seq in sorted(segs, key=lambda s: (s - base) % 2 ** 32):
                rel = (seq - base) % 2 ** 32
                p = segs[seq]
                if rel > len(buf):
                    buf.extend(b"\0" * (rel - len(buf)))  # lost data
                buf[rel:rel + len(p)] = p
            dirs.append(bytes(buf))
        out.append((key[1], dirs[0], dirs[1]))
    return out


def records(b):
    """Split TLS records; return (list of (type, body), leftover bytes)."""
    recs = []
    i = 0
    while i + 5 <= len(b):
        t, v, n = b[i], struct.unpack(">H", b[i + 1:i + 3])[0], \
            struct.unpack(">H", b[i + 3:i + 5])[0]
        if t not in (20, 21, 22, 23) or v >> 8 != 3 or i + 5 + n > len(b):
            break
        recs.append((t, b[i + 5:i + 5 + n]))
        i += 5 + n
    return recs, b[i:]


def server_hello(recs):
    """(version, cipher) from the first ServerHello in the records."""
    hs = b"".join(body for t, body in recs if t == 22)
    if len(hs) < 4 or hs[0] != 2:
        return None, None
    body = hs[4:]
    ver = struct.unpack(">H", body[0:2])[0]
    i = 2 + 32
    i += 1 + body[i]
    suite = struct.unpack(">H", body[i:i + 2])[0]
    i += 3
    if i + 2 <= len(body):
        elen = struct.unpack(">H", body[i:i + 2])[0]
        i += 2
        end = i + elen
        while i + 4 <= end:
            et, el = struct.unpack(">HH", body[i:i + 4])
            if et == 43 and el == 2:
                ver = struct.unpack(">H", body[i + 4:i + 6])[0]
            i += 4 + el
    return VERSIONS.get(ver, "0x%04x" % ver), SUITES.get(suite,
                                                         "0x%04x" % suite)


def lines(b):
    return [x.decode("utf-8", "replace") for x in b.split(b"\r\n") if x]


def printable(b):
    return "".join(chr(c) if 32 <= c < 127 else "." for c in b)


def analyse(cport, c2s, s2c):
    r = {"client_port": cport, "plain_commands": [], "plain_replies": [],
         "ehlo_starttls": False, "starttls_reply": None, "client_tls": None,
         "client_hello": False, "server_hello": False, "tls_version": None,
         "cipher": None, "app_data": False, "plain_after_tls": "",
         "server_plain_after_220": "", "alert": False}
    implicit = c2s[:1] == b"\x16"
    if implicit:
        cplain, ctls, splain, stls = b"", c2s, b"", s2c
    else:
        i = c2s.upper().find(b"STARTTLS\r\n")
        if i < 0:
            cplain, ctls = c2s, b""
        else:
            cplain, ctls = c2s[:i + 10], c2s[i + 10:]
        # The server's plaintext ends after its reply to STARTTLS.
        splain, stls = s2c, b""
        if i >= 0:
            # Count the replies: the banner, then one per command line.
            ncmd = len(lines(cplain)) + 1
            pos, seen = 0, 0
            while seen < ncmd:
                j = s2c.find(b"\r\n", pos)
                if j < 0:
                    break
                ln = s2c[pos:j]
                pos = j + 2
                if len(ln) >= 4 and ln[3:4] == b" ":
                    seen += 1
                    last = ln
            splain, stls = s2c[:pos], s2c[pos:]
            if seen == ncmd:
                r["starttls_reply"] = last.decode("utf-8", "replace")
            if not (r["starttls_reply"] or "").startswith("220"):
                # Refused (454, 502) or unanswered: no TLS followed.
                cplain, ctls, splain, stls = c2s, b"", s2c, b""
    r["plain_commands"] = lines(cplain)
    r["plain_replies"] = lines(splain)
    for ln in r["plain_replies"]:
        if ln[:3] == "250" and ln[4:].upper().startswith("STARTTLS"):
            r["ehlo_starttls"] = True
    if ctls or implicit or (r["starttls_reply"] or "").startswith("220"):
        crecs, cleft = records(ctls)
        srecs, sleft = records(stls)
        if stls and not srecs:
            r["server_plain_after_220"] = printable(stls[:200])
        r["client_tls"] = len(cleft) == 0 and len(crecs) > 0
        r["plain_after_tls"] = printable(cleft[:200])
        r["client_hello"] = any(t == 22 and body[:1] == b"\x01"
                                for t, body in crecs)
        r["server_hello"] = any(t == 22 and body[:1] == b"\x02"
                                for t, body in srecs)
        if r["server_hello"]:
            r["tls_version"], r["cipher"] = server_hello(srecs)
        r["app_data"] = any(t == 23 for t, _ in crecs) and \
            any(t == 23 for t, _ in srecs)
        r["alert"] = any(t == 21 for t, _ in crecs + srecs)
    return r


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    for cport, c2s, s2c in streams(sys.argv[1], int(sys.argv[2])):
        print(json.dumps(analyse(cport, c2s, s2c)))


if __name__ == "__main__":
    main()
