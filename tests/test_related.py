"""Related op-eds by what they say, teasers without a repeated headline, the topics link."""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from opeds.bench.generate import raw_article
from opeds.site import related
from opeds.site.teaser import lead_after_headline
from tests.corpus import CorpusSite
from tests.golden_site import SITEURL
from tests.support import soup

KLIMA = "2021/11/klimakonferenz-in-glasgow-ein-gipfel-der-kompromisse/index.html"


def test_inflections_share_a_stem_and_function_words_count_for_nothing() -> None:
    terms = related.count_terms(
        "Flüchtlinge an der Grenze",
        "Die Flüchtlinge kamen, ein Flüchtling blieb. Dann sagte er: Grenzen schließen.",
        related.stemmer(),
    )
    # The headline counts three times; lower-case words (verbs, adjectives) and stop words none.
    assert terms.counts == {"fluchtling": 5, "grenz": 4}
    assert terms.shown == {"fluchtling": "Flüchtlinge", "grenz": "Grenze"}


def documents(*texts: str) -> list[related.Terms]:
    stem = related.stemmer()
    return [related.count_terms(title, body, stem) for title, body in texts]


ARCHIVE = [
    ("Flüchtlinge an der Grenze", "Asyl, Flüchtlinge, Grenze, Quartiere, Innenministerium."),
    ("Zinsen steigen", "Notenbank, Inflation, Zinsen, Anleihen, Sparer, Euro."),
    ("Asylwerber im Quartier", "Quartiere für Asylwerber und Flüchtlinge, Innenministerium."),
    ("Inflation frisst Ersparnisse", "Sparer, Zinsen, Notenbank, Euro, Preise."),
    ("Fußball", "Tore, Trainer, Meisterschaft, Stadion."),
]


def test_the_nearest_articles_share_the_topic_and_never_the_article_itself() -> None:
    found = related.nearest(related.signatures(documents(*ARCHIVE)), count=5)
    assert [other for other, _ in found[0]] == [2]
    assert [other for other, _ in found[1]] == [3]
    assert [other for other, _ in found[2]] == [0]
    assert found[4] == []  # nothing shares its words: better none than a random neighbour
    assert all(index not in [o for o, _ in row] for index, row in enumerate(found))


def test_related_articles_are_the_same_in_every_run() -> None:
    vectors = related.signatures(documents(*ARCHIVE))
    first = related.nearest(vectors)
    assert related.nearest(related.signatures(documents(*ARCHIVE))) == first
    # Ties are broken by position, never by the order a dict or a set happens to have.
    twins = related.signatures(documents(ARCHIVE[0], ARCHIVE[0], ARCHIVE[0], ARCHIVE[4]))
    rows = [[o for o, _ in row] for row in related.nearest(twins)]
    assert rows == [[1, 2], [0, 2], [0, 1], []]


def _reference_signatures(documents: list[related.Terms]) -> list[dict[str, float]]:
    """The definition, one document at a time in plain Python."""
    total = len(documents)
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(document.counts.keys())  # documents with the term
    limit = max(50, related.MAX_SHARE * total)
    result = []
    for document in documents:
        weights = [(term, (1 + math.log(count)) * math.log(total / frequency[term]))
                   for term, count in document.counts.items()
                   if 1 < frequency[term] <= limit and frequency[term] < total]  # fmt: skip
        weights.sort(key=lambda item: (-item[1], item[0]))
        kept = weights[: related.SIGNATURE_TERMS]
        norm = math.sqrt(sum(weight * weight for _, weight in kept)) or 1.0
        result.append({term: weight / norm for term, weight in kept})
    return result


def test_signatures_are_the_definition_to_the_last_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    stem = related.stemmer()
    documents = []
    for number in range(400):
        head, _, body = raw_article(number).partition("\n\n")
        documents.append(related.count_terms(head, body, stem))
    documents.append(related.count_terms("", "", stem))  # an empty article has no terms
    expected = _reference_signatures(documents)
    found = related.signature_arrays(documents)
    assert [found.vector(i) for i in range(len(documents))] == expected
    assert related.signatures(documents) == expected
    assert sum(len(vector) for vector in expected) > 400 * 10
    # Nearest neighbours from the arrays equal those from the dictionaries.
    neighbours = related.nearest(found)
    assert neighbours == related.nearest(expected)
    # In blocks of 64 articles, on two forked workers: the same, entry for entry.
    monkeypatch.setattr(related, "NEAREST_BLOCK", 64)
    assert related.nearest(found, jobs=2) == neighbours
    assert related.nearest(found, jobs=1) == neighbours
    assert sum(map(len, neighbours)) > 400
    for index in (0, 17, 399):
        shown = documents[index].shown
        assert found.forms(index) == {term: shown[term] for term in expected[index]}
    # The shared words of every related pair, all at once, are the ones of each pair alone;
    # pairs that share nothing, a document with no terms, and a pair named twice included.
    pairs = [(i, other) for i, near in enumerate(related.nearest(found)) for other, _ in near]
    pairs += [(0, 400), (400, 3), (5, 6), (6, 5), (7, 7), (0, 1), (0, 1)]
    by_pair = related.shared_words_of_pairs(found, pairs, related.SHOWN_TERMS)
    one_by_one = [related.shared_words(expected[a], expected[b], found.forms(a),
                                       related.SHOWN_TERMS) for a, b in pairs]  # fmt: skip
    assert by_pair == one_by_one
    monkeypatch.setattr(related, "PAIRS_AT_ONCE", 7)  # a few pairs at a time: the same
    assert related.shared_words_of_pairs(found, pairs, related.SHOWN_TERMS) == one_by_one
    # Entries out of their promised order (a document's reversed) are sorted, not misread.
    low, high = found._bounds(17)
    order = np.arange(len(found.row))
    order[low:high] = order[low:high][::-1]
    shuffled = dataclasses.replace(found, row=found.row[order], term=found.term[order],
                                   weight=found.weight[order],
                                   form=[found.form[i] for i in order])  # fmt: skip
    assert high - low > 2
    with_17 = [*pairs, (3, 17), (17, 3)]
    expected_17 = [*one_by_one, *(related.shared_words(expected[a], expected[b], found.forms(a),
                   related.SHOWN_TERMS) for a, b in with_17[-2:])]  # fmt: skip
    assert related.shared_words_of_pairs(shuffled, with_17, related.SHOWN_TERMS) == expected_17
    assert sum(map(len, by_pair)) > len(pairs)  # most pairs show words
    assert related.shared_words_of_pairs(found, [(7, 7)], 50) == [tuple(
        documents[7].shown[t] for t in sorted(expected[7], key=lambda t: (-expected[7][t] ** 2, t))
    )]  # fmt: skip


def test_the_stem_cache_counts_only_changed_articles(tmp_path: Path) -> None:
    path = tmp_path / "related.pickle"
    cache = related.TermCache(path)
    for title, body in ARCHIVE:
        cache.terms(title, body)
    cache.save()
    assert (cache.misses, cache.hits) == (5, 0)
    again = related.TermCache(path)
    for title, body in ARCHIVE[:-1]:
        assert again.terms(title, body) == cache.terms(title, body)
    again.terms(ARCHIVE[-1][0], ARCHIVE[-1][1] + " Schiedsrichter.")
    assert (again.misses, again.hits) == (1, 4)
    files = {file.name: file.stat().st_mtime_ns for file in again.folder.iterdir()}
    again.save()
    third = related.TermCache(path)
    assert len(third.entries) == 5  # the old text of the edited article is dropped
    # Only the files of the old text's entry and the new one's were written (or removed).
    after = {file.name: file.stat().st_mtime_ns for file in third.folder.iterdir()}
    changed = {name for name in files.keys() | after.keys() if files.get(name) != after.get(name)}
    new_key = next(iter(third.entries.keys() - cache.used.keys()))
    old_key = next(iter(cache.used.keys() - third.entries.keys()))
    assert f"{new_key[0]}.pickle" in changed
    assert changed <= {f"{new_key[0]}.pickle", f"{old_key[0]}.pickle"}
    assert len(changed) < len(files)


def test_many_new_articles_are_counted_on_two_cores_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = [SimpleNamespace(title=title, kicker="", _content=f"<p>{body}</p>", tags=[])
                for title, body in ARCHIVE]  # fmt: skip
    alone = related.TermCache(tmp_path / "alone.json")
    expected = alone.all_article_terms(articles, jobs=1)
    monkeypatch.setattr(related, "PARALLEL_MIN", 2)
    monkeypatch.setattr(related, "count_terms", _count_in_a_worker_only)
    shared = related.TermCache(tmp_path / "shared.json")
    assert shared.all_article_terms(articles, jobs=2) == expected
    assert (shared.misses, shared.hits) == (len(ARCHIVE), 0)


_REAL_COUNT = related.count_terms
_TEST_PROCESS = os.getpid()


def _count_in_a_worker_only(*args: object) -> related.Terms:
    assert os.getpid() != _TEST_PROCESS, "counted in the build's own process"
    return _REAL_COUNT(*args)


def test_an_unreadable_stem_cache_is_named_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "related.pickle"
    first = related.TermCache(path)
    for title, body in ARCHIVE:
        first.terms(title, body)
    first.save()
    damaged = sorted(first.folder.iterdir())[0]
    damaged.write_text("{not a pickle", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        cache = related.TermCache(path)
    assert str(damaged) in caplog.text
    assert 0 < len(cache.entries) < len(ARCHIVE)  # the other files' entries are kept
    for title, body in ARCHIVE:
        cache.terms(title, body)
    cache.save()
    assert len(related.TermCache(path).entries) == len(ARCHIVE)  # the damaged file written anew


def test_golden_related_pieces_say_why(golden_site: Path) -> None:
    section = soup(golden_site / KLIMA).find("section", class_="related")
    assert section.h2.get_text() == "Verwandte Beiträge"
    teasers = section.find_all("article", class_="teaser")
    pairs = [(t.h3.get_text(), t.find(class_="related-why").get_text()) for t in teasers]
    assert pairs[:2] == [
        ("Die EZB muss jetzt\xa0handeln", "Gemeinsame Stichwörter: Energie"),
        ("Ein Jahr, das alles\xa0verändert", "Gemeinsames Thema: Energie"),
    ]
    hrefs = [t.h3.a["href"] for t in teasers]
    assert f"{SITEURL}/{KLIMA.removesuffix('index.html')}" not in hrefs


@pytest.mark.parametrize(
    ("title", "lead", "teaser"),
    [
        # The real data's habit: the headline is the lead's first sentence.
        ("Der Betriebswirt folgt Voves nach.", "Der Betriebswirt folgt Voves nach.", ""),
        ("Kanzler fordert Standards", "Kanzler fordert Standards. Er will mehr.", "Er will mehr."),
        ("Neue Regeln", "Neue Regeln – und was sie kosten", "Und was sie kosten"),
        (
            "Der Satz „Wir schaffen das“ wirkt\xa0nach",
            'Der Satz "Wir schaffen das" wirkt nach',
            "",
        ),
        ("<b>Neue</b> Regeln", "Neue Regeln. Mehr dazu.", "Mehr dazu."),
        # A lead shortened for the description inside a long headline.
        ("Während die Ursache unbekannt bleibt, erscheint sein Album", "Während die Ursache…", ""),
        # Anything else stays as it is.
        ("Neue Regeln", "Neue Regelungen kosten Geld.", "Neue Regelungen kosten Geld."),
        ("Die EZB muss handeln", "Die Preise steigen.", "Die Preise steigen."),
        ("", "Ein Lead.", "Ein Lead."),
    ],
)
def test_a_teaser_does_not_repeat_the_headline(title: str, lead: str, teaser: str) -> None:
    assert lead_after_headline(title, lead) == teaser


def corpus_articles(corpus_site: CorpusSite) -> dict[str, Path]:
    """Map each imported article's headline (front matter) to its built page."""
    from opeds.common.frontmatter import read_front_matter

    pages = {}
    for markdown in sorted(corpus_site.content.rglob("*.md")):
        meta = read_front_matter(markdown)
        if "slug" in meta and "date" in meta:
            folder = markdown.parent.relative_to(corpus_site.content)
            pages[meta["title"]] = corpus_site.output / folder / meta["slug"] / "index.html"
    return pages


#: Named corpus articles: words of which every related piece must use one, and pieces that must
#: be among the related ones (the real pages of the corpus are read).
TOPICS = {
    "Knapp 1000 Flüchtlinge sind derzeit in Österreich in Zelten untergebracht.": (
        ("Flüchtling", "Asyl", "Zelt", "Quartier"),
        ["Der Umzug der Asylwerber in ein winterfestes Quartier ist abgeschlossen."],
    ),
    "Griechenland beantragt überraschend neues Hilfspaket beim Euro-Hilfsfonds ESM – Merkel: "
    "Über Antrag kann nicht mehr vor Referendum beraten werden.": (
        ("Griechenland", "Tsipras", "Eurogruppe", "Hilfspaket"),
        [
            "Die Detailverhandlungen über ein drittes Hilfspaket haben begonnen, zuvor sorgte ein "
            "Grext-Szenario für Aufregung."
        ],
    ),
    "Sollten Asylsuchende Jobs annehmen dürfen, würde das die Arbeitslosigkeit um 0,23 "
    "Prozentpunkte erhöhen, sagt Wifo.": (
        ("Arbeitsmarkt", "Arbeitslos"),
        [
            "Organisation für wirtschaftliche Zusammenarbeit und Entwicklung sieht gute Chancen "
            "für Integration von Asylwerbern am Arbeitsmarkt."
        ],
    ),
}


def plain_text(element) -> str:
    """Text as read: typography's spans joined, no-break spaces as spaces."""
    return " ".join(element.get_text().replace("\xa0", " ").split())


def test_related_pieces_of_named_corpus_articles_share_their_topic(
    corpus_site: CorpusSite,
) -> None:
    pages = corpus_articles(corpus_site)
    assert len(pages) > 900
    for title, (topic_words, expected) in TOPICS.items():
        section = soup(pages[title]).find("section", class_="related")
        assert section is not None, title
        teasers = section("article")
        titles = [plain_text(teaser.h3) for teaser in teasers]
        assert len(titles) == related.RELATED_COUNT, (title, titles)
        assert set(expected) <= set(titles), (title, titles)
        for teaser in teasers:
            href = teaser.h3.a["href"].strip("/")
            text = soup(corpus_site.output / href / "index.html").find("article").get_text()
            assert any(word in text for word in topic_words), (title, plain_text(teaser.h3))
            assert teaser.find(class_="related-why").get_text().startswith("Gemeinsame")


def test_corpus_lists_neither_repeat_headlines_nor_link_to_empty_topics(
    corpus_site: CorpusSite,
) -> None:
    home = soup(corpus_site.output / "index.html")
    teasers = home.find_all("article", class_="teaser")
    assert len(teasers) == 20
    for teaser in teasers:
        lead = teaser.find(class_="teaser-lead")
        headline = teaser.h2.get_text(" ", strip=True)
        assert lead is None or not lead.get_text().startswith(headline[:40]), headline
    nav = home.find("nav", class_="site-nav")
    assert [a.get_text() for a in nav("a")] == ["Neueste", "Archiv", "Rubriken"]


def _after(seconds: float, value: tuple) -> tuple:
    import time

    time.sleep(seconds)
    return value


@pytest.mark.parametrize("seconds", [0.0, 0.5])
def test_the_build_takes_its_other_steps_while_the_related_worker_is_still_at_work(
    seconds: float,
) -> None:
    """``take`` runs the steps queued for the wait only while the worker has no result yet."""
    from opeds.common.workers import worker_pool
    from opeds.site import related_ahead

    generator = SimpleNamespace()
    pool = worker_pool(1)
    pending = pool.apply_async(_after, (seconds, (["k"], 5, [[]], [], {})))
    if not seconds:
        pending.wait()
    related_ahead._RUNNING[id(generator)] = (pool, pending)
    ready_then: list[bool] = []
    related_ahead.WHILE_WAITING.append(lambda: ready_then.append(pending.ready()))
    try:
        assert related_ahead.take(generator, ["k"], 5) == ([[]], [], {})
    finally:
        left = list(related_ahead.WHILE_WAITING)
        related_ahead.WHILE_WAITING.clear()
    assert ready_then == ([False] if seconds else [])  # called before the result came, once
    assert len(left) == (0 if seconds else 1)  # the worker's result came first: still queued


def test_an_unchanged_article_keeps_its_recorded_key_and_a_changed_one_gets_its_own(
    tmp_path: Path,
) -> None:
    """The keys of the last build's record serve while each file's digest is the recorded one."""
    import pickle

    from opeds.site import related_ahead

    content = tmp_path / "content"
    settings = {"CACHE_PATH": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    generator = SimpleNamespace(path=str(content), settings=settings)
    articles = [
        SimpleNamespace(
            source_path=str(content / f"2021/0{n}/a.md"),
            kicker="",
            tags=[],
            title=f"Titel {n}",
            _content=f"<p>Text {n}</p>",
        )
        for n in (1, 2, 3)
    ]
    record = [("2021/01/a.md", "d1", "recorded-1"), ("2021/02/a.md", "d2", "recorded-2")]
    data = {"version": related_ahead.RECORD_VERSION, "articles": record}
    (tmp_path / "cache" / related_ahead.RECORD).write_bytes(pickle.dumps(data))
    # The first file as recorded, the second changed since, the third new.
    sources = {"2021/01/a.md": "d1", "2021/02/a.md": "changed", "2021/03/a.md": "d3"}
    related_ahead.SOURCES.update(sources)
    try:
        keys = related_ahead.article_keys(generator, articles)
    finally:
        related_ahead.SOURCES.clear()
        related_ahead._LOADED.clear()
    assert keys == ["recorded-1", *(related._article_key(a) for a in articles[1:])]
    assert keys[1] != "recorded-2"
    # Without the content's digests, nothing is taken from the record.
    assert related_ahead.article_keys(generator, articles) == [
        related._article_key(a) for a in articles
    ]


def _synthetic_terms(count: int) -> tuple[list[str], list[related.Terms]]:
    stem = related.stemmer()
    keys, found = [], []
    for number in range(count):
        head, _, body = raw_article(number).partition("\n\n")
        found.append(related.count_terms(head, body, stem))
        keys.append(f"key-{number}")
    return keys, found


def test_stems_numbered_by_an_earlier_numbering_give_the_same_related_op_eds() -> None:
    keys, found = _synthetic_terms(80)
    last = related.number_stems(found[:70], keys[:70])
    # Since then: one article gone, one edited (a new key), ten new ones, two swapped places.
    now_keys, now = keys[1:], found[1:]
    now_keys[3], now[3] = (
        "edited",
        related.count_terms(
            "Quarkspeise im Parlament",
            "Die Quarkspeise spaltet das Parlament. " * 4,
            related.stemmer(),
        ),
    )
    now_keys[10], now_keys[11], now[10], now[11] = now_keys[11], now_keys[10], now[11], now[10]
    numbered = related.number_stems(now, now_keys, last)
    assert numbered.vocabulary[: len(last.vocabulary)] == last.vocabulary  # the old numbers kept
    assert "quarkspeis" in numbered.vocabulary[len(last.vocabulary) :]
    position = now_keys.index("key-40")
    old_low = int(last.lengths[:40].sum())
    new_low = int(numbered.lengths[:position].sum())
    length = int(last.lengths[40])
    assert (
        numbered.term[new_low : new_low + length].tolist()
        == last.term[old_low : old_low + length].tolist()
    )
    assert related.related_of(now, numbered=numbered) == related.related_of(now)


def test_a_numbering_whose_vocabulary_grew_stale_is_made_afresh() -> None:
    keys, found = _synthetic_terms(30)
    last = related.number_stems(found, keys)
    stale = related.Numbered(last.keys, last.lengths, last.term, last.counts,
                             [*last.vocabulary, *(f"alt{n}" for n in range(5000))])  # fmt: skip
    numbered = related.number_stems(found, keys, stale)
    assert numbered.vocabulary == last.vocabulary  # numbered afresh: the same as the first time
    assert numbered.term.tolist() == last.term.tolist()


def test_a_damaged_numbering_of_the_last_build_is_not_used(tmp_path: Path) -> None:
    import pickle

    keys, found = _synthetic_terms(10)
    last = related.number_stems(found, keys)
    path = tmp_path / "numbers.pickle"
    related.save_numbering(path, last)
    loaded = related.load_numbering(path)
    assert loaded is not None and loaded.keys == keys and loaded.term.tolist() == last.term.tolist()
    good = {"version": related.NUMBERING_VERSION, "keys": keys, "lengths": last.lengths,
            "term": last.term, "counts": last.counts, "vocabulary": last.vocabulary}  # fmt: skip
    path.write_bytes(pickle.dumps(good))
    loaded = related.load_numbering(path)
    assert loaded is not None and loaded.term.tolist() == last.term.tolist()
    for damage in ({"term": last.term[:-1]}, {"keys": keys[:-1]},
                   {"vocabulary": last.vocabulary[:3]}, {"version": 0}):  # fmt: skip
        path.write_bytes(pickle.dumps({**good, **damage}))
        assert related.load_numbering(path) is None
    path.write_bytes(b"not a pickle")
    assert related.load_numbering(path) is None
