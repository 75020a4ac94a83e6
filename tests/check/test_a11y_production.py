"""The accessibility check sees a production build with its styles, loaded from the output."""

from __future__ import annotations

from pathlib import Path

from opeds.check import a11y

SITE = "https://example.org/meinung"
PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Probe</title>
<link rel="stylesheet" href="https://example.org/meinung/theme/css/site.css">
<link rel="stylesheet" href="https://fonts.example.net/fremd.css">
</head><body><main><h1>Probe</h1><p>Ein Absatz, den kaum jemand lesen kann.</p></main>
</body></html>
"""


def test_styles_from_the_site_url_are_served_from_the_output(tmp_path: Path) -> None:
    (tmp_path / "theme" / "css").mkdir(parents=True)
    # Light grey on white: only a check that loads the stylesheet can find the contrast fault.
    (tmp_path / "theme" / "css" / "site.css").write_text("p { color: #eee; background: #fff; }")
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    found = a11y.check(tmp_path, ["index.html"], siteurl=SITE)
    assert any("color-contrast" in f.message for f in found), found
    assert a11y.local_file(tmp_path, SITE, f"{SITE}/theme/css/site.css") is not None
    assert a11y.local_file(tmp_path, SITE, f"{SITE}/") == tmp_path / "index.html"
    assert a11y.local_file(tmp_path, SITE, "https://example.org/anderswo/x.css") is None
    assert a11y.local_file(tmp_path, SITE, f"{SITE}/../../etc/passwd") is None


def test_only_pages_with_a_new_key_go_to_the_browser(tmp_path: Path, monkeypatch) -> None:
    site, cache = tmp_path / "site", tmp_path / "check-a11y.json"
    (site / "theme" / "css").mkdir(parents=True)
    css = site / "theme" / "css" / "site.css"
    css.write_text("p { color: #eee; background: #fff; }")
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "other.html").write_text(PAGE.replace("Probe", "Andere"), encoding="utf-8")
    pages = ["index.html", "other.html"]
    first = a11y.check(site, pages, siteurl=SITE, cache=cache)
    assert {f.page for f in first if "color-contrast" in f.message} == set(pages)

    checked: list[list[str]] = []
    real = a11y._run_axe
    monkeypatch.setattr(a11y, "_run_axe", lambda out, todo, url="": checked.append(todo)
                        or real(out, todo, url))  # fmt: skip
    assert a11y.check(site, pages, siteurl=SITE, cache=cache) == first
    assert checked == []  # nothing changed: no browser at all
    (site / "other.html").write_text(PAGE.replace("Probe", "Dritte"), encoding="utf-8")
    assert a11y.check(site, pages, siteurl=SITE, cache=cache) == first
    assert checked == [["other.html"]]
    css.write_text("p { color: #000; background: #fff; }")  # a style every page loads
    assert a11y.check(site, pages, siteurl=SITE, cache=cache) == []
    assert checked[-1] == pages
