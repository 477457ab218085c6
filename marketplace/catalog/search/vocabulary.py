"""The catalogue's vocabulary: every indexed word (and stem) of the search documents.

Kept in ``SearchTerm`` (rebuilt with product counts by ``vocabulary_rebuild``: seed_demo,
``manage.py search_reindex``) and mirrored in the cache as one ``{term: count}`` dict with a
version, so a search reads it without a database query (a process keeps the dict of the
version it saw). A product write adds its new words at once (``vocabulary_add``); a lost
concurrent update or a rolled-back write only leaves a word uncorrected, or known, until the
next rebuild: matching itself never depends on the vocabulary.
"""

import time

from django.core.cache import cache

from designiaBackend.cache import cache_available
from marketplace.catalog.models import Product, SearchTerm
from marketplace.catalog.search.text import MIN_TOKEN_LENGTH, STOPWORDS, stem, words

DATA_KEY = "catalog:search:vocabulary:v1"
VERSION_KEY = "catalog:search:vocabulary-version:v1"
MAX_TERM_LENGTH = 64
MAX_SUGGESTION_DISTANCE = 2
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# Without the cache (Redis down: reads are misses) a process reloads at most this often.
RELOAD_WITHOUT_CACHE_SECONDS = 60
_memo: dict = {"version": None, "vocabulary": None, "loaded_at": 0.0}


class Vocabulary:
    def __init__(self, counts):
        self.counts = counts

    def knows(self, word):
        return word in self.counts or stem(word) in self.counts

    def corrections(self, word, *, missing_letter_only=False):
        """The most used catalogue word one edit (delete, insert, replace, swap) away, as a list;
        ``missing_letter_only``: only the words ``word`` is missing one letter of."""
        candidates = _inserts(word) if missing_letter_only else _edits1(word)
        found = [c for c in candidates if c in self.counts]
        if not found:
            return []
        return [max(found, key=lambda c: (self.counts[c], -abs(len(c) - len(word)), c))]

    def suggestion(self, query):
        """``query`` with each unknown word replaced by its closest catalogue word (up to two
        edits), or None when nothing would change."""
        changed, result = False, []
        for word in words(query):
            if self.knows(word) or len(word) < MIN_TOKEN_LENGTH:
                result.append(word)
                continue
            best = self._closest(word)
            changed = changed or best is not None
            result.append(best or word)
        return " ".join(result) if changed else None

    def _closest(self, word):
        best, best_key = None, None
        for term, count in self.counts.items():
            too_far = abs(len(term) - len(word)) > MAX_SUGGESTION_DISTANCE
            if too_far or (len(word) < 5 and term[0] != word[0]):  # short words: keep the first letter
                continue
            distance = edit_distance(word, term, limit=MAX_SUGGESTION_DISTANCE)
            if distance <= MAX_SUGGESTION_DISTANCE:
                key = (distance, -count, term)
                if best_key is None or key < best_key:
                    best, best_key = term, key
        return best


def _inserts(word):
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _ALPHABET}


def _edits1(word):
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + c + right[1:] for left, right in splits if right for c in _ALPHABET}
    return (deletes | swaps | replaces | _inserts(word)) - {word}


def edit_distance(first, second, *, limit):
    """Optimal-string-alignment distance (a swap is one edit); ``limit + 1`` once it exceeds limit."""
    previous2, previous = None, list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = a != b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def document_terms(*texts):
    """The vocabulary words of some documents (indexable, not stopwords)."""
    return {
        word
        for text in texts
        for word in words(text)
        if MIN_TOKEN_LENGTH <= len(word) <= MAX_TERM_LENGTH and word not in STOPWORDS
    }


def _load():
    counts = dict(SearchTerm.objects.values_list("term", "product_count"))
    _publish(counts)
    return counts


def _publish(counts):
    version = str(time.time_ns())
    cache.set_many({DATA_KEY: (version, counts), VERSION_KEY: version}, None)
    _memo.update(version=version, vocabulary=Vocabulary(counts), loaded_at=time.monotonic())


def vocabulary_current():
    """The vocabulary (one cache read when this process holds the current version)."""
    version = cache.get(VERSION_KEY)
    if version is not None and version == _memo["version"]:
        return _memo["vocabulary"]
    entry = cache.get(DATA_KEY)
    if entry is None:
        recent = time.monotonic() - _memo["loaded_at"] < RELOAD_WITHOUT_CACHE_SECONDS
        if not cache_available() and recent and _memo["vocabulary"] is not None:
            return _memo["vocabulary"]
        _load()
        return _memo["vocabulary"]
    _memo.update(version=entry[0], vocabulary=Vocabulary(entry[1]))
    return _memo["vocabulary"]


def vocabulary_add(*texts):
    """Add the new words of ``texts`` (a product's documents after a write)."""
    terms = document_terms(*texts)
    vocabulary = vocabulary_current()
    new = terms - set(vocabulary.counts)
    if not new:
        return
    SearchTerm.objects.bulk_create([SearchTerm(term=term) for term in new], ignore_conflicts=True)
    _publish({**vocabulary.counts, **dict.fromkeys(new, 1)})


def vocabulary_rebuild():
    """Recount the vocabulary from the public products' documents; returns its size."""
    counts: dict[str, int] = {}
    documents = Product.objects.filter(is_active=True, deleted_at__isnull=True).values_list(
        "search_document", flat=True
    )
    for document in documents.iterator(chunk_size=2000):
        for term in document_terms(document):
            counts[term] = counts.get(term, 0) + 1
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term, product_count=count) for term, count in counts.items()],
        batch_size=2000,
        ignore_conflicts=True,
    )
    _publish(counts)
    return len(counts)
