"""Search text: the documents a product is found by, words, stems, and a query's plan.

Every product keeps two documents, each the original text followed by a line of the stems of
its words that differ from them ("Chairs" adds "chair", "shelves" adds "shelf"), so a plural
query and a singular product (and the reverse) meet on the stem:

- ``search_keywords``: name (its last word twice), materials, colours, style, category, brand,
  tags, the option values of its variants ("oak walnut 120 160") (weighs more);
- ``search_document``: the same and the description (what a product must match).

A query becomes a ``SearchPlan``: one ``TermGroup`` per word the index can see (its alternatives:
the word, its stem, a typo correction, a compound spelling, and the word as a prefix, which
ranks below whole words), plus the words too short for the index (substring matches).
"""

import re
from dataclasses import dataclass, field

MIN_TOKEN_LENGTH = 3  # InnoDB's innodb_ft_min_token_size
MAX_TERMS = 10
MIN_CORRECTED_LENGTH = 4  # shorter words have too many neighbours to correct by any edit...
# ...but a three-letter word the catalogue does not know may be a longer one missing a letter
# ("tek" -> teak): only that edit is tried for it.
# InnoDB's default stopword list: such terms never match the index.
STOPWORDS = frozenset(
    {
        "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i",
        "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when",
        "where", "who", "will", "with", "und", "www",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+")
_KEEP_S = ("ss", "us", "is", "as")


def words(text):
    """The lowercase words of ``text`` (letters and digits; punctuation separates)."""
    return _WORD.findall((text or "").lower())


def stem(word):
    """A light English stem: plurals to singular (chairs -> chair, benches -> bench,
    shelves -> shelf, vanities -> vanity). Applied alike to documents and queries."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ves") and len(word) > 4:
        return word[:-3] + "f"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def _with_stems(text):
    surface = words(text)
    known = set(surface)
    extra = dict.fromkeys(s for s in map(stem, surface) if s not in known)
    return f"{text}\n{' '.join(extra)}" if extra else text


def build_search_documents(
    *,
    name,
    brand="",
    tags=(),
    category_name="",
    description="",
    materials="",
    colors=(),
    style="",
    option_values=(),
):
    """``(search_keywords, search_document)`` of a product's fields. The last word of the name
    (the kind of piece: "Oak Table Lamp" is a lamp) is repeated, so it weighs more."""
    kind = (words(name) or [""])[-1]
    keywords = "\n".join(
        part
        for part in (
            name,
            kind,
            materials,
            " ".join(str(color) for color in colors or ()),
            style.replace("-", " "),
            category_name,
            brand,
            " ".join(str(tag) for tag in tags or ()),
            " ".join(str(value) for value in option_values or ()),
        )
        if part
    )
    document = "\n".join(part for part in (keywords, description) if part)
    return _with_stems(keywords), _with_stems(document)


def product_search_documents(product, *, option_values=()):
    """``(search_keywords, search_document)`` of a product (its category loaded); ``option_values``:
    those of its active variants."""
    return build_search_documents(
        name=product.name,
        brand=product.brand,
        tags=product.tags,
        category_name=product.category.name if product.category_id else "",
        description=product.description,
        materials=product.materials,
        colors=product.colors,
        style=product.style,
        option_values=option_values,
    )


@dataclass
class TermGroup:
    """One query word: a product matches it through any alternative."""

    words: list[str]  # whole words (the word, its stem, corrections)
    phrases: list[str] = field(default_factory=list)  # compounds: "day bed"
    prefixes: list[str] = field(default_factory=list)  # match; rank only for unknown words
    known: bool = True  # a word of the catalogue (its prefix matches, but adds no rank)


@dataclass
class SearchPlan:
    groups: list[TermGroup]
    substrings: list[str]  # too short (or a stopword alone): substring matches

    @property
    def empty(self):
        return not self.groups and not self.substrings


def _alternatives(word):
    return list(dict.fromkeys((word, stem(word))))


def _compound_group(first, second, vocabulary):
    joined = first + second
    if vocabulary.knows(joined):
        return TermGroup(words=_alternatives(joined), phrases=[f"{first} {second}"])
    return None


def _split_phrase(word, vocabulary):
    """``daybed`` -> ``"day bed"`` when both halves are words of the catalogue."""
    if len(word) < 2 * MIN_TOKEN_LENGTH:
        return []
    for cut in range(MIN_TOKEN_LENGTH, len(word) - MIN_TOKEN_LENGTH + 1):
        left, right = word[:cut], word[cut:]
        if vocabulary.knows(left) and vocabulary.knows(right):
            return [f"{left} {right}"]
    return []


def _word_group(word, vocabulary):
    if vocabulary.knows(word):
        return TermGroup(words=_alternatives(word), phrases=_split_phrase(word, vocabulary), prefixes=[word])
    if len(word) >= MIN_CORRECTED_LENGTH:
        corrections = vocabulary.corrections(word)
    else:
        corrections = vocabulary.corrections(word, missing_letter_only=True)
    alternatives = [alt for correction in corrections for alt in _alternatives(correction)]
    return TermGroup(
        words=list(dict.fromkeys([*_alternatives(word), *alternatives])),
        phrases=_split_phrase(word, vocabulary),
        prefixes=[word],
        known=False,
    )


def search_plan(query, vocabulary):
    """The ``SearchPlan`` of ``query`` against the catalogue's ``vocabulary``."""
    terms = words(query)[:MAX_TERMS]
    indexed = [t for t in terms if len(t) >= MIN_TOKEN_LENGTH and t not in STOPWORDS]
    substrings = [t for t in terms if len(t) < MIN_TOKEN_LENGTH and t not in STOPWORDS]
    if not indexed and not substrings:
        substrings = terms  # only stopwords: match them as text
    groups = []
    position = 0
    while position < len(indexed):
        word = indexed[position]
        following = indexed[position + 1] if position + 1 < len(indexed) else None
        compound = _compound_group(word, following, vocabulary) if following else None
        if compound is not None:
            groups.append(compound)
            position += 2
            continue
        groups.append(_word_group(word, vocabulary))
        position += 1
    return SearchPlan(groups=groups, substrings=substrings)
