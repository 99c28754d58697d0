"""Debian's Chromium, headless, through selenium: what the browser tests (and
bench/bench_explorer_browser.py) share. No command-line arguments are read
here, so a bench script can import it too."""
from selenium import webdriver
from selenium.webdriver.chrome.options import Options


def chromium():
    """A headless Chromium that keeps the page's console log."""
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options)


def assert_no_severe(driver):
    """The page's console has no error (SEVERE entry) since the last look."""
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not severe, f"browser console: {severe}"
