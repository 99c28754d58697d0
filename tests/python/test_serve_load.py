"""`pcnsim serve` under a bounded load: 200 mixed requests (metadata, runs of
teaching-10 with varied seeds, their status, summary and map, bad requests,
path traversal attempts), 4 at a time on loopback, in two halves of 100.
Only the documented statuses occur, the server still answers /api/health
after, and its resident memory (VmRSS) grows by less than RSS_BOUND_KIB from
the end of the first half to the end of the second (the first half warms the
allocator, the answer cache and the HTTP threads; a leak per request shows in
the second); and runs made during the load (two at a time) have exactly the
datasets of `pcnsim run` of the same request. Measured on the development machine: about 7 MiB (new distinct
runs, cached answers), and over eight hundreds in a row 8, 6, 5, 2, 1.6, 1.2
and 0.9 MiB: levelling off as the mix's 120 distinct runs are all made.
Usage: test_serve_load.py PCNSIM_BINARY SOURCE_DIR"""
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from harness import binary, same_datasets, source
from serve_client import Server

REQUESTS = 200
CLIENTS = 4
RSS_BOUND_KIB = 16 * 1024
DOCUMENTED = {200, 202, 400, 404, 413, 503}


class Load:
    def __init__(self, server):
        self.server = server
        self.ids = []
        self.requests = {}  # id -> the request that made it
        self.lock = threading.Lock()
        self.statuses = {}

    def known_id(self, rng):
        with self.lock:
            return rng.choice(self.ids) if self.ids else "0123456789abcdef"

    def one(self, k):
        """Request k of the mix (its own random stream, so the mix does not depend on scheduling)."""
        rng = random.Random(k)
        s = self.server
        kind = rng.choice(["health", "scenarios", "parameters", "levers", "run", "run", "run", "status", "summary",
                           "map", "bad", "traversal"])
        if kind in ("health", "scenarios", "parameters", "levers"):
            status = s.get("/api/" + kind)[0]
        elif kind == "run":
            request = {"scenario": "teaching-10", "seed": rng.randint(1, 40), "replicates": rng.randint(1, 3)}
            status, body, _ = s.post("/api/runs", request)
            if status in (200, 202):
                with self.lock:
                    self.ids.append(body["id"])
                    self.requests[body["id"]] = request
        elif kind in ("status", "summary", "map"):
            suffix = "" if kind == "status" else "/" + kind
            status = s.get("/api/runs/" + self.known_id(rng) + suffix)[0]
        elif kind == "bad":
            body = rng.choice([b"{", b"[]", b'{"scenario": "nope"}', b'{"scenario": "teaching-10", "replicates": 99}',
                               b'{"scenario": "teaching-10", "set": {"formation.inertia": "x"}}',
                               b'{"scenario": "' + b"y" * 70000 + b'"}'])
            status = s.request("POST", "/api/runs", body)[0]
        else:
            status = s.raw_path(rng.choice(["/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "//etc/passwd",
                                            "/..%2f..%2fetc%2fpasswd", "/api/runs/../../x"]))[0]
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
        return status

    def half(self, first):
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(self.one, range(first, first + REQUESTS // 2)))


def check_deterministic(server, load, tmp):
    """Runs made while others ran (two at a time, on shared threads) have the datasets of `pcnsim run`."""
    for rid in load.requests:  # the last ones may still be waiting
        deadline = time.time() + 30
        while server.get("/api/runs/" + rid)[1]["status"] not in ("done", "failed") and time.time() < deadline:
            time.sleep(0.02)
    done = [rid for rid in sorted(load.requests) if os.path.exists(os.path.join(server.cache, rid + ".h5"))]
    assert len(done) == len(load.requests) >= 3, (done, list(load.requests))
    for rid in done[:3]:
        r = load.requests[rid]
        out = os.path.join(tmp, rid + ".h5")
        subprocess.run([binary, "run", "scenarios/teaching-10.yaml", "--seed", str(r["seed"]), "--replicates",
                        str(r["replicates"]), "--out", out, "--quiet"], cwd=source, check=True, capture_output=True)
        same_datasets(os.path.join(server.cache, rid + ".h5"), out)


def main():
    start = time.time()
    server = Server()
    try:
        load = Load(server)
        rss_start = server.rss_kib()
        load.half(0)
        rss_half = server.rss_kib()
        load.half(REQUESTS // 2)
        rss_end = server.rss_kib()
        assert set(load.statuses) <= DOCUMENTED, load.statuses
        assert sum(load.statuses.values()) == REQUESTS
        status, health, _ = server.get("/api/health")
        assert status == 200 and health["ok"], (status, health)
        assert server.proc.poll() is None
        growth = rss_end - rss_half
        print("statuses %s; RSS %d KiB at start, %d after the first half, %d after the second (growth %d KiB, bound %d)"
              % (dict(sorted(load.statuses.items())), rss_start, rss_half, rss_end, growth, RSS_BOUND_KIB))
        assert growth < RSS_BOUND_KIB, growth
        tmp = tempfile.mkdtemp(prefix="pcnsim-serve-load-")
        check_deterministic(server, load, tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        print(server.log())
        raise
    finally:
        server.close()
    elapsed = time.time() - start
    print("serve load: ok in %.1f s" % elapsed)
    assert elapsed < 60, elapsed


if __name__ == "__main__":
    main()
