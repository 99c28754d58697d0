"""The report in a real browser: a two-scenario report of the teaching population
(3 replicates each, the national ARRS pot +50% from 2021/22 against none) opened
in headless Chromium through selenium renders: the h1 is there, every <img> loaded
(naturalWidth > 0), each chart's download links point at files that exist, and the
browser console has no SEVERE entry. A full-page screenshot is saved as
report_browser.png in the working folder (the test's build folder).
Needs chromium, chromium-driver and python3-selenium (scripts/setup.sh).
Usage: test_report_browser.py PCNSIM_BINARY SOURCE_DIR"""
import os
import subprocess
import sys
import tempfile
import time

from headless import assert_no_severe, chromium

from harness import binary, in_source

tool = in_source("tools", "pcnsim_report.py")


def simulate(out, *extra):
    subprocess.run([binary, "run", in_source("scenarios", "teaching-10.yaml"), "--out", out, "--replicates", "3",
                    "--quiet", *extra], check=True, stdout=subprocess.DEVNULL)
    return out


started = time.time()
with tempfile.TemporaryDirectory() as tmp:
    base = simulate(os.path.join(tmp, "base.h5"))
    pot = simulate(os.path.join(tmp, "pot.h5"), "--set", "funding.arrs_national_pot_gbp={scale: 1.5, from: 2021-04-01}")
    out = os.path.join(tmp, "report")
    result = subprocess.run([sys.executable, tool, base, pot, "--out", out, "--pcnsim", binary, "--no-pdf"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

    driver = chromium()
    try:
        driver.set_window_size(1200, 900)
        driver.get("file://" + os.path.join(out, "report.html"))
        deadline = time.time() + 30
        while not driver.execute_script("return Array.from(document.images).every(i => i.complete)"):
            assert time.time() < deadline, "images still loading after 30 s"
            time.sleep(0.2)
        h1 = driver.execute_script("return document.querySelector('h1') && document.querySelector('h1').textContent")
        assert h1 and "teaching-10" in h1, h1
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth, i.naturalHeight])")
        assert len(images) > 20, len(images)
        broken = [src for src, width, height in images if not width or not height]
        assert not broken, f"images that did not load: {broken}"
        links = driver.execute_script(
            "return Array.from(document.querySelectorAll('.downloads a')).map(a => a.getAttribute('href'))")
        assert len(links) == 3 * len(images), (len(links), len(images))
        missing = [href for href in links if not os.path.isfile(os.path.join(out, href))]
        assert not missing, f"download links to missing files: {missing}"
        assert_no_severe(driver)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1200, min(height, 16000))
        shot = os.path.abspath("report_browser.png")
        driver.save_screenshot(shot)
        with open(shot, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(shot) > 50000, shot
    finally:
        driver.quit()

print(f"report in Chromium: h1, {len(images)} images loaded, {len(links)} download links, no SEVERE console entry; "
      f"screenshot {shot} ({time.time() - started:.1f} s)")
