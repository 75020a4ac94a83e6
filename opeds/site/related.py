"""Related op-eds by what they say: German stems without stop words, weighted by tf-idf.

Each article is reduced to its stems (Snowball's German stemmer through PyStemmer, the same
algorithm Pagefind stems with), counted, stop words left out, the headline and kicker counted
three times. The terms of an article are weighted by tf-idf over the whole archive and only its
``SIGNATURE_TERMS`` strongest terms are kept; related articles are found through an inverted
index of those signatures, so the work grows with the articles that share terms, never with all
pairs. Counting the stems is what costs: ``TermCache`` keeps them on disk by a hash of the text,
so after one edit only that article is read again and the rest is index arithmetic.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import pickle
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import Stemmer

from opeds.common.atomic import write_atomic
from opeds.common.workers import worker_pool
from opeds.site.metadata import plain

if TYPE_CHECKING:  # numpy is imported where the vectors are worked out: an edit's build never
    import numpy as np  # does in its own process (0.08 s of its start)

log = logging.getLogger(__name__)

RELATED_COUNT = 5
SIGNATURE_TERMS = 24  # enough to hold an op-ed's topic and its actors, few enough to stay cheap
TITLE_WEIGHT = 3  # headline and kicker name the topic: count their words three times
CHAMPIONS = 32  # per term, only the articles it matters most to are candidates: linear cost
MAX_SHARE = 0.25  # a term in more than a quarter of all articles tells none of them apart
MIN_SCORE = 0.08  # cosine below this shares only a stray word or two: better show none
SHOWN_TERMS = 3  # shared words shown as the reason for a related piece
CACHE_VERSION = "4"
_SHARD_SUFFIX = ".pickle"  # the stem cache's files: one per first digit of the keys
NEAREST_BLOCK = 512  # articles whose candidate pairs are scored at once: about 50 MB
PAIRS_AT_ONCE = 8192  # pairs of related articles whose shared words are found at once
NUMBERING_CHUNK = 2000  # documents whose stems are numbered at once
PARALLEL_MIN = 64  # fewer new articles than this are counted in the build's own process

# Capitalised words of three letters or more: in German the nouns and names, which carry the
# topic; verbs and adjectives mostly tell style. Sentence starts are mostly stop words.
_WORD = re.compile(r"[^\W\d_]{3,}")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060]")

#: German function words and the commonest verbs of opinion prose; the Snowball project's German
#: list, extended by words every op-ed uses ("muss", "sagt", "jahr") that tell nothing apart.
_STOP_TEXT = """
    zahlreiche mindestens insgesamt laut rund knapp nachdem zuvor seither künftig außerdem
    trotzdem dennoch uhr prozent
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann das dass
    dasselbe dazu daß dein deine deinem deinen deiner deines dem demselben den denn denselben
    der derer derselbe derselben des desselben dessen dich die dies diese dieselbe dieselben
    diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig
    einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer
    eures für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen
    ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem
    jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen man
    manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich mir mit
    muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner
    seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte sondern
    sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor während
    war waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden
    wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen
    bereits beim dabei dafür dagegen daher damals danach darf darauf darin darum darüber davon
    deshalb eben ebenfalls eigentlich etwa ganz gar geht gibt gilt gleich heute immer inzwischen
    jahr jahre jahren jahres kaum klar kommt lassen lässt mal mehr menschen mittlerweile möchte
    müssen neue neuen schon seit seien sei sagt sagte sagen sollen sollten spricht statt steht
    trotz viele vielen vielleicht wäre wären weniger wenig wurde wurden zeit zudem zwei drei
    allerdings ersten erste erst gerade große großen kommen worden wohl längst derzeit
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def stemmer() -> Stemmer.Stemmer:
    """Return Snowball's German stemmer."""
    return Stemmer.Stemmer("german")


@dataclass(frozen=True)
class Terms:
    """One article's stems with their counts and the form each stem was seen in most.

    Kept as three space-separated strings, one entry per stem in stem order: a whole archive's
    terms stay a few kilobytes an article instead of two dictionaries each (stems and written
    words never contain a space).
    """

    stems: str
    numbers: str
    forms: str

    @classmethod
    def of(cls, counts: dict[str, int], shown: dict[str, str]) -> Terms:
        """Make the terms of ``counts`` with the ``shown`` form of each stem."""
        stems = sorted(counts)
        return cls(" ".join(stems), " ".join(str(counts[s]) for s in stems),
                   " ".join(shown[s] for s in stems))  # fmt: skip

    @property
    def counts(self) -> dict[str, int]:
        """Return stem -> count."""
        return dict(zip(self.stems.split(), map(int, self.numbers.split()), strict=True))

    @property
    def shown(self) -> dict[str, str]:
        """Return stem -> the word as written, for telling a reader why."""
        return dict(zip(self.stems.split(), self.forms.split(), strict=True))


def count_terms(title: str, body: str, stem: Stemmer.Stemmer) -> Terms:
    """Count the stems of ``title`` (weighted) and ``body``, stop words and short words left out."""
    counts: Counter[str] = Counter()
    seen: Counter[tuple[str, str]] = Counter()  # (stem, word as written) -> times
    for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
        words = [(word, lower) for word in _WORD.findall(_INVISIBLE.sub("", text))
                 if word[0].isupper() and (lower := word.lower()) not in STOP_WORDS]  # fmt: skip
        # One call for all the words: the stemmer's per-word call cost as much as the stemming.
        keys = stem.stemWords([lower for _, lower in words])
        for key, times in Counter(keys).items():
            counts[key] += times * weight
        seen.update(zip(keys, (word for word, _ in words), strict=True))
    # The commonest form, ties by the form itself, so the same text always shows the same word.
    best: dict[str, tuple[int, str]] = {}
    for (key, word), times in seen.items():
        candidate = (-times, word)
        if key not in best or candidate < best[key]:
            best[key] = candidate
    return Terms.of(counts, {key: word for key, (_, word) in best.items()})


def article_texts(article) -> tuple[str, str]:
    """Return the plain kicker, headline and topics, and the plain text of ``article``."""
    # Topics an editor gave count like the headline: they are the strongest hint there is.
    heads = [plain(getattr(article, key, "") or "") for key in ("kicker", "title")]
    topics = [str(tag) for tag in getattr(article, "tags", None) or ()]
    return " ".join([*heads, *topics]), plain(getattr(article, "_content", "") or "")


class TermCache:
    """Stems per article on disk, keyed by a hash of the text: only changed articles cost.

    Kept in a folder beside ``path`` (its name plus ``.d``), a file per first digit of the
    keys: an edit, which drops the old text's entry and adds the new one's, writes two of
    the sixteen files instead of all of them (0.1 s at 10,000 articles).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.folder = None if path is None else path.with_name(path.name + ".d")
        self.entries: dict[str, Terms] = {}
        self.hits = self.misses = 0
        self._kept: dict[str, set[str] | None] = {}  # the keys each file holds, by its digit
        if self.folder is not None and self.folder.is_dir():
            for file in sorted(self.folder.glob(f"*{_SHARD_SUFFIX}")):
                self._load(file)
        self.used: dict[str, Terms] = {}
        self._stem = stemmer()

    def _load(self, file: Path) -> None:
        # A pickle, as Pelican's own cache beside it: 30 MB at 10,000 articles load in a
        # twentieth of a second, JSON took four times as long and writing six times.
        try:
            data = pickle.loads(file.read_bytes())
            if data.get("version") != CACHE_VERSION:
                return
            entries = {key: Terms(*map(str, value)) for key, value in data["entries"].items()}
        except Exception as error:  # any damage: count its articles afresh, and say where
            log.warning("%s: unreadable, counting its articles afresh (%s)", file, error)
            self._kept[file.name.removesuffix(_SHARD_SUFFIX)] = None  # written anew
            return
        self.entries.update(entries)
        self._kept[file.name.removesuffix(_SHARD_SUFFIX)] = set(entries)

    def terms(self, title: str, body: str) -> Terms:
        """Return the terms of one text, counting them only when the text is new."""
        key = hashlib.sha256(f"text\0{title}\0{body}".encode()).hexdigest()
        return self._lookup(key, lambda: (title, body))

    def article_terms(self, article) -> Terms:
        """Return the terms of ``article``, keyed by its markup: plain text only on a miss."""
        return self._lookup(_article_key(article), lambda: article_texts(article))

    def all_article_terms(
        self, articles: Sequence, jobs: int = 1, keys: Sequence[str] | None = None
    ) -> list[Terms]:
        """Return the terms of each of ``articles``; many new ones are counted on ``jobs`` cores.

        ``keys``: the articles' keys, when worked out already.
        """
        keys = keys if keys is not None else [_article_key(article) for article in articles]
        new = {key: article for key, article in zip(keys, articles, strict=True)
               if key not in self.entries}  # fmt: skip
        if jobs > 1 and len(new) >= PARALLEL_MIN:
            global _COUNTING
            _COUNTING = list(new.values())
            try:
                with worker_pool(jobs) as pool:
                    counted = pool.map(_count_nth, range(len(_COUNTING)), chunksize=100)
            finally:
                _COUNTING = []
            self.entries.update(zip(new, counted, strict=True))
            self.misses += len(new)
            self.hits -= len(new)  # counted here, found by the lookups below
        return [self._lookup(key, lambda a=article: article_texts(a))
                for key, article in zip(keys, articles, strict=True)]  # fmt: skip

    def adopt(self, keys: Sequence[str], counted: dict[str, Terms]) -> None:
        """Mark the terms of ``keys`` used, those in ``counted`` counted elsewhere just now."""
        self.entries.update(counted)
        self.misses += len(counted)
        for key in keys:
            self.used[key] = self.entries[key]
        self.hits += len(keys) - len(counted)

    def _lookup(self, key: str, texts: Callable[[], tuple[str, str]]) -> Terms:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            found = count_terms(*texts(), self._stem)
        else:
            self.hits += 1
        self.used[key] = found
        return found

    def save(self) -> None:
        """Write the entries used by this build (older ones are dropped): the changed files."""
        if self.folder is None or (not self.misses and len(self.used) == len(self.entries)):
            return
        groups: dict[str, dict[str, Terms]] = {}
        for key, terms in self.used.items():
            groups.setdefault(key[:1], {})[key] = terms
        self.folder.mkdir(parents=True, exist_ok=True)
        for shard in sorted(groups.keys() | self._kept.keys()):
            group = groups.get(shard, {})
            if set(group) == self._kept.get(shard):
                continue
            file = self.folder / f"{shard}{_SHARD_SUFFIX}"
            if not group:
                file.unlink(missing_ok=True)
                continue
            entries = {key: (terms.stems, terms.numbers, terms.forms)
                       for key, terms in sorted(group.items())}  # fmt: skip
            data = {"version": CACHE_VERSION, "entries": entries}
            write_atomic(file, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        self._kept = {shard: set(group) for shard, group in groups.items()}


def _article_key(article) -> str:
    tags = "\0".join(str(tag) for tag in getattr(article, "tags", None) or ())
    parts = [str(getattr(article, key, "") or "") for key in ("kicker", "title", "_content")]
    return hashlib.sha256("\0".join(["article", *parts, tags]).encode()).hexdigest()


_COUNTING: list = []  # the articles forked counting workers count, by position


def _count_nth(index: int) -> Terms:
    return count_terms(*article_texts(_COUNTING[index]), stemmer())


@dataclass(frozen=True)
class Related:
    """A related article and why: the topics and the words the two share."""

    article: object
    score: float
    topics: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Signatures:
    """Every document's strongest terms as flat arrays, one entry per (document, term).

    Entries are ordered by document, and within a document by the term as written in the
    vocabulary (its string), so sums over them always run in the same order.
    """

    row: np.ndarray  # the document of each entry
    term: np.ndarray  # the term, as its position in ``vocabulary``
    weight: np.ndarray  # its weight, the document's weights of unit length
    form: list[str]  # the term as the document writes it most
    vocabulary: list[str]
    total: int  # documents
    rank: np.ndarray  # each term's place in the string order of the vocabulary

    def vector(self, index: int) -> dict[str, float]:
        """Return document ``index``'s terms with their weights."""
        low, high = self._bounds(index)
        terms, weights = self.term[low:high].tolist(), self.weight[low:high].tolist()
        return {self.vocabulary[t]: w for t, w in zip(terms, weights, strict=True)}

    def forms(self, index: int) -> dict[str, str]:
        """Return document ``index``'s terms with the word each stands for there."""
        low, high = self._bounds(index)
        return {self.vocabulary[t]: self.form[i] for i, t in
                zip(range(low, high), self.term[low:high].tolist(), strict=True)}  # fmt: skip

    def _bounds(self, index: int) -> tuple[int, int]:
        import numpy as np

        low, high = np.searchsorted(self.row, [index, index + 1]).tolist()
        return low, high


@dataclass(frozen=True)
class Numbered:
    """Every document's stems as numbers, one entry per (document, stem), in document order."""

    keys: Sequence[str] | None  # the documents' keys (see TermCache), when known
    lengths: np.ndarray  # the stems of each document
    term: np.ndarray  # each entry's stem, as its place in ``vocabulary`` (32-bit)
    counts: np.ndarray  # how often the document has it (32-bit)
    vocabulary: list[str]


def number_stems(
    documents: Sequence[Terms], keys: Sequence[str] | None = None, last: Numbered | None = None
) -> Numbered:
    """Number the stems of ``documents``; ``last``: an earlier numbering, with its keys.

    A document ``last`` holds (by its key: a digest of its text) keeps its numbers there, and
    only the others are numbered, new stems after the old ones: numbering every stem took
    0.2 s at 10,000 articles, most of the related op-eds' work after one edit. How stems are
    numbered changes nothing in what is worked out from them (ties go by the stems' strings).
    A vocabulary grown to twice the stems in use is numbered afresh.
    """
    import numpy as np

    if last is not None and last.keys is not None and keys is not None:
        numbered = _renumbered(documents, keys, last)
        used = np.count_nonzero(np.bincount(numbered.term, minlength=len(numbered.vocabulary)))
        if len(numbered.vocabulary) <= 2 * max(used, 1000):
            return numbered
    total = len(documents)
    lengths = np.array([d.stems.count(" ") + 1 if d.stems else 0 for d in documents], np.int64)
    ids: dict[str, int] = {}  # numbered in order of first appearance
    terms, numbers = [], []
    # A chunk of documents at a time: a list of every stem of a big archive as strings took
    # 120 MB at 10,000 articles. Within a chunk, the numbering and the parsing of the counts
    # run in C (dict.fromkeys, map, fromstring), not in a Python loop over each stem.
    for start in range(0, total, NUMBERING_CHUNK):
        chunk = documents[start : start + NUMBERING_CHUNK]
        stems = " ".join(d.stems for d in chunk).split()
        new = [stem for stem in dict.fromkeys(stems) if stem not in ids]
        ids.update(zip(new, range(len(ids), len(ids) + len(new)), strict=True))
        terms.append(np.fromiter(map(ids.__getitem__, stems), np.int32, len(stems)))
        text = " ".join(d.numbers for d in chunk)
        numbers.append(np.fromstring(text, np.int32, sep=" ") if text.strip() else terms[-1][:0])
    # 32-bit numbers and each array let go once used: at 50,000 articles there are ten
    # million (document, stem) entries, and 64-bit copies of them made the build's peak.
    term = np.concatenate(terms) if terms else np.zeros(0, np.int32)
    counts = np.concatenate(numbers) if numbers else np.zeros(0, np.int32)
    del terms, numbers
    if len(counts) != len(term):
        raise ValueError("a document has not one count for each of its stems")
    return Numbered(keys, lengths, term, counts, list(ids))


def _renumbered(documents: Sequence[Terms], keys: Sequence[str], last: Numbered) -> Numbered:
    """The numbering of ``documents`` with the numbers ``last`` gave the ones it holds."""
    import numpy as np

    vocabulary = list(last.vocabulary)
    ids = {stem: number for number, stem in enumerate(vocabulary)}
    where = {key: index for index, key in enumerate(last.keys)}
    ends = np.cumsum(last.lengths).tolist()
    terms, numbers, lengths = [], [], []
    for key, document in zip(keys, documents, strict=True):
        index = where.get(key)
        if index is not None:
            low, high = ends[index - 1] if index else 0, ends[index]
            terms.append(last.term[low:high])
            numbers.append(last.counts[low:high])
            lengths.append(high - low)
            continue
        stems = document.stems.split()
        for stem in stems:
            if stem not in ids:
                ids[stem] = len(vocabulary)
                vocabulary.append(stem)
        terms.append(np.fromiter(map(ids.__getitem__, stems), np.int32, len(stems)))
        text = document.numbers
        numbers.append(np.fromstring(text, np.int32, sep=" ") if text.strip() else terms[-1][:0])
        if len(numbers[-1]) != len(terms[-1]):
            raise ValueError("a document has not one count for each of its stems")
        lengths.append(len(stems))
    return Numbered(
        keys,
        np.array(lengths, np.int64),
        np.concatenate(terms) if terms else np.zeros(0, np.int32),
        np.concatenate(numbers) if numbers else np.zeros(0, np.int32),
        vocabulary,
    )


NUMBERING_VERSION = 1


def save_numbering(path: Path, numbered: Numbered) -> None:
    """Keep ``numbered`` (with its keys) for the next build: see :func:`number_stems`."""
    data = {"version": NUMBERING_VERSION, "keys": list(numbered.keys or ()),
            "lengths": numbered.lengths, "term": numbered.term, "counts": numbered.counts,
            "vocabulary": numbered.vocabulary}  # fmt: skip
    write_atomic(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def load_numbering(path: Path) -> Numbered | None:
    """The numbering :func:`save_numbering` kept in ``path``, if there is a sound one."""
    import numpy as np

    try:
        data = pickle.loads(path.read_bytes())
        if data.get("version") != NUMBERING_VERSION:
            return None
        keys, vocabulary = data["keys"], data["vocabulary"]
        lengths, term, counts = data["lengths"], data["term"], data["counts"]
        sound = (
            isinstance(keys, list) and isinstance(vocabulary, list)
            and all(isinstance(a, np.ndarray) and a.ndim == 1 for a in (lengths, term, counts))
            and term.dtype == counts.dtype == np.int32 and lengths.dtype == np.int64
            and len(keys) == len(lengths) and int(lengths.sum()) == len(term) == len(counts)
            and (not len(term) or 0 <= int(term.min()) <= int(term.max()) < len(vocabulary))
        )  # fmt: skip
    except Exception:  # missing or damaged: every stem is numbered
        return None
    return Numbered(keys, lengths, term, counts, vocabulary) if sound else None


def signature_arrays(documents: Sequence[Terms], numbered: Numbered | None = None) -> Signatures:
    """Weight each document's terms by tf-idf and keep its strongest ones, unit length.

    A term weighs (1 + log count) * log(documents / documents with it); a term no other
    document has, or one in more than ``MAX_SHARE`` of them, is left out. Ties are decided by
    the term's string. The arithmetic is the one of a loop over each document in Python
    (``math.log``, a running sum): numpy only gathers the values. ``numbered``: the documents'
    stems numbered already (see :func:`number_stems`).
    """
    import numpy as np

    total = len(documents)
    found = numbered if numbered is not None else number_stems(documents)
    lengths, term, counts, vocabulary = found.lengths, found.term, found.counts, found.vocabulary
    del found
    frequency = np.bincount(term, minlength=len(vocabulary))
    # The share only guards the cost in a big archive; in a small one idf alone judges.
    limit = max(50, MAX_SHARE * total)
    seen_in = frequency[term]
    entries = np.flatnonzero((seen_in > 1) & (seen_in <= limit) & (seen_in < total))
    del seen_in
    entry_term, entry_count = term[entries], counts[entries]
    del term, counts
    entry_row = np.repeat(np.arange(total, dtype=np.int32), lengths)[entries]
    # The same floats as math.log gives, looked up: each count and frequency has one value.
    tf = np.array([0.0] + [1 + math.log(c) for c in range(1, int(entry_count.max(initial=1)) + 1)])
    idf = np.array([0.0] + [math.log(total / f) for f in range(1, total + 1)])
    weight = tf[entry_count] * idf[frequency[entry_term]]
    del entry_count
    # Each term's place in string order, for ties and for the order of a document's entries.
    rank = np.empty(len(vocabulary), np.int32)
    rank[sorted(range(len(vocabulary)), key=vocabulary.__getitem__)] = np.arange(len(vocabulary))
    order = np.lexsort((rank[entry_term], -weight, entry_row))
    ordered_row = entry_row[order]
    first = np.searchsorted(ordered_row, ordered_row)
    del ordered_row
    kept = order[np.arange(len(order)) - first < SIGNATURE_TERMS]  # by row, strongest first
    del order, first
    kept_row, kept_weight = entry_row[kept], weight[kept]
    del entry_row, weight
    # The running sum of squares in each document's order, as Python's sum() adds them.
    place = np.arange(len(kept)) - np.searchsorted(kept_row, kept_row)
    squares = np.zeros((total, SIGNATURE_TERMS))
    squares[kept_row, place] = kept_weight * kept_weight
    running = np.zeros(total)
    for column in range(SIGNATURE_TERMS):
        running = running + squares[:, column]
    norm = np.sqrt(running)
    norm[norm == 0] = 1.0
    unit = kept_weight / norm[kept_row]
    # Within a document, by the term's string.
    final = np.lexsort((rank[entry_term[kept]], kept_row))
    chosen = entries[kept[final]]
    # The form of each chosen entry: its place within its document's forms, taken for all the
    # chosen entries of one document at once.
    chosen_row = kept_row[final]
    local = (chosen - np.concatenate(([0], np.cumsum(lengths)[:-1]))[chosen_row]).tolist()
    bounds = np.searchsorted(chosen_row, np.arange(total + 1)).tolist()
    form: list[str] = []
    for row in np.unique(chosen_row).tolist():
        low, high = bounds[row], bounds[row + 1]
        split_forms = documents[row].forms.split()
        form.extend([split_forms[index] for index in local[low:high]])
    return Signatures(  # 64-bit again: pairs of documents are numbered as row * total + row
        row=kept_row[final].astype(np.int64),
        term=entry_term[kept[final]].astype(np.int64),
        weight=unit[final],
        form=form,
        vocabulary=vocabulary,
        total=total,
        rank=rank,
    )


def signatures(documents: Sequence[Terms]) -> list[dict[str, float]]:
    """Weight each document's terms by tf-idf and keep its strongest ones, unit length."""
    found = signature_arrays(documents)
    return [found.vector(index) for index in range(len(documents))]


def nearest(
    vectors: Sequence[dict[str, float]] | Signatures,
    count: int = RELATED_COUNT,
    min_score: float = MIN_SCORE,
    jobs: int = 1,
) -> list[list[tuple[int, float]]]:
    """For each vector, the ``count`` most similar others (cosine), ties by position.

    With ``jobs`` above one, blocks of articles are scored in forked workers, with the same
    result: each block's sums and ranks depend on that block alone.
    """
    import numpy as np

    if isinstance(vectors, Signatures):
        total, row, term, weight = vectors.total, vectors.row, vectors.term, vectors.weight
        terms_count = len(vectors.vocabulary)
    else:
        total = len(vectors)
        ids: dict[str, int] = {}
        rows, terms, weights = [], [], []
        for index, vector in enumerate(vectors):
            for key, value in sorted(vector.items()):
                rows.append(index)
                terms.append(ids.setdefault(key, len(ids)))
                weights.append(value)
        row, term = np.array(rows, np.int64), np.array(terms, np.int64)
        weight, terms_count = np.array(weights, np.float64), len(ids)
    # Champion lists: each term keeps the articles where it weighs most (ties by position), so a
    # common term costs no more than a rare one and the whole stays linear in the articles.
    order = np.lexsort((row, -weight, term))
    first = np.searchsorted(term[order], np.arange(terms_count))
    rank = np.arange(len(order)) - first[term[order]]
    kept = order[rank < CHAMPIONS]  # still grouped by term
    _BLOCKS.update(
        row=row, term=term, weight=weight, total=total, count=count, min_score=min_score,
        champion_row=row[kept], champion_weight=weight[kept],
        champion_start=np.searchsorted(term[kept], np.arange(terms_count)),
        champion_count=np.bincount(term[kept], minlength=terms_count),
    )  # fmt: skip
    # A block of articles at a time: the pairs of one block stay bounded, whatever the archive.
    bounds = np.searchsorted(row, np.arange(0, total + NEAREST_BLOCK, NEAREST_BLOCK)).tolist()
    blocks = [(low, high) for low, high in itertools.pairwise(bounds) if low < high]
    result: list[list[tuple[int, float]]] = [[] for _ in range(total)]
    try:
        if jobs > 1 and len(blocks) > 1:
            with worker_pool(min(jobs, len(blocks))) as pool:
                found = pool.map(_nearest_block, blocks, chunksize=1)
        else:
            found = [_nearest_block(block) for block in blocks]
    finally:
        _BLOCKS.clear()
    for block in found:
        for index, other_index, score in block:
            result[index].append((other_index, score))
    return result


_BLOCKS: dict = {}  # what ``_nearest_block`` works on, set by ``nearest`` (also in its workers)


def _nearest_block(bounds: tuple[int, int]) -> list[tuple[int, int, float]]:
    """Score the candidate pairs of the entries from ``low`` to ``high``: a block of articles."""
    import numpy as np

    low, high = bounds
    data = _BLOCKS
    row, term, weight, total = data["row"], data["term"], data["weight"], data["total"]
    champion_count, champion_start = data["champion_count"], data["champion_start"]
    entries = np.arange(low, high)
    fan = champion_count[term[entries]]
    entry = np.repeat(entries, fan)
    offset = np.arange(len(entry)) - np.repeat(np.cumsum(fan) - fan, fan)
    champion = champion_start[term[entry]] + offset
    left, right = row[entry], data["champion_row"][champion]
    other = left != right
    pair = left[other] * total + right[other]
    products = (weight[entry] * data["champion_weight"][champion])[other]
    # The entries of each pair together, by a stable sort: the entries come ordered by their
    # first article, runs that numpy's merge sort takes as they are (0.29 s for the pairs of
    # 10,000 articles, np.unique's sort 0.45 s). Within a pair they keep their order, and
    # bincount adds them in it: the same sums, bit for bit, every run.
    order = np.argsort(pair, kind="stable")
    ordered = pair[order]
    starts = np.empty(len(ordered), bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    pairs = ordered[starts]
    sums = np.bincount(np.cumsum(starts) - 1, weights=products[order])
    # Rounded, so the last bits of a float sum never decide an order.
    scores = np.round(sums, 9)
    strong = scores >= data["min_score"]  # most pairs share one weak word: drop them first
    pairs, scores = pairs[strong], scores[strong]
    first_row, second_row = pairs // total, pairs % total
    ranked = np.lexsort((second_row, -scores, first_row))
    place = np.arange(len(ranked)) - np.searchsorted(first_row[ranked], first_row[ranked])
    chosen = ranked[place < data["count"]]
    return list(
        zip(
            first_row[chosen].tolist(),
            second_row[chosen].tolist(),
            scores[chosen].tolist(),
            strict=True,
        )
    )


def shared_words(
    left: dict[str, float], right: dict[str, float], shown: dict[str, str], limit: int
) -> tuple[str, ...]:
    """Name the terms two signatures share most strongly, as the first article writes them."""
    common = sorted(left.keys() & right.keys(), key=lambda t: (-left[t] * right[t], t))
    return tuple(shown[term] for term in common[:limit])


def shared_words_of_pairs(
    found: Signatures, pairs: Sequence[tuple[int, int]], limit: int
) -> list[tuple[str, ...]]:
    """``shared_words`` for many pairs of documents at once: the same words, in the same order.

    Each pair's entries are matched by term with one binary search over all of them, not in a
    dictionary of each document's terms (1.4 s for the related op-eds of 10,000 articles).
    """
    found_words: list[tuple[str, ...]] = []
    for start in range(0, len(pairs), PAIRS_AT_ONCE):  # a bounded share of memory at a time
        found_words += _shared_words_of(found, pairs[start : start + PAIRS_AT_ONCE], limit)
    return found_words


def _shared_words_of(
    found: Signatures, pairs: Sequence[tuple[int, int]], limit: int
) -> list[tuple[str, ...]]:
    import numpy as np

    if not pairs:
        return []
    first, second = (np.array(side, np.int64) for side in zip(*pairs, strict=True))
    starts = np.searchsorted(found.row, np.arange(found.total + 1))

    def entries(documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Every entry of each pair's document, with the pair it belongs to.
        low, high = starts[documents], starts[documents + 1]
        sizes = high - low
        pair = np.repeat(np.arange(len(documents)), sizes)
        entry = (
            np.repeat(low, sizes)
            + np.arange(sizes.sum())
            - np.repeat(np.cumsum(sizes) - sizes, sizes)
        )
        return pair, entry

    pair_left, entry_left = entries(first)
    pair_right, entry_right = entries(second)
    # A document's entries run in the string order of their terms, so these keys ascend: each
    # left entry's partner is found by a binary search, without sorting them all again.
    width = np.int64(len(found.vocabulary))
    key_left = pair_left * width + found.rank[found.term[entry_left]]
    key_right = pair_right * width + found.rank[found.term[entry_right]]
    if len(key_right) > 1 and not bool(np.all(key_right[1:] > key_right[:-1])):
        order = np.argsort(key_right, kind="stable")  # not as the arrays promise: sort them
        key_right, pair_right, entry_right = key_right[order], pair_right[order], entry_right[order]
    place = np.minimum(np.searchsorted(key_right, key_left), max(len(key_right) - 1, 0))
    left = np.flatnonzero(key_right[place] == key_left) if len(key_right) else place[:0]
    right = place[left]
    pair, entry_left, entry_right = pair_left[left], entry_left[left], entry_right[right]
    # As ``shared_words`` sorts: the product of the weights, largest first, then the term.
    strength = -found.weight[entry_left] * found.weight[entry_right]
    order = np.lexsort((found.rank[found.term[entry_left]], strength, pair))
    pair, entry_left = pair[order], entry_left[order]
    place = np.arange(len(pair)) - np.searchsorted(pair, pair)
    shown = place < limit
    words: list[list[str]] = [[] for _ in pairs]
    for index, entry in zip(pair[shown].tolist(), entry_left[shown].tolist(), strict=True):
        words[index].append(found.form[entry])
    return [tuple(found_words) for found_words in words]


def related_of(
    documents: Sequence[Terms],
    count: int = RELATED_COUNT,
    jobs: int = 1,
    numbered: Numbered | None = None,
) -> tuple[list[list[tuple[int, float]]], list[tuple[str, ...]]]:
    """Return each document's ``count`` nearest (other, score), and the words of each pair."""
    found_signatures = signature_arrays(documents, numbered)
    neighbours = nearest(found_signatures, count, jobs=jobs)
    pairs = [(index, other) for index, found in enumerate(neighbours) for other, _ in found]
    return neighbours, shared_words_of_pairs(found_signatures, pairs, SHOWN_TERMS)


def link_related(
    articles: list,
    cache: TermCache,
    count: int = RELATED_COUNT,
    jobs: int = 1,
    ahead: Callable[[list[str], int], tuple | None] | None = None,
    numbering: Path | None = None,
    keys: list[str] | None = None,
) -> list[str]:
    """Give each article (in archive order) up to ``count`` related articles by content.

    ``ahead`` is asked with the articles' keys for a result worked out elsewhere for exactly
    those (see opeds.site.related_ahead). ``numbering``: the file of the last numbering of
    the stems, used and kept again when they are worked out here. ``keys``: the articles'
    keys, if known already. Returns the keys.
    """
    if keys is None:
        keys = [_article_key(article) for article in articles]
    found = ahead(keys, count) if ahead is not None else None
    if found is None:
        documents = cache.all_article_terms(articles, jobs, keys)
        last = None if numbering is None else load_numbering(numbering)
        numbered = number_stems(documents, keys, last) if numbering is not None else None
        neighbours, shared = related_of(documents, count, jobs, numbered=numbered)
        if numbering is not None and numbered is not None:
            save_numbering(numbering, numbered)
        del numbered
    else:
        neighbours, shared, counted = found
        cache.adopt(keys, counted)
        log.info("related articles: worked out ahead, %d counted there", len(counted))
    words = iter(shared)
    # Each article's topics once, not once for every pair it is in.
    tags = [frozenset(str(tag) for tag in getattr(article, "tags", ())) for article in articles]
    for article, own_tags, found in zip(articles, tags, neighbours, strict=True):
        article.related_articles = [
            Related(articles[other], score,
                    tuple(sorted(own_tags & tags[other])) if own_tags else (), next(words))
            for other, score in found
        ]  # fmt: skip
    cache.save()
    log.info("related articles: %d counted, %d from cache", cache.misses, cache.hits)
    return keys


_PRELOADED: dict[Path, TermCache] = {}  # by path: see preload_cache


def related_cache(settings: dict) -> TermCache:
    """Return the stem cache beside Pelican's cache for this build's settings.

    The first one asked for in a process is the one :func:`preload_cache` loaded, if any.
    """
    path = Path(settings["CACHE_PATH"]) / "opeds-related.pickle"
    preloaded = _PRELOADED.pop(path, None)
    return preloaded if preloaded is not None else TermCache(path)


def preload_cache(settings: dict) -> None:
    """Load the stem cache now, while the build waits for its import (see opeds.build.run).

    Its entries are keyed by the text they were counted from: the import changes none. The
    worker that works the related op-eds out ahead is forked from this process and needs numpy.
    """
    import numpy  # noqa: F401  (imported here, not in the worker forked later: 0.15 s less there)

    path = Path(settings["CACHE_PATH"]) / "opeds-related.pickle"
    _PRELOADED.clear()  # one build's at most
    _PRELOADED[path] = TermCache(path)


def forget_preloaded() -> None:
    """Let go of a preloaded cache nobody asked for (a build that found nothing to do)."""
    _PRELOADED.clear()
