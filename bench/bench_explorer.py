#!/usr/bin/env python3
"""England run to first map through the explorer's API: for each repeat, a
fresh `pcnsim serve` (its own empty cache, so nothing is cached) on a free
loopback port; then the wall time from POST /api/runs of the baseline (one
replicate) to the map's JSON received and parsed, polling the run's status
every 20 ms, split into run (POST to status done, the run and its file
written) and map (the GET of /api/runs/ID/map, read from the file). A second
GET of the map shows the in-memory answer. Prints one line per repeat and the
medians.

Usage: bench/bench_explorer.py [--pcnsim build/release/pcnsim] [--repeats 5]
(run from the project folder, which holds scenarios/)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request

opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json", "Accept-Encoding": "identity"})
    with opener.open(req, timeout=300) as r:
        raw = r.read()
    return json.loads(raw), len(raw)


def start_server(pcnsim, folder, static=None):
    """`pcnsim serve` on a free port with its cache in `folder` (and the front end
    from `static`, default none: `folder`); (process, base address) once healthy."""
    out = open(os.path.join(folder, "stdout.txt"), "w+")
    proc = subprocess.Popen([pcnsim, "serve", "--port", "0", "--cache", os.path.join(folder, "cache"),
                             "--static", static or folder], stdout=out, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        out.seek(0)
        line = out.readline()
        if "http://127.0.0.1:" in line:
            base = "http://127.0.0.1:" + line.split("http://127.0.0.1:")[1].split("/")[0]
            fetch(base + "/api/health")
            return proc, base
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server printed no address")


def one(pcnsim):
    folder = tempfile.mkdtemp(prefix="pcnsim-bench-explorer-")
    proc, base = start_server(pcnsim, folder)
    try:
        t0 = time.perf_counter()
        answer, _ = fetch(base + "/api/runs", {"scenario": "baseline", "replicates": 1})
        while True:
            status, _ = fetch(base + "/api/runs/" + answer["id"])
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.02)
        if status["status"] != "done":
            raise SystemExit("the run failed: %s" % status)
        t1 = time.perf_counter()
        m, size = fetch(base + "/api/runs/%s/map" % answer["id"])
        t2 = time.perf_counter()
        fetch(base + "/api/runs/%s/map" % answer["id"])
        t3 = time.perf_counter()
        assert len(m["practices"]["code"]) > 6000
        return {"total": t2 - t0, "run": t1 - t0, "map": t2 - t1, "map_again": t3 - t2, "bytes": size,
                "server_seconds": status["seconds"]}
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pcnsim", default="build/release/pcnsim")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for k in range(args.repeats):
        r = one(args.pcnsim)
        rows.append(r)
        print("repeat %d: POST to map %.3f s (run and file %.3f s, of which the server's own %.3f s; map %.3f s, "
              "%.1f MB; map again %.3f s)" % (k + 1, r["total"], r["run"], r["server_seconds"], r["map"],
                                              r["bytes"] / 1e6, r["map_again"]))
    med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print("median of %d: POST to map %.3f s (run and file %.3f s, map %.3f s, map again %.3f s), map JSON %.1f MB; "
          "load average %s" % (len(rows), med["total"], med["run"], med["map"], med["map_again"], med["bytes"] / 1e6,
                               open("/proc/loadavg").read().split()[0]))


if __name__ == "__main__":
    main()
