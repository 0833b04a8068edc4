"""Headless Chromium for the HTML tests: Debian's /usr/bin/chromium, driven by Playwright (no download).

The Makefile's install step puts Debian's chromium on a machine where we are root (`make browser`);
when it is missing here and we are root, the fixture installs it the same way. Only when it cannot be
found and we are not root does a browser test skip (saying why).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: Flags for a sandbox with no network: without the background-networking ones Chromium keeps
#: trying (and failing) to reach Google's hosts.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

#: Gathers what the tests check, in the page: every image's size, every section's status.
PROBE_JS = """() => ({
  images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,
                                                   height: i.naturalHeight, alt: i.alt})),
  sections: Array.from(document.querySelectorAll('section.experiment')).map(
      s => ({name: s.dataset.name, status: s.dataset.status})),
  errors: document.querySelectorAll('section.error, .error-box').length,
})"""


def _find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium executable (installed from Debian if missing and we are root)."""
    path = _find_chromium()
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run("apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium",
                       shell=True, check=True, capture_output=True, timeout=900)
        path = _find_chromium()
        assert path, "apt-get installed chromium but no executable was found"
    if path is None:
        reason = "chromium not found (set CHROMIUM=/path, or run `make browser` as root) and we are not root"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def inspect_page(chromium, tmp_path_factory):
    """A function: open an HTML file in headless Chromium -> PROBE_JS's dict, plus ``requests``
    (every URL the page asked for besides itself and data: URIs) and ``screenshot`` (a PNG path)."""
    from playwright.sync_api import sync_playwright

    shots = tmp_path_factory.mktemp("shots")

    def inspect(path: Path) -> dict:
        url = Path(path).resolve().as_uri()
        requests: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.on("request", lambda r: requests.append(r.url)
                        if r.url != url and not r.url.startswith("data:") else None)
                page.goto(url, wait_until="load")
                info = page.evaluate(PROBE_JS)
                shot = shots / f"{Path(path).parent.name}.png"
                page.screenshot(path=str(shot), full_page=True)
            finally:
                browser.close()
        return {**info, "requests": requests, "screenshot": shot}

    return inspect
