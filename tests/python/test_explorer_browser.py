"""The explorer page (web/dist, built by scripts/build.sh) in headless Chromium
through selenium, served by `pcnsim serve`: the page loads with no
SEVERE console entry; the map shows one .network-area per network of the shown
evaluation (teaching-10 and England); moving the ARRS-pot slider and pressing
Run changes the ARRS chart and the URL; the year slider replays membership (the
areas differ between 2019 and a later year on teaching-10, which splits);
reloading the URL restores the levers; the download links point at the run's
scenario.yaml and results.h5, and the downloaded scenario run by `pcnsim run`
gives the run's key outcomes exactly. Screenshots: explorer-map.png (England) and
explorer-compare.png (teaching-10 against its comparison run, side by side) in
the working folder; with PCNSIM_EXPLORER_DOCS=1 also docs/explorer-map.png and
docs/explorer-compare.png.

Needs chromium, chromium-driver, python3-selenium, and web/dist (npm, scripts/setup.sh).
Usage: test_explorer_browser.py PCNSIM_BINARY SOURCE_DIR"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import h5py

from headless import assert_no_severe, chromium

from harness import binary, in_source

def server_command(port, cache):
    return [binary, "serve", "--port", str(port), "--static", in_source("web", "dist"), "--cache", cache]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.loads(r.read())


def wait_done(driver, previous=None, timeout=120):
    """Waits until the page says Done for a run other than `previous`; returns the run id."""
    deadline = time.time() + timeout
    while True:
        run, status, error = driver.execute_script(
            "const s = document.getElementById('status');"
            "return [document.body.dataset.run || null, s.textContent, s.classList.contains('error')]")
        assert not error, status
        if run and run != previous and status.startswith("Done") and not driver.execute_script(
                "return document.getElementById('run').disabled"):
            return run
        assert time.time() < deadline, f"no run done after {timeout} s: {status}"
        time.sleep(0.2)


def areas(driver):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#map-run .network-area'))"
        ".map(a => [Number(a.dataset.network), a.getAttribute('d'), a.getAttribute('fill')])")


def live_networks(base, run, evaluation):
    m = api(base, f"/api/runs/{run}/map")
    ev = m["evaluations"][evaluation]
    return {n for n, size in zip(ev["network"], ev["list_size"]) if n >= 0 and size > 0}, m


def set_range(driver, element_id, value):
    driver.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true}));", element_id, str(value))


def arrs_chart(driver):
    return driver.execute_script(
        "return document.querySelector('figure[data-series=arrs_wte] path.run-0').getAttribute('d')")


def shot(driver, name, height=None):
    if height:
        driver.set_window_size(1400, height)
        time.sleep(0.5)
    path = os.path.abspath(name)
    driver.save_screenshot(path)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 30000, path
    if os.environ.get("PCNSIM_EXPLORER_DOCS") == "1":
        shutil.copy(path, in_source("docs", name))
    return path


assert os.path.isfile(in_source("web", "dist", "index.html")), "web/dist not built: scripts/build.sh (needs npm)"
started = time.time()
with tempfile.TemporaryDirectory() as cache:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(server_command(port, cache), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    driver = None
    try:
        deadline = time.time() + 60
        while True:
            try:
                assert api(base, "/api/health")["ok"]
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.time() < deadline, "server not answering after 60 s"
                time.sleep(0.2)
        driver = chromium()
        driver.set_window_size(1400, 1000)

        # teaching-10: one area per live network at each evaluation; the year slider replays the split.
        driver.get(base + "/?scenario=teaching-10&replicates=3")
        run = wait_done(driver)
        assert_no_severe(driver)
        first = areas(driver)
        live, m = live_networks(base, run, 0)
        assert sorted(a[0] for a in first) == sorted(live), (first, live)
        last = len(m["evaluations"]) - 1
        set_range(driver, "year", last)
        later = areas(driver)
        live_last, _ = live_networks(base, run, last)
        assert sorted(a[0] for a in later) == sorted(live_last), (later, live_last)
        assert first != later, "the map did not change between 2019 and the last evaluation"
        assert f"year={m['evaluations'][last]['date'][:4]}" in driver.current_url, driver.current_url
        if m["relationships"] is not None:
            driver.execute_script("document.getElementById('show-relationships').click()")
            labels = driver.execute_script("return document.querySelectorAll('#map-run .relationship-label').length")
            assert labels == len(m["relationships"]["source"]), labels

        # The ARRS pot lever: the ARRS chart and the URL change, the comparison run appears.
        before_chart, before_url = arrs_chart(driver), driver.current_url
        set_range(driver, "lever-arrs_pot_scale", 2)
        assert "lever.arrs_pot_scale=2" in driver.current_url, driver.current_url
        driver.execute_script("document.getElementById('run').click()")
        pot_run = wait_done(driver, previous=run)
        assert arrs_chart(driver) != before_chart, "the ARRS chart did not change"
        assert driver.current_url != before_url
        assert driver.execute_script("return document.querySelectorAll('figure[data-series=arrs_wte] path.run-1').length") == 1
        assert driver.execute_script("return document.querySelectorAll('figure.chart path.band').length") > 0
        assert driver.execute_script("return document.querySelectorAll('figure.chart line.marker').length") > 0
        rows = driver.execute_script("return document.querySelectorAll('table.compare tbody tr').length")
        assert rows > 10, rows
        hrefs = driver.execute_script("return ['download-scenario', 'download-results']"
                                      ".map(id => document.getElementById(id).getAttribute('href'))")
        assert hrefs == [f"/api/runs/{pot_run}/scenario.yaml", f"/api/runs/{pot_run}/results.h5"], hrefs
        with urllib.request.urlopen(base + hrefs[0], timeout=30) as r:
            scenario_yaml = r.read().decode()
        assert "scale" in scenario_yaml or "arrs_national_pot_gbp" in scenario_yaml, scenario_yaml[:500]
        # The downloaded scenario reproduces the run's key outcomes from the command line.
        summary = api(base, f"/api/runs/{pot_run}/summary")
        with tempfile.TemporaryDirectory() as work:
            downloaded, rerun = os.path.join(work, "scenario.yaml"), os.path.join(work, "rerun.h5")
            with open(downloaded, "w") as fh:
                fh.write(scenario_yaml)
            subprocess.run([binary, "run", downloaded, "--replicates", str(summary["replicates"]), "--quiet",
                            "--out", rerun], check=True, stdout=subprocess.DEVNULL)
            with h5py.File(rerun, "r") as f:
                names = list(f["outcomes/name"][:].astype(str))
                values = f["outcomes/value"][:]
        for outcome in summary["outcomes"]:
            k = names.index(outcome["name"])
            assert list(values[:, k]) == outcome["values"], (outcome["name"], list(values[:, k]), outcome["values"])
        with urllib.request.urlopen(base + hrefs[1], timeout=30) as r:
            assert r.read(8) == b"\x89HDF\r\n\x1a\n", hrefs[1]
        # Each chart's CSV is made in the page (a Blob): the buttons are there and clicking one raises nothing.
        buttons = driver.execute_script("return document.querySelectorAll('figure.chart button.csv').length")
        charts = driver.execute_script("return document.querySelectorAll('figure.chart').length")
        assert buttons == charts >= 8, (buttons, charts)
        csv_text = driver.execute_script(
            "let text = null; const create = URL.createObjectURL;"
            "URL.createObjectURL = b => { b.text().then(t => { text = t; }); return create(b); };"
            "document.querySelector('figure[data-series=arrs_wte] button.csv').click();"
            "URL.createObjectURL = create; return new Promise(r => setTimeout(() => r(text), 300));")
        assert csv_text and csv_text.startswith("date,this run median (WTE)") and len(csv_text.splitlines()) > 200, csv_text[:300]
        assert_no_severe(driver)

        # Reloading the URL restores the levers (and gives the same run, cached).
        driver.execute_script("document.getElementById('side-by-side').click()")
        set_range(driver, "year", min(2, last))  # teaching-10 with the baseline seed splits in 2021
        url = driver.current_url
        driver.get(url)
        assert wait_done(driver) == pot_run
        value = driver.execute_script("return document.getElementById('lever-arrs_pot_scale').value")
        assert float(value) == 2, value
        assert driver.execute_script("return document.getElementById('replicates').value") == "3"
        assert driver.execute_script("return !document.getElementById('map-base').hidden")
        assert len(driver.execute_script("return document.querySelectorAll('#map-base .network-area')")) > 0
        assert_no_severe(driver)
        compare_shot = shot(driver, "explorer-compare.png", 1500)

        # England: one area per network live at the shown evaluation.
        driver.set_window_size(1400, 1000)
        driver.get(base + "/?scenario=baseline&year=2021")
        england = wait_done(driver)
        live, m = live_networks(base, england, 2)
        shown = areas(driver)
        assert len(shown) == len(live) and sorted(a[0] for a in shown) == sorted(live), (len(shown), len(live))
        assert len(live) > 1000, len(live)
        assert_no_severe(driver)
        map_shot = shot(driver, "explorer-map.png", 1150)
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)

print(f"explorer in Chromium from pcnsim serve: teaching-10 and England maps with one area per network, "
      f"year replay, ARRS pot lever, reload, downloads, no SEVERE console entry; screenshots {map_shot}, {compare_shot} "
      f"({time.time() - started:.1f} s)")
