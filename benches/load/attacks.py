#!/usr/bin/env python3
"""Each attack of the hostile-input findings against a running cis-scan, side by side with
a victim: another cluster's owner sending a small query every 200 ms. Prints, per attack,
the victim's p50/p99 latency and errors, the server's peak memory during the attack and
whether it survived. Python's standard library only; traffic stays on 127.0.0.1.

Run through benches/load/attacks.sh, which builds the release binary, makes a 1,000-node
cluster with reports, and passes the tokens and the server's pid.
"""
import argparse
import base64
import http.client
import json
import os
import socket
import statistics
import struct
import threading
import time

ARGS = None


def post(body, token=None, timeout=60):
    """POST /graphql; (status, parsed json or None, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    try:
        conn.request("POST", "/graphql", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        took = time.monotonic() - started
        try:
            doc = json.loads(data)
        except ValueError:
            doc = None
        return r.status, doc, took
    except OSError:
        return 0, None, time.monotonic() - started
    finally:
        conn.close()


def get(path, token):
    conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=120)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        n = 0
        while True:
            chunk = r.read(65536)
            if not chunk:
                break
            n += len(chunk)
        return r.status, n
    except OSError:
        return 0, 0
    finally:
        conn.close()


def rss_mib():
    try:
        with open(f"/proc/{ARGS.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Victim(threading.Thread):
    """Another cluster's owner: `{ clusters { id } }` every 200 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = []
        self.errors = 0
        self.running = True

    def run(self):
        body = json.dumps({"query": "{ clusters { id } }"})
        while self.running:
            status, doc, took = post(body, ARGS.victim, timeout=30)
            ok = status == 200 and doc and "errors" not in doc
            self.samples.append(took * 1000)
            if not ok:
                self.errors += 1
            time.sleep(max(0.0, 0.2 - took))


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0.0
        self.running = True

    def run(self):
        while self.running:
            m = rss_mib()
            if m is not None:
                self.peak = max(self.peak, m)
            time.sleep(0.05)


def run_attack(name, attack, seconds):
    base = rss_mib() or 0.0
    victim, sampler = Victim(), Sampler()
    victim.start()
    sampler.start()
    deadline = time.monotonic() + seconds
    note = ""
    try:
        note = attack(deadline) or ""
    except Exception as e:  # the attack's own failure is reported, not fatal
        note = f"attack error: {e!r}"
    while time.monotonic() < deadline:
        time.sleep(0.05)
    victim.running = False
    sampler.running = False
    victim.join()
    sampler.join()
    alive = rss_mib() is not None
    s = sorted(victim.samples) or [0.0]
    p50 = statistics.median(s)
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))]
    print(
        f"| {name} | {p50:.1f} | {p99:.1f} | {victim.errors}/{len(victim.samples)} "
        f"| {base:.0f} → {sampler.peak:.0f} | {'yes' if alive else 'NO'} | {note} |",
        flush=True,
    )


def threads(n, fn, deadline):
    """Runs fn(deadline) on n threads until the deadline; returns the results."""
    out = []
    lock = threading.Lock()

    def loop():
        while time.monotonic() < deadline:
            r = fn()
            with lock:
                out.append(r)

    ts = [threading.Thread(target=loop, daemon=True) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


# --- websockets, by hand -------------------------------------------------------------

def ws_connect(protocol="graphql-transport-ws"):
    s = socket.create_connection(("127.0.0.1", ARGS.port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise OSError("closed during the handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise OSError(head.split(b"\r\n", 1)[0].decode())
    return s


def ws_frame(payload, opcode=1, fin=True):
    mask = os.urandom(4)
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    if n < 126:
        header = struct.pack("!BB", first, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", first, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, n)
    return header + mask + _masked(payload, mask)


def _masked(payload, mask):
    """The payload XOR the repeated mask, fast for large frames."""
    n = len(payload)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


def ws_send_json(s, doc):
    s.sendall(ws_frame(json.dumps(doc).encode()))


def ws_read(s):
    """One frame: (opcode, payload)."""
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = s.recv(n - len(buf))
            if not chunk:
                raise OSError("closed")
            buf += chunk
        return buf

    b1, b2 = exact(2)
    n = b2 & 0x7F
    if n == 126:
        n = struct.unpack("!H", exact(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", exact(8))[0]
    return b1 & 0x0F, exact(n)


# --- the attacks ---------------------------------------------------------------------

def deep_values(levels):
    def attack(deadline):
        q = "{ checkHistory(clusterId: \"demo\", checkId: \"1.1.1\", last: " + "[" * levels + "1" + "]" * levels + ") { state } }"
        answers = threads(2, lambda: post(json.dumps({"query": q}))[0:2], deadline)
        codes = {str((a[1] or {}).get("errors", [{}])[0].get("extensions", {}).get("code")) for a in answers}
        return f"{len(answers)} sent, no token; answers: {','.join(sorted(codes))}"
    return attack


def ws_continuations(deadline):
    s = ws_connect()
    sent = 0
    chunk = b"x" * 65536
    closed = False
    try:
        s.sendall(ws_frame(b"[", opcode=1, fin=False))
        while sent < 300 * 1024 * 1024 and time.monotonic() < deadline:
            s.sendall(ws_frame(chunk, opcode=0, fin=False))
            sent += len(chunk)
    except OSError:
        closed = True
    s.close()
    how = "then the server closed the socket" if closed else "the socket still open at the deadline"
    return f"no token; {sent / 1048576:.1f} MiB offered, {how}"


def compare_aliases(identical):
    def attack(deadline):
        a, b = ARGS.reports[0], ARGS.reports[1]
        if identical:
            body = " ".join(f"c{i}: compareReports(base: \"{a}\", head: \"{b}\") {{ stillFailing {{ id nodes {{ node }} }} }}" for i in range(3000))
        else:
            ids = ARGS.reports
            pairs = [(x, y) for x in ids for y in ids if x != y][:3000]
            body = " ".join(f"c{i}: compareReports(base: \"{x}\", head: \"{y}\") {{ stillFailing {{ id nodes {{ node }} }} }}" for i, (x, y) in enumerate(pairs))
        q = json.dumps({"query": "{ " + body + " }"})
        answers = threads(4, lambda: post(q, ARGS.attacker), deadline)
        limits = {str(((a[1] or {}).get("errors") or [{}])[0].get("extensions", {}).get("limit")) for a in answers}
        return f"{len(answers)} requests, refused by: {','.join(sorted(limits))}"
    return attack


def idle_subscriptions(deadline):
    s = ws_connect()
    ws_send_json(s, {"type": "connection_init", "payload": {"Authorization": f"Bearer {ARGS.attacker}"}})
    ws_read(s)
    refused = 0
    for i in range(20000):
        ws_send_json(s, {"id": str(i), "type": "subscribe", "payload": {"query": "subscription { scanEvents(clusterId: \"big\") { state } }"}})
    s.settimeout(1)
    try:
        while time.monotonic() < deadline:
            op, payload = ws_read(s)
            if op == 1 and b'"error"' in payload:
                refused += 1
    except OSError:
        pass
    s.close()
    return f"20,000 subscribe messages on one socket, {refused} refused"


def ws_big_queries(deadline):
    q = "query($id: ID!) { report(id: $id) { results { nodes { node state actual expected source reason } } } }"
    outcomes = []

    def one():
        s = ws_connect()
        ws_send_json(s, {"type": "connection_init", "payload": {"Authorization": f"Bearer {ARGS.attacker}"}})
        ws_read(s)
        ws_send_json(s, {"id": "1", "type": "subscribe", "payload": {"query": q, "variables": {"id": ARGS.reports[0]}}})
        s.settimeout(60)
        size = 0
        try:
            op, payload = ws_read(s)
            size = len(payload)
            outcomes.append("refused" if b"errors" in payload else f"{size} bytes")
        except OSError:
            outcomes.append("closed")
        s.close()

    ts = [threading.Thread(target=one) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return f"8 whole-report queries over websockets: {', '.join(sorted(set(outcomes)))}"


def check_history_aliases(deadline):
    checks = [f"1.1.{i}" for i in range(1, 22)] + [f"1.2.{i}" for i in range(1, 40)]
    body = " ".join(f"h{i}: checkHistory(clusterId: \"big\", checkId: \"{c}\", last: 20) {{ state }}" for i, c in enumerate(checks))
    q = json.dumps({"query": "{ " + body + " }"})
    answers = threads(2, lambda: post(q, ARGS.attacker), deadline)
    ok = sum(1 for a in answers if a[1] and "errors" not in a[1])
    return f"60 histories of up to 20 reports a request: {len(answers)} requests, {ok} answered"


def whole_report(deadline):
    q = json.dumps({"query": "query($id: ID!) { report(id: $id) { results { nodes { node state actual } } } }", "variables": {"id": ARGS.reports[0]}})
    answers = threads(4, lambda: post(q, ARGS.attacker), deadline)
    limits = {str(((a[1] or {}).get("errors") or [{}])[0].get("extensions", {}).get("limit")) for a in answers}
    return f"every node of every check of a 1,000-node report: {len(answers)} requests, refused by: {','.join(sorted(limits))}"


def exports(fmt, n):
    def attack(deadline):
        results = []

        def one():
            results.append(get(f"/reports/{ARGS.reports[0]}/{fmt}", ARGS.attacker))

        started = time.monotonic()
        ts = [threading.Thread(target=one) for _ in range(n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        took = time.monotonic() - started
        statuses = ",".join(sorted({str(r[0]) for r in results}))
        size = max(r[1] for r in results) / 1048576
        return f"{n} × {fmt} of a 1,000-node report at once: statuses {statuses}, {size:.1f} MiB each, {took:.1f} s"
    return attack


def introspection(deadline):
    one = "__schema { types { name fields { name args { name } type { name ofType { name } } } } }"
    q = json.dumps({"query": "{ " + " ".join(f"i{i}: {one}" for i in range(250)) + " }"})
    answers = threads(2, lambda: post(q)[0:2], deadline)
    sizes = {len(json.dumps(a[1])) for a in answers if a[1]}
    return f"250 introspections a request, no token: {len(answers)} requests, answers of {max(sizes or {0})} bytes at most"


def skip_flood(deadline):
    nodes = [("n" * 230) + f"{i:010d}" for i in range(1000)]
    q = json.dumps({"query": "mutation($n: [String!]) { skipTest(clusterId: \"big\", testId: \"1.1.1\", reason: \"flood\", nodes: $n) { testId } }", "variables": {"n": nodes}})
    answers = [post(q, ARGS.attacker) for _ in range(100)]
    codes = {str(((a[1] or {}).get("errors") or [{}])[0].get("extensions", {}).get("code")) for a in answers}
    return f"100 skips naming 1,000 nodes of 240 characters: codes {','.join(sorted(codes))}"


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--victim", required=True, help="owner token of the victim's cluster")
    p.add_argument("--attacker", required=True, help="owner token of the big cluster")
    p.add_argument("--reports", nargs="+", required=True, help="the big cluster's report ids")
    p.add_argument("--seconds", type=float, default=10)
    ARGS = p.parse_args()
    print("| attack | victim p50 ms | victim p99 ms | victim errors | server MiB (before → peak) | alive | what happened |")
    print("|---|---|---|---|---|---|---|")
    attacks = [
        ("none (the victim alone)", lambda d: ""),
        ("values nested 2,000 deep, no token", deep_values(2000)),
        ("values nested 10,000 deep, no token", deep_values(10000)),
        ("300 MB of websocket continuations, no token", ws_continuations),
        ("3,000 identical compareReports aliases × 4 threads", compare_aliases(True)),
        ("distinct compareReports aliases × 4 threads", compare_aliases(False)),
        ("20,000 subscriptions on one websocket", idle_subscriptions),
        ("8 whole-report queries over websockets", ws_big_queries),
        ("60 checkHistory aliases over every report (REPORTS)", check_history_aliases),
        ("every node of a 1,000-node report", whole_report),
        ("250 introspection aliases, no token", introspection),
        ("100 maximal skips", skip_flood),
        ("1 OSCAL export", exports("oscal", 1)),
        ("4 OSCAL exports at once", exports("oscal", 4)),
        ("12 OSCAL exports at once", exports("oscal", 12)),
        ("4 kube-bench exports at once", exports("kube-bench", 4)),
    ]
    only = os.environ.get("ONLY")
    for name, attack in attacks:
        if only and only not in name:
            continue
        run_attack(name, attack, ARGS.seconds)


if __name__ == "__main__":
    main()
