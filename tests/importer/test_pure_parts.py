"""The importer's pure parts: dates, vocabulary, escaping, slugs, decoding."""

from __future__ import annotations

import datetime as dt

import markdown
import pytest
from bs4 import BeautifulSoup

from opeds.importer import ImportError_, parse
from opeds.importer.byline import leading_byline, split_names, trailing_byline
from opeds.importer.normalise import decode, normalise, unescape_entities
from opeds.importer.parse import parse_date
from opeds.importer.render import escape_markdown, make_slug, render
from opeds.importer.vocabulary import make_vocabulary, split_section


@pytest.mark.parametrize(
    ("token", "date", "precision"),
    [
        ("2022-01-07", dt.date(2022, 1, 7), "day"),
        ("2022-01", dt.date(2022, 1, 1), "month"),
        ("2022", dt.date(2022, 1, 1), "year"),
    ],
)
def test_parse_date_sets_precision(token: str, date: dt.date, precision: str) -> None:
    assert parse_date(token) == (date, precision)


@pytest.mark.parametrize("token", ["2022-13", "21015-07", "2022-1", "2022-02-29", "0000"])
def test_parse_date_rejects_impossible_dates(token: str) -> None:
    with pytest.raises(ImportError_) as caught:
        parse_date(token, line=3)
    assert caught.value.reason.startswith(f"impossible date '{token}'")
    assert caught.value.line == 3


def test_short_number_after_date_is_title_not_date() -> None:
    article = parse("date 46 Tote bei Unglück\n\nPanorama Text.\n")
    assert (article.headline, article.date, article.date_precision) == (
        "46 Tote bei Unglück",
        None,
        "unknown",
    )


def test_configured_sections_replace_the_default() -> None:
    vocabulary = make_vocabulary(sections=["Zwischenruf", "Aus der Region"], places=["Teltow"])
    assert split_section("Zwischenruf Teltow Die Stadt baut.", vocabulary) == (
        "Zwischenruf",
        "Teltow",
        "Die Stadt baut.",
    )
    assert split_section("Aus der Region Teltow Die Stadt baut.", vocabulary)[:2] == (
        "Aus der Region",
        "Teltow",
    )
    assert split_section("Meinung Teltow Die Stadt baut.", vocabulary) == (
        "",
        "",
        "Meinung Teltow Die Stadt baut.",
    )


@pytest.mark.parametrize(
    ("paragraph", "dateline", "lead"),
    [
        ("Meinung Frankfurt am Main Die Kurse steigen.", "Frankfurt am Main", "Die Kurse steigen."),
        ("Meinung Frankfurt Die Kurse steigen.", "Frankfurt", "Die Kurse steigen."),
        ("Meinung New York Die UNO tagt.", "New York", "Die UNO tagt."),
        ("Meinung Sankt Augustin Der Rat tagt.", "Sankt Augustin", "Der Rat tagt."),
        ("Meinung Wien/Berlin Die Maut kommt.", "Wien/Berlin", "Die Maut kommt."),
        ("Meinung Die Bundesregierung legt vor.", "", "Die Bundesregierung legt vor."),
        ("Meinung Berlin ist pleite.", "", "Berlin ist pleite."),
        ("Meinung Berlin – Die Stadt ist pleite.", "", "Berlin – Die Stadt ist pleite."),
        ("Meinung Polizei verbot das Konzert.", "", "Polizei verbot das Konzert."),
        ("Meinung Ostprignitz-Ruppin So war es nie.", "Ostprignitz-Ruppin", "So war es nie."),
    ],
)  # fmt: skip
def test_dateline_words(paragraph: str, dateline: str, lead: str) -> None:
    vocabulary = make_vocabulary(places=["Frankfurt", "Frankfurt am Main", "New York", "Berlin",
                                         "Wien"])  # fmt: skip
    assert split_section(paragraph, vocabulary) == ("Meinung", dateline, lead)


LOOKALIKES = [
    "1. FC Köln", "# 1 der Tabelle", "* Sternchen *", "- item", "<b>", "<script>x</script>", "[x]",
    "a_b", "3 < 5", "---", "***", "~~~", ": Definition", "{: #id}", "| a | b |", "> Zitat",
    "[a](javascript:alert(1))", "![i](s.png)", "`code`", "&amp; &#35;", "<!-- x -->", "+ plus",
    "1) eins", "a\\b", "**fett**", "__init__", "=== x", "*[HTML]: Hyper", "[^1]: Fußnote",
]  # fmt: skip


@pytest.mark.parametrize("text", LOOKALIKES)
def test_escaped_text_renders_literally_in_markdown(text: str) -> None:
    md = markdown.Markdown(extensions=["markdown.extensions.extra"], output_format="html5")
    html = md.convert(escape_markdown(text))
    soup = BeautifulSoup(html, "html.parser")
    assert [tag.name for tag in soup.find_all()] == ["p"]
    assert soup.get_text() == text


def test_entities_need_a_semicolon() -> None:
    assert unescape_entities("B&ouml;se AT&T &para x &#x41; &#65;") == "Böse AT&T &para x A A"


def test_slug_transliterates_german_and_falls_back() -> None:
    article = parse("date 2022-01 Größe : Übel in Köln\n\nMeinung Text.\n")
    assert make_slug(article) == "groesse-uebel-in-koeln"
    assert make_slug(parse("date 2022-01 ?!?\n\nMeinung Text.\n")) == "artikel"


def test_front_matter_values_stay_on_one_line() -> None:
    article = parse("date 2022-01 Kopf\u2028date: 1999-01-01\u0085slug: x\n\nMeinung Text.\n")
    text = render(article, "kopf", "0123456789abcdef", "001_0123456789abcdef.txt")
    keys = [line.split(":")[0] for line in text.split("\n---\n")[0].split("\n")[1:]]
    assert keys == ["title", "date", "date_precision", "category", "lang", "slug", "source_id",
                    "source_file"]  # fmt: skip


CP1252_TEXT = "date 2022-01 Grüße – „so“ für 5 €\n\nMeinung Das Büro schließt – sagt man.\n"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Grüße".encode(), "Grüße"),
        (b"\xef\xbb\xbf" + "Grüße".encode(), "Grüße"),
        (CP1252_TEXT.encode("cp1252"), CP1252_TEXT),
        ("Grüße aus Köln".encode("latin-1"), "Grüße aus Köln"),
        ("date Grüße".encode("utf-16"), "date Grüße"),
    ],
)
def test_decode_detects_encodings(data: bytes, text: str) -> None:
    assert decode(data) == text


def test_undecodable_bytes_are_reported_with_their_line() -> None:
    with pytest.raises(ImportError_) as caught:
        decode(b"date 2022-01 x\n\nText\n\x00\xff\x00\x89")
    assert caught.value.line == 4
    assert caught.value.reason.startswith("undecodable bytes")


def test_normalise_line_ends_and_controls() -> None:
    assert normalise("a\r\nb\rc\x00d\x1b\te  \n") == "a\nb\ncd e\n"


BYLINE_WARNINGS = {
    "Absatz. (Renate Graber, 23.11.2015": "malformed byline kept in the text",
    "Absatz. (APA, 18.9. 20159": "malformed byline kept in the text",
    "Absatz. (Anna Beispiel, 31.2.2016)": "byline with an impossible date",
}


@pytest.mark.parametrize("last", BYLINE_WARNINGS)
def test_malformed_bylines_stay_in_the_body_with_a_warning(last: str) -> None:
    article = parse(f"date 2016-02 Titel\n\nInland Erster Absatz.\n\n{last}\n")
    assert article.paragraphs[-1] == last and article.authors == ()
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith(f"line 5: {BYLINE_WARNINGS[last]}")


def test_byline_date_in_another_month_keeps_the_header_and_warns() -> None:
    article = parse("date 2015-07 Titel\n\nInland Text. (Markus Bernath, 1.11.2015)\n")
    assert (article.date, article.date_precision) == (dt.date(2015, 7, 1), "month")
    assert article.authors == ("Markus Bernath",)
    assert article.warnings == (
        "line 1: date conflict: the byline says 2015-11-01, the header 2015-07; "
        "the header's date is kept",
    )


@pytest.mark.parametrize(
    ("names", "authors"),
    [
        ("Anna Beispiel und Ben Muster", ("Anna Beispiel", "Ben Muster")),
        ("APA, red", ("APA", "red")),
        ("APA/Reuters", ("APA", "Reuters")),
        ("Frank Herrmann aus New Orleans", ("Frank Herrmann",)),
        ("red, Grafik: fin", ("red", "fin")),
        ("Walter Müller, Videos: Sarah Brugner & Michael Luger",
         ("Walter Müller", "Sarah Brugner", "Michael Luger")),
        ("omark, 10.11.2015, Update: APA", ("omark", "APA")),
    ],
)  # fmt: skip
def test_byline_names_split_into_authors(names: str, authors: tuple[str, ...]) -> None:
    assert split_names(names) == authors


@pytest.mark.parametrize("text", ["Von Anfang an war klar, dass", "Von Berlin", "Von A bis Z"])
def test_a_sentence_starting_with_von_is_no_byline(text: str) -> None:
    assert leading_byline(text) is None


def test_text_in_parentheses_at_the_end_is_no_byline() -> None:
    assert trailing_byline("Wie gesagt (siehe oben)") == ("Wie gesagt (siehe oben)", None, "")


def test_the_state_file_is_written_as_json_indented_and_sorted() -> None:
    import json
    import random

    from opeds.importer.state import STATE_VERSION, Record, State

    letters = 'abÄöü"\\\n\t\x00\x1f\u2028é/…%s{}'
    pick = random.Random(7)

    def text() -> str:
        return "".join(pick.choice(letters) for _ in range(pick.randint(0, 6)))

    for _ in range(500):
        records = {f"{text()}{n}": Record(text(), text(), text(), text())
                   for n in range(pick.randint(0, 4))}  # fmt: skip
        state = State(fingerprint=text(), records=records)
        data = {"version": STATE_VERSION, "fingerprint": state.fingerprint,
                "articles": {key: dict(vars(value)) for key, value in records.items()}}  # fmt: skip
        expected = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        assert state.dumps() == expected


def test_a_safe_output_path_is_judged_as_its_path_parts_say() -> None:
    import random
    from pathlib import PurePosixPath

    from opeds.importer.state import safe_output

    def by_parts(output: str) -> bool:  # the definition, without the quick string checks
        path = PurePosixPath(output)
        parts_ok = all(p not in ("", ".", "..") and not p.startswith(".") for p in path.parts)
        return (bool(output) and "\\" not in output and "\x00" not in output
                and not path.is_absolute() and path.suffix == ".md" and parts_ok)  # fmt: skip

    pieces = ["a", "2021", "03", "titel", ".", "..", "/", "//", ".md", "md", "\\", "\x00", "x.md"]
    pick = random.Random(11)
    tried = ["2021/03/titel.md", "/2021/titel.md", "2021//titel.md", "2021/./titel.md", ".md",
             "a/.md", "a/..md", "a/b.md/", "", "../a.md", "a\\b.md"]  # fmt: skip
    tried += ["".join(pick.choice(pieces) for _ in range(pick.randint(1, 7))) for _ in range(5000)]
    assert [safe_output(path) for path in tried] == [by_parts(path) for path in tried]
    assert safe_output("2021/03/titel.md") and not safe_output("../a.md")
