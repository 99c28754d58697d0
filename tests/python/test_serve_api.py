"""`pcnsim serve` end to end: runs through the API give what `pcnsim run`
gives (outcomes, the file itself), the map and summary agree with the file,
the downloads reproduce the run, the metadata matches the parameter
reference, compare matches `pcnsim compare --csv`, and bad input, path
traversal, large bodies, the replicate cap, the queue and the time limit get
their documented answers. Usage: test_serve_api.py PCNSIM_BINARY SOURCE_DIR"""
import csv
import gzip
import json
import urllib.request
import os
import socket
import signal
import subprocess
import tempfile
import threading
import time

import h5py
import numpy as np

from harness import binary, same_datasets, source
from serve_client import Server

TEACHING = {"scenario": "teaching-10", "set": {"relationships.noise_sd": "1.2", "formation.inertia": 0.1},
            "replicates": 3, "seed": 7}
SMALL = {"scenario": "synthetic-small", "set": {"formation.size_threshold_patients": "25000"}, "replicates": 2,
         "seed": 11}


def cli(*args, expect=0):
    """pcnsim in the source folder (the server's working folder): same paths in messages and files."""
    proc = subprocess.run([binary, *args], cwd=source, capture_output=True, text=True)
    assert proc.returncode == expect, (args, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc


def cli_args(request):
    args = ["scenarios/%s.yaml" % request["scenario"]]
    for path, value in request.get("set", {}).items():
        args += ["--set", "%s=%s" % (path, value)]
    if "seed" in request:
        args += ["--seed", str(request["seed"])]
    return args + ["--replicates", str(request.get("replicates", 1)), "--quiet"]


def outcomes_of(path):
    with h5py.File(path, "r") as f:
        names = f["outcomes/name"].asstr()[:]
        values = f["outcomes/value"][:]
    return {n: values[:, k] for k, n in enumerate(names)}


def check_summary(server, rid, request, cli_file):
    status, summary, _ = server.get("/api/runs/%s/summary" % rid)
    assert status == 200, summary
    assert summary["id"] == rid and summary["replicates"] == request["replicates"]
    expected = outcomes_of(cli_file)
    assert [o["name"] for o in summary["outcomes"]] == list(expected)
    for o in summary["outcomes"]:
        got = np.array([np.nan if v is None else v for v in o["values"]], dtype=float)
        assert np.array_equal(got, expected[o["name"]], equal_nan=True), (o["name"], got, expected[o["name"]])
    with h5py.File(cli_file, "r") as f:
        assert summary["seeds"] == [int(s) for s in f["replicates/seed"][:]]
        assert summary["seeds"][0] == request["seed"]
        for name, s in summary["series"].items():
            assert s is not None, name
            assert s["dates"] == list(f["series/%s/time" % name].asstr()[:])
            median = np.array([np.nan if v is None else v for v in s["median"]], dtype=float)
            assert np.array_equal(median, f["summary/%s/median" % name][:], equal_nan=True), name
            assert (s["p10"] is None) == (request["replicates"] == 1), name
            assert s["units"] == f["series/%s/value" % name].attrs["units"]


def check_map(server, rid, cached_file):
    status, m, _ = server.get("/api/runs/%s/map" % rid)
    assert status == 200, m
    # A browser accepts brotli too: the answer is gzip (brotli at the library's setting took seconds), and the same JSON.
    req = urllib.request.Request(server.base + "/api/runs/%s/map" % rid, headers={"Accept-Encoding": "gzip, deflate, br"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=60) as r:
        assert r.headers.get("Content-Encoding") == "gzip", dict(r.headers)
        assert json.loads(gzip.decompress(r.read())) == m
    with h5py.File(cached_file, "r") as f:
        codes = list(f["practices/code"].asstr()[:])
        network = f["practices/network"][:]
        evaluation_dates = list(f["practices/network_time"].asstr()[:])
        networks = len(f["networks/id"][:])
        roles = list(f["arrs/roles"].asstr()[:])
        assert m["practices"]["code"] == codes
        assert np.array_equal(m["practices"]["x_km"], f["practices/x_km"][:])
        assert [e["date"] for e in m["evaluations"]] == evaluation_dates
        for e, row in zip(m["evaluations"], network):
            assert len(e["network"]) == len(codes) and len(e["list_size"]) == len(codes)
            assert e["network"] == [int(v) for v in row]
            assert all(-1 <= v < networks for v in e["network"])
        assert len(m["networks"]["id"]) == networks
        assert all(len(v) == networks for v in m["networks"].values())
        assert m["roles"] == roles
        strain = f["networks/weekly/cd_strain"][:]
        wte = f["networks/weekly/arrs_wte"][:]
        steps = list(f["series/networks/time"].asstr()[:])
        for state in m["network_state"]:
            step = max(k for k, d in enumerate(steps) if d <= state["date"])
            assert len(state["cd_strain"]) == networks and len(state["arrs_wte_by_role"]) == networks
            assert all(len(r) == len(roles) for r in state["arrs_wte_by_role"])
            assert np.array_equal(np.array(state["cd_strain"], dtype=np.float32), strain[step])
            assert np.array_equal(np.array(state["arrs_wte_by_role"], dtype=np.float32).reshape(networks, len(roles)),
                                  wte[step])
            assert np.allclose(state["arrs_wte"], wte[step].astype(float).sum(axis=1), rtol=1e-12, atol=0)
        assert len(m["events"]) == len(f["network_events/kind"][:])
        small = len(codes) <= 300
        assert (m["relationships"] is not None) == small
        if small:
            assert m["relationships"]["source"] == [int(v) for v in f["relationships/source"][:]]


def check_downloads(server, rid, request, cli_file, tmp):
    cached = os.path.join(server.cache, rid + ".h5")
    status, data, headers = server.get("/api/runs/%s/results.h5" % rid, raw=True)
    assert status == 200 and headers["Content-Type"] == "application/x-hdf5"
    with open(cached, "rb") as f:
        assert data == f.read(), "results.h5 is not the cached file"
    # The same request gives the same results as the command line, whatever else ran.
    same_datasets(cached, cli_file)
    status, text, headers = server.get("/api/runs/%s/scenario.yaml" % rid, raw=True)
    assert status == 200 and "attachment" in headers["Content-Disposition"], headers
    yaml_file = os.path.join(tmp, rid + ".yaml")
    with open(yaml_file, "wb") as f:
        f.write(text)
    again = os.path.join(tmp, rid + "-again.h5")
    cli("run", yaml_file, "--replicates", str(request["replicates"]), "--out", again, "--quiet")
    for name, values in outcomes_of(cli_file).items():
        assert np.array_equal(outcomes_of(again)[name], values, equal_nan=True), name


def check_run(server, request, tmp):
    rid, st = server.run(request)
    assert st["status"] == "done", st
    assert st["progress"]["done"] == st["progress"]["total"] > 0 and st["replicates"] == request["replicates"]
    cli_file = os.path.join(tmp, "cli-%s.h5" % rid)
    cli("run", *cli_args(request), "--out", cli_file)
    check_summary(server, rid, request, cli_file)
    check_map(server, rid, os.path.join(server.cache, rid + ".h5"))
    check_downloads(server, rid, request, cli_file, tmp)
    return rid, cli_file


def check_cache(server, rid, request):
    """The same request again (a value given as a number instead of text) is the same run: 200, not run again."""
    cached = os.path.join(server.cache, rid + ".h5")
    before = os.stat(cached).st_mtime_ns
    _, first, _ = server.get("/api/runs/" + rid)
    same = dict(request, set={k: (float(v) if isinstance(v, str) else v) for k, v in request["set"].items()})
    status, body, _ = server.post("/api/runs", same)
    assert status == 200 and body == {"id": rid, "status": "done", "cached": True}, (status, body)
    _, second, _ = server.get("/api/runs/" + rid)
    assert second == first and os.stat(cached).st_mtime_ns == before
    assert sorted(os.listdir(server.cache)).count(rid + ".h5") == 1
    # Another replicate count or seed is another run.
    for changed in (dict(request, replicates=request["replicates"] - 1), dict(request, seed=request["seed"] + 1)):
        status, body, _ = server.post("/api/runs", changed)
        assert status == 202 and body["id"] != rid and not body["cached"], (changed, status, body)


def check_metadata(server):
    status, health, _ = server.get("/api/health")
    assert status == 200 and health["ok"] is True and health["version"].startswith("0.1.0+")
    _, lib, _ = server.get("/api/scenarios")
    names = [s["name"] for s in lib["scenarios"]]
    assert names[0] == "baseline" and names[1:] == sorted(names[1:]) and "teaching-10" in names
    assert all(s["file"] == s["name"] + ".yaml" and s["description"] for s in lib["scenarios"])
    _, params, _ = server.get("/api/parameters")
    reference = {}
    for line in cli("params", "--markdown").stdout.splitlines():
        if line.startswith("| `"):
            cells = line[2:-2].split(" | ")  # a choice's range holds " | " too: the meaning is the last cell
            reference[cells[0].strip("`")] = cells[-1]
    rows = {p["path"]: p for p in params["parameters"]}
    assert list(rows) == list(reference)
    assert all(rows[p]["description"] == d for p, d in reference.items())
    _, levers, _ = server.get("/api/levers")
    ids = [lv["id"] for lv in levers["levers"]]
    assert ids == ["arrs_pot_scale", "cd_funding_scale", "management_from_year", "arrs_substitution",
                   "commissioner_support_scale", "size_threshold", "relationship_noise"], ids
    for lever in levers["levers"]:
        assert lever["paths"] and all(p in rows for p in lever["paths"]), lever
        assert lever["help"] == rows[lever["paths"][0]]["description"], lever
        assert lever["kind"] in ("scale", "number", "integer", "boolean", "year")
        assert lever["min"] <= (lever["default"] if lever["kind"] != "boolean" else 0) <= lever["max"], lever
    assert levers["levers"][0]["from"] == "2021-04-01"
    assert levers["levers"][2]["default"] == 2022


def check_compare(server, base, base_file, tmp):
    other_request = dict(TEACHING, set=dict(TEACHING["set"], **{"funding.arrs_national_pot_gbp": "{scale: 1.5, from: 2021-04-01}"}))
    other, st = server.run(other_request)
    assert st["status"] == "done", st
    other_file = os.path.join(tmp, "cli-other.h5")
    cli("run", *cli_args(other_request), "--out", other_file)
    table = os.path.join(tmp, "compare.csv")
    cli("compare", base_file, other_file, "--csv", table)
    with open(table, newline="") as f:
        csv_rows = list(csv.DictReader(f))
    status, c, _ = server.get("/api/compare?base=%s&other=%s" % (base, other))
    assert status == 200, c
    assert c["base"]["id"] == base and c["other"]["id"] == other and c["takes_effect"] == "2021-04-01"
    base_rows = {r["outcome"]: r for r in csv_rows if r["baseline"] == "1"}
    other_rows = {r["outcome"]: r for r in csv_rows if r["baseline"] == "0"}
    assert [r["outcome"] for r in c["rows"]] == list(other_rows)
    assert any(r["significant"] for r in c["rows"])

    def g10(x):
        return "" if x is None else "%.10g" % x

    for r in c["rows"]:
        o, b = other_rows[r["outcome"]], base_rows[r["outcome"]]
        assert g10(r["base_mean"]) == b["mean"] and g10(r["other_mean"]) == o["mean"], r
        assert g10(r["difference"]) == o["difference"] and g10(r["ci95_low"]) == o["ci95_low"], r
        assert g10(r["ci95_high"]) == o["ci95_high"] and r["significant"] == (o["significant"] == "1"), r
        assert r["units"] == o["units"] and r["description"] == o["description"]
    return other


def check_bad_requests(server, small_id, teaching_id):
    # Bad sets: 400 with exactly the command line's messages.
    for sets in ({"formation.inertia": "abc"}, {"nope.x": "1", "formation.inertia": "-3"},
                 {"calendar.end": "2019-02-30"}, {"": "1"}):
        status, body, _ = server.post("/api/runs", {"scenario": "teaching-10", "set": sets})
        assert status == 400, (sets, status, body)
        if "" in sets:
            continue
        args = ["run", "scenarios/teaching-10.yaml", "--out", "/nonexistent/x.h5"]
        for k, v in sets.items():
            args += ["--set", "%s=%s" % (k, v)]
        expected = [line[len("error: "):] for line in cli(*args, expect=2).stderr.splitlines()]
        assert body["problems"] == expected, (body, expected)
        assert body["error"].startswith(expected[0])
    bad = [
        (b"not json", 400), (b"[1, 2]", 400), ({"set": {}}, 400), ({"scenario": "no-such-scenario"}, 400),
        ({"scenario": "../CMakeLists"}, 400), ({"scenario": "/etc/passwd"}, 400), ({"scenario": 5}, 400),
        ({"scenario": "teaching-10", "replicates": 21}, 400), ({"scenario": "teaching-10", "replicates": 0}, 400),
        ({"scenario": "teaching-10", "replicates": 2.5}, 400), ({"scenario": "teaching-10", "seed": "x"}, 400),
        ({"scenario": "teaching-10", "seed": -1}, 400), ({"scenario": "teaching-10", "sets": {}}, 400),
        ({"scenario": "teaching-10", "set": [1]}, 400), ({"scenario": "teaching-10", "set": {"seed": None}}, 400),
        # No file of the client's choosing: data-file parameters, or blocks holding them, are refused.
        ({"scenario": "baseline", "set": {"population.england.practices_csv": "/etc/passwd"}}, 400),
        ({"scenario": "baseline", "set": {" population.england.imd_csv ": "../CMakeLists.txt"}}, 400),
        ({"scenario": "baseline", "set": {"population.england": "{practices_csv: /etc/passwd}"}}, 400),
        ({"scenario": "baseline", "set": {"population": {"england": {"centroids_csv": "/etc/passwd"}}}}, 400),
        ({"scenario": "baseline", "set": {"extends": "/etc/passwd"}}, 400),
        (b"[" * 5000 + b"]" * 5000, 400), (b"\xff\xfe{", 400),
    ]
    for body, expected in bad:
        status, answer, _ = server.request("POST", "/api/runs", body)
        assert status == expected and answer["error"], (body[:40] if isinstance(body, bytes) else body, status, answer)
        assert "root:" not in json.dumps(answer), answer
    status, answer, _ = server.request("POST", "/api/runs", b"{\"scenario\": \"" + b"x" * (70 * 1024) + b"\"}")
    assert status == 413 and "64 KiB" in answer["error"], (status, answer)
    for path, expected in (("/api/runs/0123456789abcdef", 404), ("/api/runs/../../etc", 404),
                           ("/api/runs/0123456789abcdef/summary", 404), ("/api/runs/xyz/map", 404),
                           ("/api/compare?base=%s" % small_id, 400), ("/api/compare?base=%s&other=0000000000000000" % small_id, 404),
                           ("/api/compare?base=%s&other=%s" % (small_id, teaching_id), 400), ("/api/nothing", 404)):
        status, answer, _ = server.get(path)
        assert status == expected and answer["error"], (path, status, answer)
    status, answer, headers = server.request("DELETE", "/api/health")
    assert status == 405 and headers["Allow"] == "GET", (status, answer)


def check_static(server):
    status, body = server.raw_path("/")
    assert status == 200 and b"<title>explorer</title>" in body
    status, body = server.raw_path("/index.html")
    assert status == 200
    for path in ("/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/%2e%2e%2fCMakeLists.txt", "/..%2fsecret.txt",
                 "/../secret.txt", "/%2E%2E/secret.txt", "//etc/passwd", "/etc/passwd", "/%2fetc%2fpasswd",
                 "/static/../../CMakeLists.txt", "/./index.html", "/.%2e/secret.txt", "/index.html%00.js",
                 "/..\\secret.txt", source + "/CMakeLists.txt", "/" + os.path.join(server.dir, "secret.txt")):
        status, body = server.raw_path(path)
        assert status in (400, 404), (path, status)
        assert b"SECRET-OUTSIDE-STATIC" not in body and b"cmake_minimum_required" not in body and b"root:" not in body


def check_client_gone(server, rid):
    """Clients that go away mid-answer (a download, a map) leave the server serving."""
    for path in ("/api/runs/%s/results.h5" % rid, "/api/runs/%s/map" % rid):
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
            s.recv(100)
            s.close()  # with a zero linger: a reset, mid-answer
    assert server.get("/api/health")[0] == 200 and server.proc.poll() is None


def burst(server, requests):
    """Sends every request at once; their (status, body, headers)."""
    answers = [None] * len(requests)
    gate = threading.Barrier(len(requests))

    def send(k):
        gate.wait()
        answers[k] = server.post("/api/runs", requests[k])

    threads = [threading.Thread(target=send, args=(k,)) for k in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def check_queue_and_limits():
    """One run at a time and one waiting: a burst of distinct runs gets 503 with Retry-After for the
    rest; a run over the time limit fails saying so; SIGTERM stops the server at once, temporary files removed."""
    server = Server("--max-concurrent", "1", "--max-queue", "1", "--time-limit", "1000")
    try:
        long_runs = [{"scenario": "synthetic-small", "replicates": 20, "seed": 100 + k} for k in range(6)]
        answers = burst(server, long_runs)
        statuses = sorted(a[0] for a in answers)
        assert statuses.count(202) <= 2 and statuses.count(503) >= 4 and set(statuses) <= {202, 503}, statuses
        for status, body, headers in answers:
            if status == 503:
                assert int(headers["Retry-After"]) > 0 and "busy" in body["error"]
        status, health, _ = server.get("/api/health")
        assert status == 200 and health["ok"]
        code = server.stop(signal.SIGTERM)
        assert code == 143, code
        assert not [f for f in os.listdir(server.cache) if not f.endswith(".h5")], os.listdir(server.cache)
    finally:
        server.close()
    server = Server("--time-limit", "0.2")
    try:
        rid, st = server.run({"scenario": "synthetic-small", "replicates": 20, "seed": 3})
        assert st["status"] == "failed" and "time limit" in st["error"], st
        status, body, _ = server.get("/api/runs/%s/summary" % rid)
        assert status == 404 and "failed" in body["error"], body
        assert not os.listdir(server.cache), os.listdir(server.cache)
        assert server.get("/api/health")[0] == 200
    finally:
        server.close()


def check_restart(cache, rid, request):
    """A new server on the same cache folder answers from the files of an earlier one."""
    server = Server(cache=cache)
    try:
        status, st, _ = server.get("/api/runs/" + rid)
        assert status == 200 and st["status"] == "done" and st["replicates"] == request["replicates"], st
        assert st["seed"] == request["seed"] and st["scenario"] == request["scenario"]
        assert st["progress"]["done"] == st["progress"]["total"] == 261 * request["replicates"], st
        assert server.get("/api/runs/%s/summary" % rid)[0] == 200
        status, body, _ = server.post("/api/runs", request)
        assert status == 200 and body["cached"] is True, body
    finally:
        server.close()


def main():
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="pcnsim-serve-api-")
    server = Server()
    try:
        check_metadata(server)
        teaching_id, teaching_file = check_run(server, TEACHING, tmp)
        check_cache(server, teaching_id, TEACHING)
        small_id, _ = check_run(server, SMALL, tmp)
        check_compare(server, teaching_id, teaching_file, tmp)
        check_bad_requests(server, small_id, teaching_id)
        check_static(server)
        check_client_gone(server, small_id)
        assert server.get("/api/health")[0] == 200, "the server stopped answering"
        assert server.proc.poll() is None
        assert server.stop() == 143
        check_restart(server.cache, teaching_id, TEACHING)
    except BaseException:
        print(server.log())
        raise
    finally:
        server.close()
    check_queue_and_limits()
    print("serve API: ok in %.1f s" % (time.time() - start))


if __name__ == "__main__":
    main()
