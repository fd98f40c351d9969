"""The search page in a real browser: headless Chromium (Debian's package) driven by Playwright,
against `searchlib serve`'s app on a loopback port.

Skips when Chromium or Playwright is missing, unless SEARCHLIB_REQUIRE_BROWSER is set (CI sets it,
after installing Chromium). SEARCHLIB_SCREENSHOT=PATH keeps a screenshot of the results page; the
trend chart's screenshot is always kept, in SEARCHLIB_SCREENSHOT_DIR or else the test's temporary
folder, and its path printed (``-rP`` shows it).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("SEARCHLIB_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason, allow_module_level=True)


_need(CHROMIUM is not None, "no chromium on this machine (Debian: apt-get install chromium)")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install '.[test]'")
uvicorn = pytest.importorskip("uvicorn", reason="the server extra is not installed: pip install 'searchlib[server]'")

from searchlib.server import create_app  # noqa: E402
from tests.server.articles import HOSTILE, build_index, dated_articles  # noqa: E402

# Chromium's own background traffic (updates, sync, safe browsing) is refused by closed networks.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = build_index(tmp_path_factory.mktemp("browser"), [HOSTILE, *dated_articles(30)])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(index), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_search_highlight_filter_and_page_forward(browser, server_url: str) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"a dialog opened: {dialog.message}"))
    page.goto(server_url)

    # Typed without accents, from the keyboard: the search box has the focus and a label.
    box = page.get_by_label("Rechercher dans les archives")
    assert box.evaluate("element => element === document.activeElement")
    page.keyboard.type("pekin")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    marks = page.locator("ol.hits mark")
    assert "Pékin" in marks.all_inner_texts()
    assert "Résultats 1–10 sur" in page.get_by_role("heading", level=2).first.inner_text()

    # A date filter: 2001 to 2002 leaves the 24 monthly chronicles of those years.
    page.get_by_label("Depuis").fill("2001")
    page.get_by_label("Jusqu'à").fill("décembre 2002")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    assert page.locator("h2#resultats").inner_text().strip() == "Résultats 1–10 sur 24 articles"
    dates = page.locator("ol.hits time").all_inner_texts()
    assert dates and all("2001-01-01" <= date <= "2002-12-31" for date in dates)
    if os.environ.get("SEARCHLIB_SCREENSHOT"):
        page.screenshot(path=os.environ["SEARCHLIB_SCREENSHOT"], full_page=True)

    # Page forward, and the filter stays applied.
    with page.expect_navigation():
        page.get_by_role("link", name="Page suivante").click()
    assert page.locator("h2#resultats").inner_text().strip() == "Résultats 11–20 sur 24 articles"
    assert page.locator("ol.hits").get_attribute("start") == "11"
    assert page.get_by_label("Depuis").input_value() == "2001"
    assert errors == []


def test_hostile_article_runs_no_script(browser, server_url: str) -> None:  # noqa: ANN001
    page = browser.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(server_url + "?q=pekin&from=2024")
    title = page.locator("ol.hits h2 a").first
    assert "<script>" in title.inner_text()  # shown as text
    assert page.locator("ol.hits img").count() == 0
    title.hover()
    with page.expect_navigation():
        title.click()
    assert "guillemets" in page.inner_text("main")
    assert page.get_by_role("link", name="Lire sur le site d'origine").count() == 0  # javascript: url dropped
    assert alerts == []


def test_readable_on_a_phone(browser, server_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page.goto(server_url + "?q=pekin")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone screen"
    font = page.locator("ol.hits .snippet").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 14


def test_trend_chart_points_link_to_their_period(browser, server_url: str, tmp_path: Path, record_property) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    queries = ["france", "election", "chine"]
    page.goto(server_url + "tendance?" + "&".join(f"q={q}" for q in queries) + "&by=month&source=Wikinews")
    chart = page.locator("figure.trend svg")
    box = chart.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 200  # drawn, at the page's width

    # Every month from the first match to the last, for each query, is a point: a link to its results.
    periods = [f"{year}-{month:02d}" for year in (2016, 2017, 2018) for month in range(1, 13)]
    points = chart.locator("a")
    assert points.count() == len(periods) * len(queries)
    for number, point in enumerate(points.all()):
        period = periods[number % len(periods)]
        assert point.get_attribute("data-period") == period
        query = parse_qs(urlsplit(point.get_attribute("href") or "").query)
        year, month = (int(part) for part in period.split("-"))
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        assert query == {"q": [queries[number // len(periods)]], "from": [f"{period}-01"], "to": [last], "source": ["Wikinews"]}
        assert point.locator("circle").count() == 1
    labels = chart.locator("text").all_text_contents()
    assert {"2016", "2017", "2018"} <= set(labels)  # the years along the time axis
    assert "france (77 articles)" in labels  # the legend
    assert page.locator("details#chiffres table tbody tr").count() == len(periods)

    shots = Path(os.environ.get("SEARCHLIB_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "trend-chart.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"trend chart screenshot: {shot}")
    record_property("screenshot", str(shot))
    assert shot.stat().st_size > 10_000

    # A point's tooltip says its count, and following it gives as many results.
    june = points.nth(periods.index("2016-06"))
    assert june.locator("title").text_content() == "« france », juin 2016 : 5 articles"
    with page.expect_navigation():
        june.locator("circle").click()
    assert page.locator("h2#resultats").inner_text().strip() == "Résultats 1–5 sur 5 articles"
    assert page.get_by_label("Depuis").input_value() == "2016-06-01"
    assert errors == []


@pytest.mark.parametrize(
    "path",
    [
        "", "?q=pekin", "?q=pekin&from=2001&to=2002&page=2", "view/pekin-001", "?q=pekim", "?q=pekin&from=hier",
        "tendance?q=pekin&q=chronique&by=year", "tendance?q=zzzyxw", "tendance?q=pekin&by=decade", "concordance?q=pekin",
    ],
)  # fmt: skip
def test_no_accessibility_violations(browser, server_url: str, path: str) -> None:  # noqa: ANN001
    """axe-core, the checker browsers' own accessibility audits use: labels, contrast, landmarks,
    headings, link names, the document's language."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")
    page = browser.new_page()
    page.goto(server_url + path)
    violations = axe.Axe().run(page).response["violations"]
    assert [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
