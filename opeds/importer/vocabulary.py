"""Section words and datelines at the start of the first body paragraph (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from opeds.importer.model import Vocabulary

#: German section (Ressort) names that open a body; a delivery may configure its own.
DEFAULT_SECTIONS: tuple[str, ...] = (
    "Meinung", "Kommentar", "Leitartikel", "Gastbeitrag", "Gastkommentar", "Kolumne",
    "Analyse", "Essay", "Standpunkt", "Kritik", "Glosse", "Porträt", "Interview", "Reportage",
    "Inland", "International", "Ausland", "Wirtschaft", "Politik", "Kultur", "Sport",
    "Panorama", "Wissenschaft", "Web", "Etat", "Lokales", "Feuilleton", "Medien",
)  # fmt: skip

#: Datelines a gazetteer may spell differently or lack; more come from geonames and settings.
EXTRA_PLACES: frozenset[str] = frozenset(
    ("Frankfurt (Oder)", "Halle (Saale)", "Brandenburg an der Havel", "Sankt Augustin",
     "St. Pölten", "Wiener Neustadt", "Den Haag", "Neu-Delhi", "Vatikanstadt")
)  # fmt: skip

# Words that start a German sentence but never a place: after a capitalised word they show
# that the lead has begun, so that word was a dateline ("Kommentar Oberhavel Dass ...").
SENTENCE_STARTERS: frozenset[str] = frozenset(
    """Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Kein Keine Keinen Keinem
    Es Er Sie Wir Ich Du Ihr Man Jeder Jede Jedes Alle Alles Viele Manche Mehrere Einige Beide
    Dieser Diese Dieses Diesen Diesem Jener Jene Solche Sein Seine Ihre Ihren Unser Unsere
    In Im Am An Auf Aus Bei Beim Mit Nach Seit Von Vom Vor Zu Zum Zur Für Über Unter Um
    Gegen Ohne Trotz Während Wegen Bis Durch Hinter Neben Zwischen Laut Angesichts Statt
    Als Wenn Ob Dass Weil Obwohl Damit Denn Doch Aber Und Oder Sondern Sowohl Weder Entweder
    Wer Was Wie Wo Wann Warum Weshalb Wieso Welche Welcher Welches Woher Wohin
    Nun Noch Schon Nicht Nie Niemand Nichts Jetzt Heute Gestern Morgen Bald Immer Oft Selten
    Mehr Nur Auch So Da Dann Dort Hier Dabei Dafür Dagegen Daher Darum Deshalb Deswegen Trotzdem
    Zwar Zudem Außerdem Allerdings Jedoch Immerhin Zunächst Zuerst Erst Endlich Schließlich
    Vielleicht Wohl Offenbar Natürlich Sicher Klar Gut Eigentlich Tatsächlich Bislang Bisher
    Ja Nein Zwei Drei Vier Fünf Zehn Hundert Tausend Fast Rund Etwa Knapp Gerade Genau Ganz
    Derzeit Manchmal Zuletzt Inzwischen Mittlerweile Kürzlich Neulich Lange Kaum Selbst Sogar
    Besonders Vorerst Einst Damals Früher Später Seither Künftig Ebenfalls Wieder Bereits
    Ist Sind War Waren Wird Werden Wurde Wurden Hat Haben Hatte Hatten Gibt Gab Kann Können
    Konnte Könnte Muss Müssen Musste Müsste Soll Sollen Sollte Sollten Will Wollen Wollte Darf
    Dürfen Durfte Wäre Wären Hätte Hätten Würde Würden Geht Bleibt Steht Kommt
    Anfang Mitte Ende""".split()  # noqa: SIM905 (a word list reads best as prose)
)

# Words that continue a sentence: a capitalised word before them is its subject.
SENTENCE_JOINERS = frozenset(("und", "oder", "\u2013", "-", ":", ","))

# The connecting words inside multi-word place names ("Frankfurt am Main").
_PLACE_JOINERS = frozenset(
    ("am", "an", "der", "dem", "im", "in", "upon", "de", "del", "di", "la", "le", "los", "sur")
)
_NAME = re.compile(r"[^\W\d_][\w'.-]*(?:/[^\W\d_][\w'.-]*)*")
_MAX_PLACE_WORDS = 4
# Names in Latin letters (up to Latin Extended-B): what a German reader sees as a dateline.
_LATIN_NAME = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ][A-Za-zÀ-ÖØ-öø-ɏ .'-]{2,}")


def places_from_geonames(cities: Iterable[Mapping[str, object]]) -> frozenset[str]:
    """Collect the Latin-script names of geonames cities that can stand as a dateline."""
    names: set[str] = set()
    for city in cities:
        for name in (city["name"], *city.get("alternatenames", ())):
            if (
                isinstance(name, str)
                and _LATIN_NAME.fullmatch(name)
                and name[0].isupper()
                and name.split(" ", 1)[0] not in SENTENCE_STARTERS
            ):
                names.add(name)
    return frozenset(names)


def make_vocabulary(
    sections: Iterable[str] = DEFAULT_SECTIONS, places: Iterable[str] = ()
) -> Vocabulary:
    """Build the vocabulary, longest section names first so that they win."""
    ordered = tuple(sorted({" ".join(s.split()) for s in sections if s.strip()}, key=_longest))
    return Vocabulary(sections=ordered, places=frozenset(places) | EXTRA_PLACES)


def _longest(section: str) -> tuple[int, str]:
    return (-len(section.split(" ")), section)


def _is_place(words: list[str], places: frozenset[str]) -> bool:
    """Tell whether ``words`` name a known place, or places joined by '/' (``Wien/Graz``)."""
    parts = " ".join(words).split("/")
    if all(part in places or _all_hyphen_parts(part, places) for part in parts):
        return True
    # "Wien/Mattersburg": one known place vouches for one-word capitalised companions.
    return (
        len(parts) > 1
        and any(part in places for part in parts)
        and all(part in places or _NAME.fullmatch(part) for part in parts)
    )


def _all_hyphen_parts(name: str, places: frozenset[str]) -> bool:
    """Tell whether a hyphenated name joins known places only (``Erlangen-Nürnberg``)."""
    parts = name.split("-")
    return len(parts) > 1 and all(part in places for part in parts)


def dateline_length(words: list[str], places: frozenset[str]) -> int:
    """Count the words at the start of ``words`` that form the dateline (0: none)."""
    for size in range(min(_MAX_PLACE_WORDS, len(words) - 1), 0, -1):
        candidate, following = words[:size], words[size]
        if not candidate[0][:1].isupper() or candidate[0] in SENTENCE_STARTERS:
            return 0
        if following[:1].islower() or following in SENTENCE_JOINERS:
            continue  # "Wien ist ...": the place is the subject of the lead, not a dateline
        if any(w[:1].islower() and w not in _PLACE_JOINERS for w in candidate):
            continue
        if _is_place(candidate, places):
            return size
    # An unknown name followed by a typical sentence start: "Kommentar Oberhavel Dass ...".
    if (
        len(words) > 2
        and _NAME.fullmatch(words[0])
        and not words[0].endswith(".")
        and words[1] in SENTENCE_STARTERS
    ):
        return 1
    return 0


def split_section(paragraph: str, vocabulary: Vocabulary) -> tuple[str, str, str]:
    """Split the first paragraph into section word(s), dateline and lead."""
    words = paragraph.split(" ")
    for section in vocabulary.sections:
        size = section.count(" ") + 1
        if " ".join(words[:size]) == section and len(words) > size:
            rest = words[size:]
            cut = dateline_length(rest, vocabulary.places)
            return section, " ".join(rest[:cut]), " ".join(rest[cut:])
    return "", "", paragraph
