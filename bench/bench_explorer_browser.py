#!/usr/bin/env python3
"""England run to first map as a user sees it: for each repeat, a fresh
`pcnsim serve` (its own empty cache, so nothing is cached) serving web/dist and
a fresh headless Chromium; then the wall time from asking the browser for
/?scenario=baseline (the page loads, runs the baseline with one replicate,
fetches the map and draws it) to the map showing its network areas (more than
1,000 `.network-area` shapes), polled every 25 ms. Then the same address again
in the same browser: the run is cached, so this is page load, map fetch and
drawing alone. Prints one line per repeat and the medians.

Usage: bench/bench_explorer_browser.py [--pcnsim build/release/pcnsim] [--repeats 5]
(run from the project folder, which holds scenarios/ and web/dist)."""
import argparse
import os
import shutil
import statistics
import tempfile
import time
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "python"))
from headless import chromium  # noqa: E402  (the browser tests' own headless Chromium)
from bench_explorer import start_server  # noqa: E402  (the API bench's server start)

AREAS = "return document.querySelectorAll('#map-run .network-area').length"


def browser():
    driver = chromium()
    driver.set_window_size(1400, 1000)
    return driver


def time_to_map(driver, url):
    start = time.perf_counter()
    driver.get(url)
    while driver.execute_script(AREAS) <= 1000:
        if time.perf_counter() - start > 120:
            raise SystemExit("no map after 120 s")
        time.sleep(0.025)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcnsim", default="build/release/pcnsim")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    first, again = [], []
    for k in range(args.repeats):
        folder = tempfile.mkdtemp(prefix="bench-explorer-")
        proc, base = start_server(args.pcnsim, folder, os.path.join("web", "dist"))
        driver = browser()
        try:
            first.append(time_to_map(driver, base + "/?scenario=baseline"))
            again.append(time_to_map(driver, base + "/?scenario=baseline&year=2019"))
        finally:
            driver.quit()
            proc.terminate()
            proc.wait()
            shutil.rmtree(folder)
        print(f"repeat {k + 1}: run to first map {first[-1]:.2f} s; cached run, page to map {again[-1]:.2f} s")
    print(f"median: run to first map {statistics.median(first):.2f} s "
          f"(range {min(first):.2f}-{max(first):.2f}); cached {statistics.median(again):.2f} s")


if __name__ == "__main__":
    main()
