#!/usr/bin/env python3
"""waitsim.py: bench/wait.sh's client for simulated clusters (simcluster).

Python standard library only.  Every request goes to 127.0.0.1, with the
bench's own bearer token (BENCH_TOKEN, given to each simcluster as an
extra admin user named "bench" with --user-token), so that the request
log tells the bench's requests from those of the tool being measured.

    waitsim.py pods DIR NAMESPACES PER_NS FIRST SPAN OUT
        Create the namespaces bench-1 ... bench-NAMESPACES, then PER_NS
        pods in each (labelled app=bench), taking the namespaces in turn.
        Pod i of N is to become Ready FIRST + SPAN * i / (N - 1) seconds
        after the first POST: its simcluster.meshline.io/ready-delay, which
        counts from its creation, is computed just before it is sent.
        Writes the pods as a v1 List to OUT (the stream form's input) and
        prints "start_ms end_ms" of the creation.

    waitsim.py deployments FIRST SPAN OUT DIR...
        Create the namespace istio-system and a Deployment istiod in each
        cluster, in turn, whose pod becomes Ready FIRST + SPAN * i / (N - 1)
        seconds after the first POST (less the controller's
        --deployment-delay, DEPLOYMENT_DELAY, 0.1 s by default).  Writes
        the 20 Deployments, each annotated meshline.io/context: NAME (the
        cluster's --name, read from DIR/name), as a YAML stream to OUT;
        prints "start_ms end_ms".

    waitsim.py ready KIND DIR...
        For each cluster, replay every event of KIND (pods, deployments)
        from the watch history and find when each object first became
        ready: a pod with condition Ready True, a Deployment as kubectl
        rollout status has it (generation observed, every replica updated
        and available, no old one left).  The time is the stored event's,
        from DIR/events.log (simcluster --event-log).  Prints "objects
        ready first_ms last_ms".

    waitsim.py requests DIR...
        Count the requests in each DIR/requests.log that are not the
        bench's own (user "bench"), after the first DIR/log0 lines (when
        that file is there): all, GET /version, discovery (/api,
        /apis, a group version, /openapi), lists, watches (watch=true or
        1), gets of one object, other, and answers not 2xx; then the most
        lists and the most watches of one (cluster, group/version,
        resource, namespace), and how many such keys there were.

    waitsim.py split TRACE FIRST_MS LAST_MS
        From TRACE, strace -f -ttt -e trace=recvfrom,write,exit_group of
        mesh-wait, and the times of the first and the last object becoming
        ready: when (ms after the last) mesh-wait last read data before it
        wrote its output, wrote it, called exit_group and was gone; then
        how many gaps of 30 ms or more there were between reads of data
        on one connection after the first object became ready, and the
        longest.
"""

import collections
import http.client
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

TOKEN = os.environ.get("BENCH_TOKEN", "")
QUICKACK = getattr(socket, "TCP_QUICKACK", 12)
WORKERS = 16


class Client:
    def __init__(self, d):
        self.d = d
        self.port = int(open(os.path.join(d, "port")).read())
        self.ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        self.conn = None

    def connect(self, timeout=30):
        self.conn = http.client.HTTPSConnection("127.0.0.1", self.port,
            context=self.ctx, timeout=timeout)
        # The server may be restarting (SIGHUP): try for 5 s at most.
        for attempt in range(100):
            try:
                self.conn.connect()
                break
            except ConnectionRefusedError:
                if attempt == 99:
                    raise
                time.sleep(0.05)
        # http.client sends a request's headers and body in two writes:
        # without this, Nagle holds the body back for the server's
        # delayed ACK, 40 ms a request.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, body=None):
        if self.conn is None:
            self.connect()
        # The server writes a response's headers and body apart, and its
        # Nagle holds the body for our ACK: ACK at once (Linux forgets
        # TCP_QUICKACK, so set it for every request).
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
        headers = {"Authorization": "Bearer " + TOKEN}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read()
        if resp.status >= 300:
            sys.exit("waitsim: %s %s: %d %s" % (method, path, resp.status,
                text[:300].decode(errors="replace")))
        return json.loads(text)


def now_ms():
    return int(time.time() * 1000)


def namespace(c, name):
    c.request("POST", "/api/v1/namespaces", {"apiVersion": "v1",
        "kind": "Namespace", "metadata": {"name": name}})


def delay_for(t0, first, span, i, n):
    due = t0 + first + (span * i / (n - 1) if n > 1 else 0)
    d = due - time.time()
    if d < 0.5:
        sys.exit("waitsim: object %d is due in %.3f s: creating is too slow "
            "for the window; start it later" % (i, d))
    return "%.3f" % d


def cmd_pods(d, nns, per_ns, first, span, out):
    nns, per_ns, first, span = int(nns), int(per_ns), float(first), float(span)
    c = Client(d)
    namespaces = ["bench-%d" % (k + 1) for k in range(nns)]
    for ns in namespaces:
        namespace(c, ns)
    n = nns * per_ns
    items = [None] * n
    t0 = time.time()
    failed = []

    # Each answer waits ~40 ms for a delayed ACK (the server writes a
    # response's headers and body apart, with Nagle on): send over
    # WORKERS connections at once, worker w taking pods w, w + WORKERS...
    def work(w):
        try:
            cw = Client(d)
            for i in range(w, n, WORKERS):
                ns = namespaces[i % nns]
                pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
                    "name": "app-%04d" % (i // nns + 1), "namespace": ns,
                    "labels": {"app": "bench"},
                    "annotations": {"simcluster.meshline.io/ready-delay":
                        delay_for(t0, first, span, i, n)}},
                    "spec": {"containers": [{"name": "app",
                        "image": "example.com/app:1"}]}}
                cw.request("POST", "/api/v1/namespaces/%s/pods" % ns, pod)
                items[i] = pod
        except BaseException as e:      # SystemExit too
            failed.append(str(e))
    threads = [threading.Thread(target=work, args=(w,))
        for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        sys.exit(failed[0])
    t1 = time.time()
    with open(out, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
    print(int(t0 * 1000), int(t1 * 1000))


def cmd_deployments(first, span, out, dirs):
    first, span = float(first), float(span)
    lag = float(os.environ.get("DEPLOYMENT_DELAY", "0.1"))
    clients = [Client(d) for d in dirs]
    for c in clients:
        namespace(c, "istio-system")
    n = len(clients)
    docs = []
    t0 = time.time()
    for i, c in enumerate(clients):
        name = open(os.path.join(c.d, "name")).read().strip()
        dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
            "name": "istiod", "namespace": "istio-system",
            "labels": {"app": "istiod"}},
            "spec": {"replicas": 1,
                "selector": {"matchLabels": {"app": "istiod"}},
                "template": {"metadata": {"labels": {"app": "istiod"},
                    "annotations": {"simcluster.meshline.io/ready-delay":
                        "%.3f" % (float(delay_for(t0, first, span, i, n))
                            - lag)}},
                    "spec": {"containers": [{"name": "discovery",
                        "image": "docker.io/istio/pilot:1.30.3"}]}}}}
        c.request("POST", "/apis/apps/v1/namespaces/istio-system/deployments",
            dep)
        docs.append("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            "  name: istiod\n  namespace: istio-system\n  annotations:\n"
            "    meshline.io/context: %s\n" % name)
    t1 = time.time()
    with open(out, "w") as f:
        f.write("---\n".join(docs))
    print(int(t0 * 1000), int(t1 * 1000))


def pod_ready(o):
    for cond in (o.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def deployment_ready(o):
    md, spec, st = o["metadata"], o.get("spec") or {}, o.get("status") or {}
    want = spec.get("replicas", 1)
    upd = st.get("updatedReplicas", 0)
    return st.get("observedGeneration", 0) >= md.get("generation", 0) and \
        upd >= want and st.get("replicas", 0) <= upd and \
        st.get("availableReplicas", 0) >= upd


def replay(d, kind, result):
    path = {"pods": "/api/v1/pods",
        "deployments": "/apis/apps/v1/deployments"}[kind]
    ready = pod_ready if kind == "pods" else deployment_ready
    # The history from the start, every event with its object; the watch
    # ends after a second, when the replay is long done.  The server may
    # be restarting (wait.sh sends SIGHUP just before): a connection cut
    # or refused is tried again, 50 times at most.
    for attempt in range(50):
        first = {}          # object -> the rv it first became ready at
        seen = set()
        try:
            c = Client(d)
            c.connect(timeout=20)
            c.conn.request("GET", path +
                "?watch=1&resourceVersion=1&timeoutSeconds=1",
                headers={"Authorization": "Bearer " + TOKEN})
            resp = c.conn.getresponse()
            if resp.status != 200:
                sys.exit("waitsim: watch %s: %d" % (path, resp.status))
            for line in resp:
                ev = json.loads(line)
                o = ev["object"]
                md = o.get("metadata") or {}
                key = (md.get("namespace", ""), md.get("name"), md.get("uid"))
                if ev["type"] in ("ADDED", "MODIFIED"):
                    seen.add(key)
                    if key not in first and ready(o):
                        first[key] = int(md["resourceVersion"])
            c.conn.close()
            break
        except (OSError, ValueError, http.client.HTTPException):
            if attempt == 49:
                raise
            time.sleep(0.1)
    times = {}
    with open(os.path.join(d, "events.log")) as f:
        for line in f:
            ms, _, _, _, rv = line.split()
            times[int(rv)] = int(ms)
    result.append((len(seen), [times[rv] for rv in first.values()]))


def cmd_ready(kind, dirs):
    results = []
    threads = [threading.Thread(target=replay, args=(d, kind, results))
        for d in dirs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(results) != len(dirs):
        sys.exit("waitsim: a replay failed")
    objs = sum(r[0] for r in results)
    ts = [t for r in results for t in r[1]]
    print(objs, len(ts), min(ts) if ts else 0, max(ts) if ts else 0)


def classify(method, target):
    """("version"|"discovery"|"list"|"watch"|"get"|"other", key or None)."""
    path, _, query = target.partition("?")
    q = urllib.parse.parse_qs(query)
    if method != "GET":
        return "other", None
    if path == "/version":
        return "version", None
    seg = [s for s in path.split("/") if s]
    if not seg or seg[0] not in ("api", "apis"):
        return ("discovery" if seg and seg[0] == "openapi" else "other"), None
    gv = seg[:2] if seg[0] == "api" else seg[:3]
    rest = seg[len(gv):]
    if len(gv) < (2 if seg[0] == "api" else 3) or not rest:
        return "discovery", None
    ns = ""
    if rest[0] == "namespaces" and len(rest) >= 3:
        ns, rest = rest[1], rest[2:]
    key = ("/".join(gv[1:]), rest[0], ns)
    if len(rest) == 1:
        if q.get("watch", [""])[0] in ("1", "true"):
            return "watch", key
        return "list", key
    return ("get" if len(rest) == 2 else "other"), key


def cmd_requests(dirs):
    """Requests not the bench's own, in every cluster's requests.log."""
    n = collections.Counter()
    per = collections.Counter()
    for d in dirs:
        # DIR/log0, when there is one: how many lines came before the run.
        try:
            skip = int(open(os.path.join(d, "log0")).read())
        except FileNotFoundError:
            skip = 0
        with open(os.path.join(d, "requests.log")) as f:
            for i, line in enumerate(f):
                if i < skip:
                    continue
                _, user, method, target, code = line.split()
                if user == "bench":
                    continue
                kind, key = classify(method, target)
                n[kind] += 1
                n["all"] += 1
                if not code.startswith("2"):
                    n["errors"] += 1
                if kind in ("list", "watch"):
                    per[(d, kind) + key] += 1
    most = {k: max([v for p, v in per.items() if p[1] == k] or [0])
        for k in ("list", "watch")}
    keys = len({(p[0],) + p[2:] for p in per})
    print(" ".join(str(n[k]) for k in ("all", "version", "discovery",
        "list", "watch", "get", "other", "errors")),
        most["list"], most["watch"], keys)


def cmd_split(trace, first_ms, last_ms):
    """Where the time from the last ready event to the exit went."""
    first, last = float(first_ms), float(last_ms)
    rd = wr = eg = ex = None
    reads = collections.defaultdict(list)   # fd -> times data came in
    for line in open(trace):
        m = re.match(r"\d+ +([\d.]+) (.*)", line)
        if not m:
            continue
        t, call = float(m.group(1)) * 1000, m.group(2)
        r = re.match(r"recvfrom\((\d+), .*\) = ([1-9]\d*)$", call)
        if wr is None and r:
            rd = t
            reads[r.group(1)].append(t)
        elif wr is None and call.startswith("write(1,"):
            wr = t
        elif call.startswith("exit_group("):
            eg = t
        elif call.startswith("+++ exited"):
            ex = t
    if None in (rd, wr, eg, ex):
        sys.exit("waitsim: %s: no read, output or exit in the trace" % trace)
    # Gaps between reads on one connection while events were due every
    # few ms: data the server held back.
    gaps = [b - a for ts in reads.values() for a, b in zip(ts, ts[1:])
        if a >= first and b - a >= 30]
    print("%.1f %.1f %.1f %.1f %d %.1f" % (rd - last, wr - last, eg - last,
        ex - last, len(gaps), max(gaps) if gaps else 0))


def main(argv):
    if len(argv) >= 7 and argv[0] == "pods":
        cmd_pods(*argv[1:7])
    elif len(argv) >= 5 and argv[0] == "deployments":
        cmd_deployments(argv[1], argv[2], argv[3], argv[4:])
    elif len(argv) >= 2 and argv[0] == "requests":
        cmd_requests(argv[1:])
    elif len(argv) == 4 and argv[0] == "split":
        cmd_split(*argv[1:])
    elif len(argv) >= 3 and argv[0] == "ready":
        cmd_ready(argv[1], argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
