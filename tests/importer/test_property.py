"""Property: any paragraph text survives import → Pelican → HTML with all its words, inert."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from opeds.importer.files import ingest
from opeds.importer.normalise import unescape_entities
from tests.importer.sitecheck import active_content, article_page, body_of, build, words

# Markup and Markdown that must stay text, mixed with arbitrary Unicode text.
NASTY = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>fett</b>", "&lt;script&gt;",
    "[x](javascript:alert(1))", "![b](data:text/html,x)", "# 1", "1. FC", "* a *", "- b", "_c_",
    "```", "~~~", "---", "> z", ": d", "{: #id}", "| a | b |", "<!--", "-->", "&amp;", "&#60;",
    "\\", "`", "*[HTML]: x", "[^1]:", "<style>p{}</style>", "javascript:alert(1)", "3 < 5",
]  # fmt: skip
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=40,
)
PARAGRAPH = st.lists(st.one_of(TEXT, st.sampled_from(NASTY)), min_size=1, max_size=6).map(" ".join)
ARTICLE = st.lists(PARAGRAPH, min_size=1, max_size=4)
BATCH = 24  # articles per Pelican build: one build checks many generated texts


def source_text(number: int, paragraphs: list[str]) -> str:
    body = "\n\n".join(paragraphs)
    return f"date 2022-01 Artikel {number}\n\nMeinung Die Einleitung {number}.\n\n{body}\n"


@settings(
    max_examples=4,
    deadline=None,
    # No shrinking: each step would be another Pelican build; the message names the article.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(ARTICLE, min_size=BATCH, max_size=BATCH))
def test_any_paragraph_text_keeps_its_words_and_never_runs(batch: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="opeds-property-") as tmp:
        base = Path(tmp)
        sources = base / "sources"
        sources.mkdir()
        for number, paragraphs in enumerate(batch):
            source_id = hashlib.sha256(str(number).encode()).hexdigest()[:16]
            (sources / f"{number:03d}_{source_id}.txt").write_text(
                source_text(number, paragraphs), encoding="utf-8"
            )
        report = ingest(sources, base / "content")
        assert [e.status for e in report.entries] == ["imported"] * BATCH, report.entries
        output = build(base / "content", base / "output")
        for entry, paragraphs in zip(report.entries, batch, strict=True):
            number = int(entry.source.split("_")[0])
            body = body_of(article_page(output, entry.output))
            expected = words(f"Die Einleitung {number}.") + [
                w for p in paragraphs for w in words(unescape_entities(p))
            ]
            assert words(body.get_text(" ")) == expected, (entry.source, paragraphs)
            assert active_content(body) == [], (entry.source, paragraphs)


ALLOWED_KEYS = """title kicker date date_precision category dateline image_caption image_credit
    lang slug source_id source_file""".split()  # noqa: SIM905 (a key list reads best as text)
FIELD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Co", "Cn")), min_size=1, max_size=60
)


@settings(max_examples=150, deadline=None)
@given(title=FIELD, caption=FIELD, credit=FIELD)
def test_no_title_or_caption_forges_a_front_matter_key(title: str, caption: str, credit: str):
    from pelican.readers import MarkdownReader
    from pelican.settings import read_settings

    from opeds.importer.gazetteer import load_vocabulary
    from opeds.importer.model import ImportError_
    from opeds.importer.normalise import normalise
    from opeds.importer.parse import parse
    from opeds.importer.render import render
    from opeds.importer.vocabulary import DEFAULT_SECTIONS
    from tests.importer.sitecheck import ROOT

    raw = f"date 2022-01 X{title}\n\n{caption} Foto: {credit}\n\nMeinung Text.\n"
    try:
        article = parse(normalise(raw), load_vocabulary(DEFAULT_SECTIONS, ()))
    except ImportError_:
        return  # e.g. a title of nothing but control characters: reported, nothing written
    text = render(article, "slug", "0123456789abcdef", "001_0123456789abcdef.txt")
    reader = MarkdownReader(read_settings(str(ROOT / "pelicanconf.py")))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.md"
        path.write_text(text, encoding="utf-8")
        _, metadata = reader.read(str(path))
    assert set(metadata) <= set(ALLOWED_KEYS)
    assert metadata["slug"] == "slug" and metadata["source_id"] == "0123456789abcdef"
    assert metadata["date"].year == 2022 and metadata["title"] == article.headline
    assert metadata.get("kicker", "") == article.kicker
    assert metadata.get("image_credit", "") == article.image_credit
