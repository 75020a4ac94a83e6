"""The golden site in a real browser (Debian's Chromium): contrast, small screens, focus, no JS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.golden_site import build_golden
from tests.support import serve

PAGES = [
    "/",
    "/archiv/",
    "/2022/",
    "/2022/01/",
    "/2022/01/fluechtlingspolitik-der-satz-wir-schaffen-das-wirkt-nach/",
    "/2021/11/klimakonferenz-in-glasgow-ein-gipfel-der-kompromisse/",
    "/rubrik/",
    "/404.html",
]

# Every visible text node: its WCAG contrast ratio against the first opaque background behind it.
CONTRASTS = """() => {
  const parse = (c) => { const p = c.match(/[\\d.]+/g).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (; el; el = el.parentElement) {
    const c = parse(getComputedStyle(el).backgroundColor); if (c.a > 0) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width === 0 || box.right < 0) continue;
    const fg = parse(el.closest("svg") ? style.fill : style.color);
    const a = lum(fg), b = lum(background(el));
    found.push({text: node.textContent.trim().slice(0, 40),
                ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return found;
}"""


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the golden content with root-relative URLs and serve it on 127.0.0.1."""
    base = tmp_path_factory.mktemp("browser")
    assert (
        build_golden(base / "out", base / "cache", SITEURL="", FEED_DOMAIN="http://127.0.0.1") == []
    )
    with serve(base / "out") as url:
        yield url


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for screenshots to look at, outside the repository (pytest prints its base)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_all_text_has_contrast_of_at_least_4_5(
    browser: Browser, served_site: str, scheme: str, artifacts: Path
):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    for path in PAGES:
        page.goto(served_site + path)
        contrasts = page.evaluate(CONTRASTS)
        assert len(contrasts) > 10, path
        low = [c for c in contrasts if c["ratio"] < 4.5]
        assert not low, (scheme, path, low[:5])
    page.goto(served_site + PAGES[4])
    page.screenshot(path=artifacts / f"article-{scheme}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("width", [320, 768, 1600])
def test_pages_fit_the_screen_without_sideways_scrolling(
    browser: Browser, served_site: str, width: int, artifacts: Path
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for path in PAGES:
        page.goto(served_site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, (path, overflow)
    page.goto(served_site + PAGES[4])
    page.screenshot(path=artifacts / f"article-{width}.png", full_page=True)
    context.close()


def test_keyboard_focus_shows_the_skip_link_with_an_outline(browser: Browser, served_site: str):
    page = browser.new_page()
    page.goto(served_site + PAGES[4])
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement, s = getComputedStyle(el),
        box = el.getBoundingClientRect();
        return {text: el.textContent, outline: s.outlineStyle, width: s.outlineWidth,
                left: box.left, top: box.top}; }"""
    )
    assert focused["text"] == "Zum Inhalt springen"
    assert focused["outline"] != "none" and focused["width"] != "0px"
    assert focused["left"] >= 0 and focused["top"] >= 0  # moved on screen when focused
    page.keyboard.press("Enter")
    # The jump is the browser's to make after the key press: on a busy machine it comes later.
    page.wait_for_url(served_site + PAGES[4] + "#inhalt", timeout=5000)
    assert page.url.endswith("#inhalt")
    page.close()


def test_pages_read_without_javascript_and_request_only_their_own_host(
    browser: Browser, served_site: str
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path in PAGES:
        page.goto(served_site + path)
        assert page.locator("h1").first.is_visible(), path
    assert requests and all(url.startswith(served_site + "/") for url in requests), requests
    context.close()


def heading(page: Page) -> str:
    """The page's h1 as read, with typogrify's no-break space before the last word as a space."""
    return page.locator("h1").inner_text().replace("\xa0", " ")


def test_a_readers_path_from_home_to_the_next_article(browser: Browser, served_site: str):
    page = browser.new_page()
    page.goto(served_site + "/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Archiv"
    ).click()
    assert page.url == served_site + "/archiv/"
    page.locator("main").get_by_role("link", name="2022", exact=True).click()
    assert page.url == served_site + "/2022/"
    page.locator("main").get_by_role("link", name="Januar", exact=True).click()
    assert page.url == served_site + "/2022/01/"
    page.locator("main").get_by_role("link", name="Die EZB muss jetzt handeln").click()
    assert page.url == served_site + "/2022/01/inflation-die-ezb-muss-handeln/"
    assert heading(page) == "Die EZB muss jetzt handeln"
    page.locator("a[rel=next]").click()
    assert page.url.endswith("/2022/01/fluechtlingspolitik-der-satz-wir-schaffen-das-wirkt-nach/")
    assert heading(page) == "Der Satz „Wir schaffen das“ wirkt nach"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_article_and_archive(
    browser: Browser, served_site: str, width: int, scheme: str, artifacts: Path
):
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in (("article", PAGES[4]), ("archive", "/archiv/")):
        page.goto(served_site + path)
        shot = artifacts / f"{name}-{width}-{scheme}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 5000
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, (path, width, overflow)
    context.close()
