"""The built site, opened in a real browser: Debian's chromium, driven by playwright.

Serves ``docs/_build/html`` on 127.0.0.1 and visits the index, the tutorial, a gallery page and
an API page. On each: no console errors, no uncaught page errors, no failed or off-site
requests, no broken internal links, every image loaded. Full-page screenshots go to
``docs/_build/screenshots/`` for a person to look at.

Build the site first (``bash scripts/docs``). Without a built site, playwright or chromium the
tests skip locally and fail under ``CI=true`` (``scripts/test`` provides all three).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "_build" / "html"
SCREENSHOTS = ROOT / "docs" / "_build" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

#: name -> page, relative to the site root.
PAGES = {
    "index": "index.html",
    "tutorial": "auto_tutorials/plot_why_schedule_the_learning_rate.html",
    "gallery": "auto_examples/plot_cosine_annealing_lr.html",
    "api": "api/specs.html",
}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Lazy images load only when near the viewport: make them eager, walk down the page, then
# wait until every image has finished (loaded or failed).
LOAD_ALL_IMAGES = """async () => {
    for (const img of document.images) { img.loading = "eager"; }
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 50));
    }
    window.scrollTo(0, 0);
    const pending = Array.from(document.images).filter((img) => !img.complete);
    await Promise.all(pending.map((img) => new Promise((done) => {
        img.addEventListener("load", done);
        img.addEventListener("error", done);
    })));
    return Array.from(document.images, (img) => [img.currentSrc || img.src, img.naturalWidth]);
}"""


def _unavailable(reason: str) -> None:
    """Fail under CI (the browser check is part of CI's contract); skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: scripts/test provides it)", pytrace=False)
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The built site, served from a thread on a free port of 127.0.0.1."""
    if not (SITE / "index.html").is_file():
        _unavailable(f"no built site at {SITE}: run `bash scripts/docs` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    """Headless Debian chromium (playwright never downloads a browser here)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("no `chromium` on PATH (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """One page opened in a fresh browser context, with everything that went wrong on it."""

    def __init__(self, browser: Any, base_url: str, path: str) -> None:
        self.base_url = base_url
        self.url = base_url + path
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        # Nothing may leave the local server: record and abort any other request at once.
        self.context.route("**/*", self._route)
        page = self.context.new_page()
        page.set_default_timeout(30_000)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        response = page.goto(self.url, wait_until="load")
        assert response is not None and response.status == 200, f"{self.url}: {response}"
        self.images: list[tuple[str, int]] = [tuple(i) for i in page.evaluate(LOAD_ALL_IMAGES)]
        page.wait_for_load_state("networkidle")
        self.page = page

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base_url):
            route.continue_()
        else:
            self.failed_requests.append(f"off-site request {route.request.url}")
            route.abort()

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location})")

    def _on_request_failed(self, request: Any) -> None:
        if request.url.startswith(self.base_url):  # off-site ones are recorded by _route
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def internal_links(self) -> set[str]:
        """Every same-origin ``<a href>`` on the page, without its #fragment."""
        hrefs = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        origin = urlsplit(self.base_url)[:2]
        return {urldefrag(h).url for h in hrefs if urlsplit(h)[:2] == origin}

    def close(self) -> None:
        self.context.close()


def _status(url: str) -> int:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def visits(browser: Any, base_url: str) -> Iterator[dict[str, Visit]]:
    opened: dict[str, Visit] = {}
    try:
        for name, path in PAGES.items():
            if not (SITE / path).is_file():
                pytest.fail(f"the built site has no {path}", pytrace=False)
            opened[name] = Visit(browser, base_url, path)
        yield opened
    finally:
        for visit in opened.values():
            visit.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_is_clean(visits: dict[str, Visit], name: str) -> None:
    visit = visits[name]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    problems = [
        *(f"console error: {text}" for text in visit.console_errors),
        *(f"page error: {text}" for text in visit.page_errors),
        *(f"failed request: {text}" for text in visit.failed_requests),
    ]
    if problems:
        pytest.fail(f"{visit.url}:\n  " + "\n  ".join(problems), pytrace=False)
    assert visit.page.title().strip(), f"{visit.url} has no title"


@pytest.mark.parametrize("name", PAGES)
def test_images_loaded(visits: dict[str, Visit], name: str) -> None:
    visit = visits[name]
    broken = [src for src, width in visit.images if width <= 0]
    assert broken == [], f"{visit.url}: images that did not load: {broken}"


@pytest.mark.parametrize("name", PAGES)
def test_internal_links(visits: dict[str, Visit], name: str) -> None:
    visit = visits[name]
    links = visit.internal_links()
    assert links, f"{visit.url} has no internal links"
    broken = {url: status for url in sorted(links) if (status := _status(url)) != 200}
    assert broken == {}, f"{visit.url}: broken internal links"


def test_index_leads_everywhere(visits: dict[str, Visit]) -> None:
    """A newcomer reaches the tutorial, the gallery and the API reference from the index."""
    links = visits["index"].internal_links()
    paths = {urlsplit(url).path.lstrip("/") for url in links}
    assert PAGES["tutorial"] in paths or "auto_tutorials/index.html" in paths, sorted(paths)
    assert any(p.startswith("auto_examples/") for p in paths), sorted(paths)
    assert any(p.startswith("api/") for p in paths), sorted(paths)


def test_tutorial_shows_its_computed_results(visits: dict[str, Visit]) -> None:
    page = visits["tutorial"].page
    text = page.inner_text("body")
    for final_lr in ("6.640349721896886e-06", "0.0014801323050834992", "2.5000000000000012e-08"):
        assert final_lr in text
    assert "scheduler=False" in text
    # The bowl, the noisy bowl, and the lr + loss panels.
    assert len(visits["tutorial"].images) >= 3


def test_gallery_page_shows_a_plot(visits: dict[str, Visit]) -> None:
    assert any("/_images/" in src for src, _ in visits["gallery"].images)
