"""A deterministic synthetic archive in the raw shape: op-eds of about 560 German-like words.

The same count and seed always give the same bytes, so benchmark runs compare like with like.
Nothing here comes from real articles: words are built from German syllables and a few
hundred common words, so Markdown, typography and the search index see realistic text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

SEED = 20261101
FIRST_YEAR, LAST_YEAR = 2001, 2025  # 25 years of archive
WORDS_PER_ARTICLE = 560
SECTIONS = ("Meinung", "Kommentar", "Leitartikel", "Gastbeitrag", "Analyse", "Kolumne",
            "Wirtschaft", "Kultur")  # fmt: skip
PLACES = ("Berlin", "Hamburg", "München", "Köln", "Wien", "Brüssel", "Potsdam", "Leipzig")
CREDITS = ("dpa", "AFP", "Reuters", "epd", "imago")

_SMALL_TEXT = (
    "der die das und in zu den von mit sich des auf für ist im dem nicht ein eine als auch es an "
    "werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum "
    "war haben nur oder aber vor zur bis mehr durch man sein wurde sei ihre schon wenn unter "
    "gegen kann diese seit wir damit jetzt dann ohne doch immer viele längst"
)
_SMALL = tuple(_SMALL_TEXT.split())
_STARTS = ("Die", "Der", "Das", "Doch", "Dabei", "Noch", "Wer", "Auch", "Nun", "Mit", "Seit")
_ONSETS = ("b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "w", "z", "st",
           "sch", "br", "gr", "kr", "tr", "pf", "fl", "schl", "spr")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au", "ie", "eu")
_CODAS = ("", "", "", "", "n", "r", "s", "t", "ng", "nd", "cht", "ss", "lt")
_SUFFIXES = ("ung", "heit", "keit", "schaft", "en", "er", "ik", "tum", "nis", "ion")


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def _lexicon(rng: random.Random, size: int = 4000) -> list[str]:
    """Nouns (capitalised, with German suffixes) and lower-case words, made from syllables."""
    words = []
    for index in range(size):
        stem = "".join(_syllable(rng) for _ in range(rng.choice((1, 1, 2, 2, 3))))
        if index % 2:
            words.append((stem + rng.choice(_SUFFIXES)).capitalize())
        else:
            words.append(stem + rng.choice(("en", "t", "te", "lich", "ig", "")))
    return words


_LEXICON = _lexicon(random.Random(SEED))
# Function words make up nearly half of running German text: repeating them in one pool keeps
# that share, and drawing a sentence at once with random.choices is fast.
_POOL = list(_SMALL) * (len(_LEXICON) // len(_SMALL)) + _LEXICON


def sentence(rng: random.Random, words: int) -> str:
    """Return one sentence of ``words`` words, German-like, with the odd comma."""
    parts = [rng.choice(_STARTS), *rng.choices(_POOL, k=words - 1)]
    for index in range(9, len(parts) - 1, 9):
        parts[index] += ","
    return " ".join(parts) + rng.choice((".", ".", ".", "?", "!"))


def paragraph(rng: random.Random, words: int) -> str:
    """Return a paragraph of about ``words`` words."""
    sentences = []
    left = words
    while left > 3:
        length = min(left, rng.randint(8, 22))
        sentences.append(sentence(rng, length))
        left -= length
    return " ".join(sentences)


def headline(rng: random.Random) -> str:
    """Return a kicker and a headline, ``Kicker : Headline`` as the raw header writes them."""
    kicker = rng.choice(_LEXICON).capitalize()
    words = [rng.choice(_LEXICON).capitalize()] + [
        rng.choice(_POOL) for _ in range(rng.randint(3, 7))
    ]
    return f"{kicker} : {' '.join(words)}"


def article_date(rng: random.Random) -> str:
    """Return a date token over the archive's years: mostly to the day, some to the month."""
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    date = dt.date.fromordinal(rng.randint(first, last))
    return date.strftime("%Y-%m") if rng.random() < 0.1 else date.isoformat()


def raw_article(number: int, seed: int = SEED) -> str:
    """Return raw op-ed ``number``: header, sometimes a photo caption, section and body."""
    rng = random.Random(f"{seed}/{number}")
    lines = [f" date {article_date(rng)} {headline(rng)}", ""]
    if rng.random() < 0.3:
        caption = sentence(rng, rng.randint(5, 12))
        lines += [f"{caption} Foto: {rng.choice(CREDITS)}/{rng.choice(_LEXICON)}", ""]
    section = rng.choice(SECTIONS)
    place = f" {rng.choice(PLACES)}" if rng.random() < 0.5 else ""
    left = WORDS_PER_ARTICLE + rng.randint(-80, 80)
    first = True
    while left > 10:
        words = min(left, rng.randint(40, 110))
        text = paragraph(rng, words)
        lines += [f"{section}{place} {text}" if first else text, ""]
        first = False
        left -= words
    return "\n".join(lines)


def source_name(number: int, seed: int = SEED) -> str:
    """Return the raw file name of op-ed ``number``: ``NNN_<16 hex>.txt``."""
    digest = hashlib.sha256(f"{seed}/{number}".encode()).hexdigest()[:16]
    return f"{number:03d}_{digest}.txt"


def write_sources(folder: Path, count: int, seed: int = SEED, start: int = 0) -> list[Path]:
    """Write op-eds ``start`` … ``start + count - 1`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        path = folder / source_name(number, seed)
        path.write_text(raw_article(number, seed), encoding="utf-8")
        paths.append(path)
    return paths
