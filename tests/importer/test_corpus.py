"""The whole scale corpus (1,004 real articles): nothing crashes, nothing is lost."""

from __future__ import annotations

import re

from opeds.common.frontmatter import read_front_matter as front_matter
from opeds.importer.normalise import decode, normalise
from opeds.importer.parse import paragraphs_of
from tests.corpus import CorpusSite
from tests.importer.sitecheck import active_content, article_page, body_of, words
from tests.support import soup


def test_every_file_is_imported_the_undated_ones_too(corpus_site: CorpusSite) -> None:
    entries = corpus_site.report.entries
    assert len(corpus_site.manifest) == 1004
    assert sorted(e.source for e in entries) == sorted(corpus_site.manifest)
    assert {e.status for e in entries} == {"imported"}
    undated = {name for name, a in corpus_site.manifest.items() if a["date"] is None}
    assert len(undated) == 76
    assert {e.source for e in entries if e.output.startswith("ohne-datum/")} == undated


def test_every_word_of_every_body_is_on_its_page(corpus_site: CorpusSite) -> None:
    lost = []
    for entry in corpus_site.report.entries:
        if entry.status != "imported":
            continue
        fields = front_matter(corpus_site.content / entry.output)
        lines = normalise(decode((corpus_site.sources / entry.source).read_bytes())).split("\n")
        raw_body = " ".join(text for _, text in paragraphs_of(lines[1:]))
        if "image_caption" in fields or "image_credit" in fields:
            raw_body = " ".join(text for _, text in paragraphs_of(lines[1:])[1:])
        body = body_of(article_page(corpus_site.output, entry.output))
        assert active_content(body) == [], entry.source
        shown = words(fields.get("category", "")) + words(fields.get("dateline", ""))
        # The byline left the body for the front matter (authors, date): its words are there.
        if words(raw_body) != shown + words(body.get_text(" ")) + words(fields.get("byline", "")):
            lost.append(entry.source)
    assert lost == []


def test_titles_dates_and_captions_match_the_manifest(corpus_site: CorpusSite) -> None:
    wrong = []
    for entry in corpus_site.report.entries:
        if entry.status != "imported":
            continue
        fields = front_matter(corpus_site.content / entry.output)
        truth = corpus_site.manifest[entry.source]
        got = (fields["title"], fields.get("kicker"), fields.get("date", "")[:7] or None,
               fields["date_precision"], fields.get("image_caption"))  # fmt: skip
        # A byline's day dates the piece to the day; an undated piece has no date key at all.
        precision = "day" if truth["author_in_file"] else "month" if truth["date"] else "unknown"
        want = (truth["title_unescaped"], truth["kicker"], truth["date"], precision,
                truth["caption"])  # fmt: skip
        if " ".join(got[0].split()) != " ".join(want[0].split()) or got[1:] != want[1:]:
            wrong.append((entry.source, got, want))
    assert wrong == []


def test_section_and_dateline_accuracy(corpus_site: CorpusSite) -> None:
    section = dateline = total = 0
    for entry in corpus_site.report.entries:
        if entry.status != "imported":
            continue
        fields = front_matter(corpus_site.content / entry.output)
        truth = corpus_site.manifest[entry.source]
        total += 1
        section += fields.get("category", "") == truth["section"]
        dateline += fields.get("dateline", "") == (truth["dateline"] or "")
    print(
        f"\ncorpus accuracy over {total} imported articles: section {section}/{total} "
        f"({section / total:.1%}), dateline {dateline}/{total} ({dateline / total:.1%})"
    )
    # Regression floor, not a target: the figures measured when this test was written.
    assert section == total
    assert dateline / total >= 0.95


def test_byline_accuracy_against_the_manifest(corpus_site: CorpusSite) -> None:
    """Every printed byline is found, names and day; only bylines the text has become authors."""
    found = total = right_day = extra = 0
    warnings = []
    for entry in corpus_site.report.entries:
        fields = front_matter(corpus_site.content / entry.output)
        truth = corpus_site.manifest[entry.source]
        warnings += entry.warnings
        if not truth["author_in_file"]:
            # The manifest has no author here, yet two texts end in an agency's name: "(APA)".
            extra += "authors" in fields
            continue
        total += 1
        authors = fields.get("authors", "").split(", ")
        byline = fields.get("byline", "")
        found += byline.startswith(truth["author_raw"]) and all(
            name and name in truth["author_raw"] for name in authors
        )
        day, month, year = (int(n) for n in re.findall(r"\d+", truth["date_raw"]))
        right_day += fields.get("date") == f"{year:04d}-{month:02d}-{day:02d}"
    print(
        f"\nbylines: {found}/{total} found ({found / total:.1%}), {right_day} dated to the day, "
        f"{extra} agency bylines the manifest lacks, {len(warnings)} malformed kept in the text"
    )
    assert (found, total, right_day, extra) == (852, 852, 852, 2)
    # The real data's malformed bylines ("(APA; 18.8.015)", "(red, 13.02.16)") are reported.
    assert len(warnings) == 4 and all("malformed byline kept in the text" in w for w in warnings)


def test_authors_have_their_pages_and_undated_pieces_their_list(corpus_site: CorpusSite) -> None:
    archive = soup(corpus_site.output / "archiv" / "index.html").select_one("section.undated-list")
    assert archive.h2.get_text(" ", strip=True) == "Ohne Datum (76 Beiträge)"
    undated = [a["href"] for a in archive.select("a")]
    assert len(undated) == 76 and all(h.startswith("/ohne-datum/") for h in undated)
    for href in undated:
        assert (corpus_site.output / href.strip("/") / "index.html").is_file(), href
    pages = [p for p in corpus_site.output.glob("*/*/*/index.html") if p.parts[-4].isdigit()]
    pages += list((corpus_site.output / "ohne-datum").glob("*/index.html"))
    assert len(pages) == 1004
    author = soup(corpus_site.output / "autor" / "markus-bernath" / "index.html")
    dates = [t["datetime"] for t in author.select("article.teaser time")]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)  # newest first
