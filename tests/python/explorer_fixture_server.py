"""A TEST DOUBLE of `pcnsim serve` for developing and testing the explorer page
(web/) before and apart from the real server: it serves the files of web/dist
and answers the explorer's JSON API (the routes `pcnsim serve` answers under
/api) from real pcnsim output, by running the pcnsim binary
(`run --replicates N --seed S --set ...`, `compare --csv`, `params --markdown`)
and reading the HDF5 files with h5py. It is deliberately minimal (no limits,
no queue, no time limit, loose validation, progress only 0 then done) and is
not part of the product: the real server is `pcnsim serve`.

Usage: explorer_fixture_server.py PCNSIM_BINARY SOURCE_DIR [--port 8080] [--static DIR] [--cache DIR]
Prints "listening on http://127.0.0.1:PORT/" once ready (port 0 = any free port).
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import h5py
import numpy as np
import yaml

KEY_SERIES = ["arrs_wte", "hours_per_gp_fte", "gp_unmet_hours", "arrs_claimed_gbp", "cd_funded_hours",
              "cd_support_hours", "cd_unmanageable_share", "cd_mean_strain", "networks", "networks_with_manager"]
# The lever table of the API contract (defaults: the built-in values; help: the parameter's description).
LEVERS = [
    dict(id="arrs_pot_scale", label="National ARRS pot", kind="scale", paths=["funding.arrs_national_pot_gbp"],
         units="x", min=0, max=3, step=0.05, default=1, **{"from": "2021-04-01"}),
    dict(id="cd_funding_scale", label="Clinical-director funding", kind="scale",
         paths=["cd_workload.cd_wte_per_50k", "funding.clinical_director_gbp_per_patient"],
         units="x", min=0, max=4, step=0.1, default=1),
    dict(id="management_from_year", label="Management funding from", kind="year",
         paths=["funding.leadership_management_gbp_per_weighted_patient"], units="year", min=2019, max=2023, step=1,
         default=2022),
    dict(id="arrs_substitution", label="ARRS staff substitute for GP time", kind="boolean",
         paths=["gp_workload.substitution"], units="", min=0, max=1, step=1, default=True),
    dict(id="commissioner_support_scale", label="Commissioner support", kind="scale",
         paths=["management.commissioner_support_multiplier"], units="x", min=0, max=3, step=0.1, default=1),
    dict(id="size_threshold", label="Minimum network size", kind="number",
         paths=["formation.size_threshold_patients"], units="patients", min=0, max=60000, step=1000, default=30000),
    dict(id="relationship_noise", label="Relationship noise", kind="number", paths=["relationships.noise_sd"],
         units="", min=0, max=5, step=0.1, default=1.55624, help="formation noise for teaching"),
]


def text(dataset):
    return [str(s) for s in dataset.asstr()[:]]


class State:
    def __init__(self, binary, source, static, cache):
        self.binary, self.source, self.static, self.cache = binary, source, os.path.abspath(static), cache
        self.runs, self.lock = {}, threading.Lock()
        os.makedirs(cache, exist_ok=True)
        self.parameters = self.read_parameters()

    def read_parameters(self):
        out = subprocess.run([self.binary, "params", "--markdown"], capture_output=True, text=True, check=True).stdout
        rows = []
        for line in out.splitlines():
            m = re.match(r"^\| `([^`]+)` \| ([^|]*) \| (.*) \| ([^|]*) \| ([^|]*) \| (.*) \|$", line)
            if m:
                path, kind, value, units, rng, desc = (g.strip() for g in m.groups())
                rows.append(dict(path=path, type=kind, value=value, units=units, description=desc, range=rng))
        return rows

    def scenarios(self):
        folder = os.path.join(self.source, "scenarios")
        names = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".yaml"))
        names.sort(key=lambda n: n != "baseline")
        result = []
        for name in names:
            with open(os.path.join(folder, name + ".yaml"), encoding="utf-8") as f:
                m = re.search(r"^description: >-\n((?:  .*\n)+)|^description: (.*)$", f.read(), re.M)
            description = " ".join((m.group(1) or m.group(2) or "").split()) if m else ""
            result.append(dict(name=name, file=name + ".yaml", description=description))
        return result

    def start(self, body):
        scenario = body.get("scenario", "baseline")
        if scenario not in [s["name"] for s in self.scenarios()]:
            return 400, {"error": f"no scenario named '{scenario}'", "problems": []}
        sets, replicates = body.get("set", {}) or {}, int(body.get("replicates", 1))
        args = [self.binary, "run", os.path.join(self.source, "scenarios", scenario + ".yaml"),
                "--replicates", str(replicates), "--quiet", "--overwrite"]
        if body.get("seed") is not None:
            args += ["--seed", str(int(body["seed"]))]
        for path, value in sorted(sets.items()):
            args += ["--set", f"{path}={value}"]
        run_id = hashlib.sha256(json.dumps(args[2:], sort_keys=True).encode()).hexdigest()[:16]
        with self.lock:
            run = self.runs.get(run_id)
            if run is None:
                run = dict(id=run_id, status="running", scenario=scenario, replicates=replicates,
                           seed=body.get("seed"), file=os.path.join(self.cache, run_id + ".h5"), cached=False)
                self.runs[run_id] = run
                threading.Thread(target=self.execute, args=(run, args + ["--out", run["file"]]), daemon=True).start()
                return 202, dict(id=run_id, status="running", cached=False)
        return (200 if run["status"] == "done" else 202), dict(id=run_id, status=run["status"], cached=True)

    def execute(self, run, args):
        proc = subprocess.run(args, capture_output=True, text=True)
        with self.lock:
            if proc.returncode == 0:
                run["status"] = "done"
                with h5py.File(run["file"], "r") as f:
                    run["seed"] = int(f.attrs["seed"])
            else:
                run["status"], run["error"] = "failed", proc.stderr.strip().splitlines()[-1:] or ["failed"]

    def status(self, run):
        total = run["replicates"]
        out = dict(id=run["id"], status=run["status"], scenario=run["scenario"], replicates=total, seed=run["seed"],
                   progress=dict(done=total if run["status"] == "done" else 0, total=total))
        if run.get("error"):
            out["error"] = run["error"][0]
        return out

    def summary(self, run):
        with h5py.File(run["file"], "r") as f:
            values = f["outcomes/value"][()]
            names, units, descs = text(f["outcomes/name"]), text(f["outcomes/units"]), text(f["outcomes/description"])
            outcomes = [dict(name=n, units=u, description=d, values=[float(v) for v in values[:, i]])
                        for i, (n, u, d) in enumerate(zip(names, units, descs))]
            series = {}
            ensemble = int(f.attrs["ensemble"]) == 1
            for name in KEY_SERIES:
                group = f["series/" + name]
                entry = dict(units=str(group["value"].attrs["units"]), description=str(group["value"].attrs["description"]),
                             dates=text(group["time"]))
                if ensemble:
                    entry.update({k: [float(v) for v in f[f"summary/{name}/{k}"][()]] for k in ("median", "p10", "p90")})
                else:
                    entry.update(median=[float(v) for v in group["value"][()]], p10=None, p90=None)
                series[name] = entry
            seeds = [int(s) for s in f["replicates/seed"][()]] if "replicates" in f else [int(f.attrs["seed"])]
            yaml_text = str(f.attrs["scenario_yaml"])
        return dict(id=run["id"], scenario=run["scenario"], description=yaml.safe_load(yaml_text).get("description", ""),
                    replicates=run["replicates"], seeds=seeds, outcomes=outcomes, series=series)

    def map(self, run):
        with h5py.File(run["file"], "r") as f:
            p, n = f["practices"], f["networks"]
            practices = dict(code=text(p["code"]), x_km=p["x_km"][()].tolist(), y_km=p["y_km"][()].tolist(),
                             commissioner=text(p["commissioner"]), ceased_step=p["ceased_step"][()].tolist())
            dates = text(p["network_time"])
            membership, lists = p["network"][()], p["evaluation_list_size"][()]
            evaluations = [dict(date=d, network=membership[i].tolist(), list_size=lists[i].tolist())
                           for i, d in enumerate(dates)]
            networks = dict(id=n["id"][()].tolist(), commissioner=text(n["commissioner"]),
                            hosting_model=text(n["hosting_model"]), employer=text(n["employer"]),
                            formed_time=text(n["formed_time"]), ended_time=text(n["ended_time"]),
                            end_reason=text(n["end_reason"]), parent=n["parent"][()].tolist(),
                            successor=n["successor"][()].tolist())
            weeks = text(f["series/networks/time"])
            strain, wte = n["weekly/cd_strain"], n["weekly/arrs_wte"]
            state = []
            for d in dates:
                step = max(0, max(i for i, w in enumerate(weeks) if w <= d))
                by_role = np.asarray(wte[step], dtype=float)
                state.append(dict(date=d, cd_strain=np.asarray(strain[step], dtype=float).tolist(),
                                  arrs_wte=by_role.sum(axis=1).tolist(), arrs_wte_by_role=by_role.tolist()))
            e = f["network_events"]
            events = [dict(date=t, kind=k, network=int(nw), other_network=int(o), practice=pr, reason=r)
                      for t, k, nw, o, pr, r in zip(text(e["time"]), text(e["kind"]), e["network"][()],
                                                    e["other_network"][()], text(e["practice"]), text(e["reason"]))]
            relationships = None
            if len(practices["code"]) <= 300 and "relationships" in f:
                r = f["relationships"]
                relationships = dict(source=r["source"][()].tolist(), target=r["target"][()].tolist(),
                                     affinity=r["affinity"][()].tolist())
            return dict(practices=practices, evaluations=evaluations, networks=networks, network_state=state,
                        roles=text(f["arrs/roles"]), events=events, relationships=relationships)

    def compare(self, base, other):
        out = os.path.join(self.cache, f"compare-{base['id']}-{other['id']}.csv")
        proc = subprocess.run([self.binary, "compare", base["file"], other["file"], "--csv", out, "--overwrite"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            lines = [l for l in proc.stderr.splitlines() if l.strip()]
            return 400, {"error": lines[0] if lines else "compare failed", "problems": lines[1:]}
        import csv
        with open(out, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        num = lambda v: float(v) if v not in ("", None) else None
        bases = {r["outcome"]: r for r in rows if r["baseline"] == "1"}
        result, takes_effect = [], ""
        for r in rows:
            if r["baseline"] == "1":
                continue
            takes_effect = r["takes_effect"] or takes_effect
            result.append(dict(outcome=r["outcome"], units=r["units"], description=r["description"],
                               base_mean=num(bases[r["outcome"]]["mean"]), other_mean=num(r["mean"]),
                               difference=num(r["difference"]), ci95_low=num(r["ci95_low"]),
                               ci95_high=num(r["ci95_high"]), significant=r["significant"] == "1"))
        return 200, {"base": dict(id=base["id"], scenario=base["scenario"]),
                     "other": dict(id=other["id"], scenario=other["scenario"]), "takes_effect": takes_effect,
                     "rows": result}


def handler(state):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, body, content_type="application/json", extra=None):
            data = json.dumps(body).encode() if content_type == "application/json" else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def run_or_404(self, run_id):
            with state.lock:
                run = state.runs.get(run_id)
            if run is None:
                self.send(404, {"error": f"no run {run_id}", "problems": []})
            return run

        def do_POST(self):
            if urlparse(self.path).path != "/api/runs":
                return self.send(404 if self.path.startswith("/api/") else 405, {"error": "not found", "problems": []})
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            except ValueError:
                return self.send(400, {"error": "the body is not JSON", "problems": []})
            self.send(*state.start(body))

        def do_GET(self):
            url = urlparse(self.path)
            path = url.path
            if path == "/api/health":
                return self.send(200, {"ok": True, "version": "fixture"})
            if path == "/api/scenarios":
                return self.send(200, {"scenarios": state.scenarios()})
            if path == "/api/parameters":
                return self.send(200, {"parameters": state.parameters})
            if path == "/api/levers":
                described = {p["path"]: p["description"] for p in state.parameters}
                return self.send(200, {"levers": [dict(l, help=l.get("help") or described.get(l["paths"][0], ""))
                                                  for l in LEVERS]})
            if path == "/api/compare":
                q = parse_qs(url.query)
                base, other = (self.run_or_404(q.get(k, [""])[0]) for k in ("base", "other"))
                if base and other:
                    self.send(*state.compare(base, other))
                return
            m = re.match(r"^/api/runs/([0-9a-f]{16})(?:/(summary|map|scenario\.yaml|results\.h5))?$", path)
            if m:
                run = self.run_or_404(m.group(1))
                if run is None:
                    return
                if m.group(2) is None:
                    return self.send(200, state.status(run))
                if run["status"] != "done":
                    return self.send(404, {"error": "run not done", "problems": []})
                if m.group(2) == "summary":
                    return self.send(200, state.summary(run))
                if m.group(2) == "map":
                    return self.send(200, state.map(run))
                if m.group(2) == "scenario.yaml":
                    with h5py.File(run["file"], "r") as f:
                        data = str(f.attrs["scenario_yaml"]).encode()
                    return self.send(200, data, "text/yaml",
                                     {"Content-Disposition": f'attachment; filename="{run["scenario"]}.yaml"'})
                with open(run["file"], "rb") as f:
                    return self.send(200, f.read(), "application/x-hdf5",
                                     {"Content-Disposition": f'attachment; filename="{run["scenario"]}.h5"'})
            if path.startswith("/api/"):
                return self.send(404, {"error": "no such path", "problems": []})
            name = "index.html" if path == "/" else path.lstrip("/")
            full = os.path.realpath(os.path.join(state.static, name))
            if ".." in name.split("/") or not full.startswith(state.static + os.sep) or not os.path.isfile(full):
                return self.send(404, {"error": "not found", "problems": []})
            types = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
                     ".svg": "image/svg+xml", ".png": "image/png", ".map": "application/json"}
            with open(full, "rb") as f:
                self.send(200, f.read(), types.get(os.path.splitext(full)[1], "application/octet-stream"))
    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("source")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--static")
    parser.add_argument("--cache")
    a = parser.parse_args()
    source = os.path.abspath(a.source)
    cache = a.cache or os.path.join(source, "outputs", "explorer-fixture")
    state = State(os.path.abspath(a.binary), source, a.static or os.path.join(source, "web", "dist"), cache)
    server = ThreadingHTTPServer(("127.0.0.1", a.port), handler(state))
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
