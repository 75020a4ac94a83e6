"""Articles of one month appear in delivery order: the numeric prefix, ``1000_`` after ``999_``."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from opeds.importer.files import ingest
from tests.importer.sitecheck import build


def test_same_month_articles_list_in_numeric_delivery_order(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    # Titles sort the other way round, so an order by slug or name would show up.
    for number, title in [(1000, "Alpha"), (999, "Beta"), (2, "Gamma"), (10, "Delta")]:
        (sources / f"{number}_{number:016x}.txt").write_text(
            f"date 2022-03 {title}\n\nMeinung Text {number}.\n", encoding="utf-8"
        )
    (sources / f"5_{5:016x}.txt").write_text(
        "date 2022-04 Neuer Monat\n\nMeinung Text 5.\n", encoding="utf-8"
    )
    assert ingest(sources, tmp_path / "content").ok
    output = build(tmp_path / "content", tmp_path / "output")
    slugs = ["neuer-monat", "gamma", "delta", "beta", "alpha"]  # newest month first, then 2 … 1000
    for page, expected in [("index.html", slugs), ("2022/03/index.html", slugs[1:])]:
        soup = BeautifulSoup((output / page).read_text(encoding="utf-8"), "html.parser")
        shown: list[str] = []
        for link in soup.select("main a[href]"):
            for slug in slugs:
                if f"/{slug}/" in link["href"] and slug not in shown:
                    shown.append(slug)
        assert shown == expected, page
