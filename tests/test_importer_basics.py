"""The importer's pure parts on small hand-made inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from opeds.importer import ImportError_, parse
from opeds.importer.render import escape_markdown, make_slug

SEED_LIKE = (
    " date 2022-01 Gewalt in Almaty : Kasachstan muss den Westen aufrütteln\n\n"
    "Russische Soldaten in Kasachstan. Foto: dpa/Uncredited\n\n"
    "Meinung Berlin In Kasachstan setzt sich die Gewalt fort.\n\nZweiter Absatz.\n"
)


def test_parse_reads_every_field_of_the_seed_shape() -> None:
    article = parse(SEED_LIKE)
    assert article.kicker == "Gewalt in Almaty"
    assert article.headline == "Kasachstan muss den Westen aufrütteln"
    assert (article.date, article.date_precision) == (dt.date(2022, 1, 1), "month")
    assert (article.category, article.dateline) == ("Meinung", "Berlin")
    assert (article.image_caption, article.image_credit) == (
        "Russische Soldaten in Kasachstan.",
        "dpa/Uncredited",
    )
    assert article.paragraphs == ("In Kasachstan setzt sich die Gewalt fort.", "Zweiter Absatz.")


@pytest.mark.parametrize(
    ("raw", "line", "reason"),
    [
        ("", 1, "empty"),
        ("date 2022-13 Titel\n\nMeinung Text.\n", 1, "impossible date"),
        ("date 21015-07 Titel\n\nMeinung Text.\n", 1, "four digits"),
        ("date 2022-01 Titel\n", 1, "no body"),
    ],
)
def test_bad_input_names_line_and_reason(raw: str, line: int, reason: str) -> None:
    with pytest.raises(ImportError_) as caught:
        parse(raw)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_slug_transliterates_german() -> None:
    assert make_slug(parse(SEED_LIKE)) == "gewalt-in-almaty-kasachstan-muss-den-westen-aufruetteln"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("1. FC Köln", "1\\. FC Köln"),
        ("# 1 der Tabelle", "\\# 1 der Tabelle"),
        ("- item", "\\- item"),
        ("<b>fett</b>", "&lt;b&gt;fett&lt;/b&gt;"),
        ("a_b [x] *y*", "a\\_b \\[x\\] \\*y\\*"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped
