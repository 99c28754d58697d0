"""What the `pcnsim serve` tests share: a server started on a free port with
its own temporary cache and static folders (stopped at the end), and plain
HTTP requests to it (urllib and http.client: no third-party client)."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from harness import binary, source

# urllib must not send loopback requests through a proxy of the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Server:
    """`pcnsim serve --port 0` in the source folder (the scenario library),
    with a temporary cache and a static folder holding index.html."""

    def __init__(self, *extra, cache=None):
        self.dir = tempfile.mkdtemp(prefix="pcnsim-serve-test-")
        self.cache = cache or os.path.join(self.dir, "cache")
        self.static = os.path.join(self.dir, "static")
        os.makedirs(self.static)
        with open(os.path.join(self.static, "index.html"), "w") as f:
            f.write("<!doctype html><title>explorer</title>\n")
        with open(os.path.join(self.dir, "secret.txt"), "w") as f:
            f.write("SECRET-OUTSIDE-STATIC\n")
        self.out = open(os.path.join(self.dir, "stdout.txt"), "w+")
        self.err = open(os.path.join(self.dir, "stderr.txt"), "w+")
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", "--cache", self.cache, "--static", self.static,
                                      *extra], cwd=source, stdout=self.out, stderr=self.err)
        self.port = self._port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.wait_healthy()

    def _port(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            assert self.proc.poll() is None, ("server exited", self.proc.returncode, self.log())
            self.out.seek(0)
            line = self.out.readline()
            if "http://127.0.0.1:" in line:
                return int(line.split("http://127.0.0.1:")[1].split("/")[0])
            time.sleep(0.05)
        raise AssertionError("no port printed: " + self.log())

    def log(self):
        self.err.seek(0)
        return self.err.read()[-3000:]

    def wait_healthy(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status, body, _ = self.get("/api/health")
                if status == 200 and body["ok"]:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("no /api/health: " + self.log())

    def request(self, method, path, body=None, raw=False):
        """(status, JSON body or bytes when raw, headers); errors are answers too."""
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with _opener.open(req, timeout=60) as r:
                status, payload, headers = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, payload, headers = e.code, e.read(), e.headers
        if raw:
            return status, payload, headers
        return status, json.loads(payload.decode("utf-8")), headers

    def get(self, path, raw=False):
        return self.request("GET", path, raw=raw)

    def post(self, path, body):
        return self.request("POST", path, body)

    def raw_path(self, path):
        """GET with the request target exactly as given (no client normalising): (status, bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
            conn.endheaders()
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def run(self, request, timeout=120):
        """POSTs a run and polls its status until done; (id, final status)."""
        status, body, _ = self.post("/api/runs", request)
        assert status in (200, 202), (status, body)
        rid = body["id"]
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, st, _ = self.get("/api/runs/" + rid)
            assert status == 200, (status, st)
            if st["status"] in ("done", "failed"):
                return rid, st
            time.sleep(0.05)
        raise AssertionError("run %s not done in %d s" % (rid, timeout))

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self, sig=signal.SIGTERM):
        """Stops the server; its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("the server did not stop within 30 s of the signal")
        return self.proc.returncode

    def close(self):
        try:
            self.stop()
        finally:
            self.out.close()
            self.err.close()
            shutil.rmtree(self.dir, ignore_errors=True)
