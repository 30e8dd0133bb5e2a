"""The search index: built here with lunr.py's rules, searched in the browser
with lunr.js 2.3.9.

A full lunr index of a thousand long transcripts is tens of megabytes, so the
index is built in a compact form: the term list, each term's postings as
gap-encoded document numbers with term frequencies, and every field's length
per document. Field vectors are a function of exactly those numbers (BM25,
as lunr's Builder computes them): ``expand_index`` rebuilds the index lunr's
Builder would have built, and ``search_shards`` turns the compact index into
the files the site serves, from which the browser works those numbers out.

Tokenising agrees between the two languages because the pipeline is ours on
both sides, registered under the same names: ``archiveFold`` (accents and
case), ``archiveTrimmer`` (Unicode-aware, unlike lunr.js's ASCII ``\\W``
trimmer and lunr.py's, which leaves any word with inner punctuation
untrimmed) and ``archiveStemmer`` (lunr.js's Porter stemmer; lunr.py's own
turns "day" into "dai" where lunr.js keeps "day"). The JS side of each lives
in ``assets/search-pipeline.js``.

Compact format, version 2 (JSON, written by ``to_json``)::

    {"format": 2, "lunr": "2.3.9", "k1": 1.2, "b": 0.75,
     "fields": ["title", "topics", "text"], "boosts": [10, 5, 1],
     "pipeline": [search pipeline labels],
     "refs": [ref of document 0, ...],
     "numbers": [number of document 0, ...],                  # ascending
     "lengths": [[terms in field 0 of each document], ...],   # one row per field
     "terms": [term, ...],                                     # code point order
     "postings": [[gap, tf, gap, tf, ...], ...],               # one row per term
     "docs": [result metadata per document]}                   # only if given

A posting's key is ``number * len(fields) + field``, with the document's
number (by default its position; the site numbers documents by date, see
``search_shards.doc_numbers``); keys ascend within a row and each is stored
as its gap from the previous one (the first from 0). The keys of one
document do not depend on the others, so a document added anywhere adds
postings to the rows of its own terms and changes no other.
A term's ``_index`` in the expanded index is its position in ``terms``.
"""
from __future__ import annotations

import json
import math
import operator
import re
import unicodedata
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Iterable

import lunr
from lunr.builder import Builder
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import WORDS as STOP_WORDS, stop_word_filter
from lunr.token import Token

FORMAT = 2
LUNR_VERSION = "2.3.9"
FIELDS = ("title", "topics", "text")
BOOSTS = (10, 5, 1)
K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class SearchDoc:
    ref: str                      # short and unique, e.g. the base-36 position "0", "1", ... "rs"
    title: str
    topics: tuple[str, ...]
    paragraphs: tuple[str, ...]   # plain text; paragraph N (from 1) is #p-N on the episode page


@dataclass(frozen=True)
class DocTokens:
    """One document's terms per field, counted the way lunr's Builder counts them."""
    lengths: tuple[int, ...]                  # terms in each field after the pipeline
    frequencies: tuple[dict[str, int], ...]   # term -> occurrences, per field


# --- The pipeline. Every function has a twin in assets/search-pipeline.js. ---

# Letters NFKD leaves whole, and the apostrophes people type for "'".
_FOLD_TABLE = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                             "þ": "th", "ħ": "h", "ı": "i", "\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str) -> str:
    """Lower case without accents: 'Erdoğan' -> 'erdogan', 'Kyïv' -> 'kyiv'."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").translate(_FOLD_TABLE)


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


# In ASCII the letters and digits are exactly what isalnum() says, so a plain
# str.strip can trim an ASCII word at C speed.
_ASCII_NON_WORD = "".join(ch for ch in map(chr, range(128)) if not _is_word_char(ch))


def trim(word: str) -> str:
    """The word without leading or trailing non-letters, nor a possessive 's."""
    if word.isascii():
        word = word.strip(_ASCII_NON_WORD)
        while word.endswith("'s"):   # it starts with a letter or digit now, so only its end changes
            word = word[:-2].rstrip(_ASCII_NON_WORD)
        return word
    start, end = 0, len(word)
    while start < end and not _is_word_char(word[start]):
        start += 1
    while end > start and not _is_word_char(word[end - 1]):
        end -= 1
    word = word[start:end]
    if word.endswith("'s"):
        return trim(word[:-2])
    return word


# lunr.js's Porter stemmer. Its measure rules are regexes, kept as lunr.js
# writes them ('$' spelled out as JS means it). Its suffix rules are regexes
# too, /^(.+?)(suffix1|suffix2|...)$/: at least one character, then a suffix;
# the lazy '+?' makes the longest suffix win. Those are str.endswith checks
# here, so that a word meets a regex only once a suffix has matched (most
# words match none). JS's '.' stops at a line break, so a word with one in it
# matches a suffix rule only if the break is the one character a rule allows
# before its suffix (1a's [^s], 1c's [^aeiou]). tests/test_search.py compares
# this with the rules as regexes, tests/test_search_node.py with lunr.js.
_c, _v = "[^aeiou]", "[aeiouy]"
_C, _V = _c + "[^aeiouy]*", _v + "[aeiou]*"
_MGR0 = re.compile(f"^({_C})?{_V}{_C}")
_MEQ1 = re.compile(f"^({_C})?{_V}{_C}({_V})?\\Z")
_MGR1 = re.compile(f"^({_C})?{_V}{_C}{_V}{_C}")
_S_V = re.compile(f"^({_C})?{_v}")
_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]\\Z")
_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029]")   # what JS's '.' does not match
_STEP2_LIST = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
               "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
               "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous",
               "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3_LIST = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_STEP4_LIST = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism",
               "ate", "iti", "ous", "ive", "ize")


def _by_last_letter(suffixes) -> dict[str, tuple[str, ...]]:
    """The suffixes by their last letter, longest first: one dict lookup rules out most words."""
    table: dict[str, tuple[str, ...]] = {}
    for suffix in sorted(suffixes, key=len, reverse=True):
        table[suffix[-1]] = table.get(suffix[-1], ()) + (suffix,)
    return table


_STEP2_SUFFIXES = _by_last_letter(_STEP2_LIST)
_STEP3_SUFFIXES = _by_last_letter(_STEP3_LIST)
_STEP4_SUFFIXES = _by_last_letter(_STEP4_LIST)
# The last letter of every suffix a step looks for: 1a (s), 1b (d, g), 1c (y),
# 2, 3, 4 (and its ion), 5 (e) and ll. A word ending otherwise is its own stem.
_LAST_LETTERS = frozenset("sdgynel" + "".join(suffix[-1] for suffix in (*_STEP2_LIST, *_STEP3_LIST, *_STEP4_LIST)))


def _suffix(w: str, suffixes: dict[str, tuple[str, ...]]) -> str:
    """What /^(.+?)(suffix1|suffix2|...)$/ takes as the suffix of a word without line breaks, or ''."""
    for suffix in suffixes.get(w[-1], ()):
        if len(w) > len(suffix) and w.endswith(suffix):
            return suffix
    return ""


def _plain_before(w: str, end: int) -> bool:
    """True if w[:end] has no line break: JS's '.+?' can span it."""
    return not _LINE_BREAK.search(w, 0, end)


def stem(w: str) -> str:
    """lunr.js 2.3.9's ``porterStemmer``, step for step."""
    if len(w) < 3 or w[-1] not in _LAST_LETTERS:   # no step would change it
        return w
    first_y = w[0] == "y"
    if first_y:
        w = "Y" + w[1:]
    # Steps only ever change the end of the word, so this holds throughout.
    plain = w.isalpha() or _plain_before(w, len(w))
    # Step 1a: /^(.+?)(ss|i)es$/, else /^(.+?)([^s])s$/
    if w[-1] == "s":
        if plain and (len(w) > 4 and w.endswith("sses") or len(w) > 3 and w.endswith("ies")):
            w = w[:-2]
        elif w[-2] != "s" and (plain or _plain_before(w, len(w) - 2)):
            w = w[:-1]
    # Step 1b: /^(.+?)eed$/, else /^(.+?)(ed|ing)$/
    if plain and w[-1] in "dg":
        if len(w) > 3 and w.endswith("eed"):
            if _MGR0.search(w[:-3]):
                w = w[:-1]
        elif len(w) > 2 and w.endswith("ed") or len(w) > 3 and w.endswith("ing"):
            base = w[:-2] if w[-1] == "d" else w[:-3]
            if _S_V.search(base):
                w = base
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif len(w) > 1 and w[-1] == w[-2] and w[-1] not in "aeiouylsz":
                    w = w[:-1]
                elif _CVC.search(w):
                    w += "e"
    # Step 1c: /^(.+?[^aeiou])y$/
    if w[-1] == "y" and len(w) > 2 and w[-2] not in "aeiou" and (plain or _plain_before(w, len(w) - 2)):
        w = w[:-1] + "i"
    if plain:
        # Step 2
        if (suffix := _suffix(w, _STEP2_SUFFIXES)) and _MGR0.search(w[:-len(suffix)]):
            w = w[:-len(suffix)] + _STEP2_LIST[suffix]
        # Step 3
        if (suffix := _suffix(w, _STEP3_SUFFIXES)) and _MGR0.search(w[:-len(suffix)]):
            w = w[:-len(suffix)] + _STEP3_LIST[suffix]
        # Step 4: the suffixes, else /^(.+?)(s|t)(ion)$/
        if suffix := _suffix(w, _STEP4_SUFFIXES):
            if _MGR1.search(w[:-len(suffix)]):
                w = w[:-len(suffix)]
        elif len(w) > 4 and w.endswith(("sion", "tion")) and _MGR1.search(w[:-3]):
            w = w[:-3]
        # Step 5: /^(.+?)e$/
        if w[-1] == "e" and len(w) > 1:
            base = w[:-1]
            if _MGR1.search(base) or (_MEQ1.search(base) and not _CVC.search(base)):
                w = base
    if w.endswith("ll") and _MGR1.search(w):
        w = w[:-1]
    if first_y:
        w = "y" + w[1:]
    return w


def archive_fold(token: Token, i=None, tokens=None) -> Token:
    return token.update(lambda s, _: fold(s))


def archive_trimmer(token: Token, i=None, tokens=None) -> Token | None:
    token.update(lambda s, _: trim(s))
    return token if token.string else None   # lunr.js drops a token that trims to ''; so must we


def archive_stemmer(token: Token, i=None, tokens=None) -> Token:
    return token.update(lambda s, _: stem(s))


Pipeline.register_function(archive_fold, "archiveFold")
Pipeline.register_function(archive_trimmer, "archiveTrimmer")
Pipeline.register_function(archive_stemmer, "archiveStemmer")
INDEX_PIPELINE = (archive_fold, archive_trimmer, stop_word_filter, archive_stemmer)
SEARCH_PIPELINE = (archive_fold, archive_trimmer, archive_stemmer)


# --- Indexing ---

def field_values(doc: SearchDoc) -> tuple[str, str, str]:
    """The strings lunr tokenises for each of FIELDS."""
    return doc.title, "\n".join(doc.topics), "\n".join(doc.paragraphs)


def _words(value: str) -> list[str]:
    """lunr.py's Tokenizer: lower case, split on whitespace it knows and '-'."""
    value = value.lower()
    for separator in "\t\n\r\f\v\xa0-":
        value = value.replace(separator, " ")
    return value.split(" ")


# The index pipeline, run once per distinct token rather than per occurrence:
# that, more than anything, is what makes this faster than lunr.py's Builder.
# The functions are INDEX_PIPELINE's, called directly, without Token objects.
_TERMS: dict[str, str | None] = {}   # word as written -> term
_STEMS: dict[str, str] = {}           # word folded and trimmed -> term ("Russia," and "russia" share one)


def _term(word: str) -> str | None:
    if not (word.isascii() and word.isalpha() and word.islower()):   # else folding and trimming change nothing
        word = trim(fold(word))
    if not word or word in STOP_WORDS:
        return None
    if (term := _STEMS.get(word)) is None:
        term = _STEMS[word] = stem(word)
    return term


def doc_tokens(doc: SearchDoc) -> DocTokens:
    if len(_TERMS) > 1 << 20:
        _TERMS.clear()
        _STEMS.clear()
    lengths, frequencies = [], []
    for value in field_values(doc):
        words = _words(value)
        for word in set(words).difference(_TERMS):
            _TERMS[word] = _term(word)
        # Every word to its term and counted, at C speed: a few thousand
        # lookups cost less than a Python loop over the distinct words.
        counts = Counter(map(_TERMS.__getitem__, words))
        counts.pop(None, None)
        lengths.append(sum(counts.values()))
        frequencies.append(dict(counts))
    return DocTokens(tuple(lengths), tuple(frequencies))


def build_index(docs: list[SearchDoc], meta: list | None = None,
                tokenize: Callable[[SearchDoc], DocTokens] = doc_tokens) -> dict:
    """The compact index the browser downloads (see the module docstring).

    ``meta``, if given, is one JSON-ready entry per document (url, title, show,
    date ...), shipped in the same file as ``docs``.
    """
    return compact_index([doc.ref for doc in docs], (tokenize(doc) for doc in docs), meta)


def compact_index(refs: list[str], tokens: Iterable[DocTokens], meta: list | None = None,
                  numbers: list[int] | None = None) -> dict:
    """``build_index`` from each document's counted terms, in ``refs`` order.

    ``tokens`` is consumed one document at a time, so a large archive's
    counts never all sit in memory at once. ``numbers``, ascending, number
    the documents in the keys (by default 0, 1, 2 ...).
    """
    if len(set(refs)) != len(refs):
        raise ValueError("search documents need unique refs")
    if meta is not None and len(meta) != len(refs):
        raise ValueError(f"{len(meta)} metadata entries for {len(refs)} search documents")
    numbers = list(range(len(refs))) if numbers is None else list(numbers)
    if len(numbers) != len(refs) or min(numbers, default=0) < 0 or any(a >= b for a, b in zip(numbers, numbers[1:])):
        raise ValueError("search documents need ascending numbers from 0, one each")
    n, width = len(refs), len(FIELDS)
    rows: defaultdict[str, list[int]] = defaultdict(list)   # term -> [key, tf, ...]
    lengths: list[list[int]] = [[] for _ in FIELDS]
    count = 0
    for d, stat in enumerate(tokens):
        count += 1
        for f in range(width):
            lengths[f].append(stat.lengths[f])
            frequencies = stat.frequencies[f]
            # Every term's row found (or started) and given its (key, tf) at
            # C speed, a whole document at a time: no Python loop per term.
            # Documents, then fields, come in key order, so every row ascends.
            # Re-measure: .venv/bin/python -m bench.index_step --sizes 1000 --repeats 5
            _consume(map(_extend, map(rows.__getitem__, frequencies),
                         zip(repeat(numbers[d] * width + f), frequencies.values())))
    if count != n:
        raise ValueError(f"{count} token counts for {n} search documents")
    terms = sorted(rows)
    compact = {
        "format": FORMAT, "lunr": LUNR_VERSION, "k1": K1, "b": B,
        "fields": list(FIELDS), "boosts": list(BOOSTS),
        "pipeline": [fn.label for fn in SEARCH_PIPELINE],
        "refs": refs,
        "numbers": numbers,
        "lengths": lengths,
        "terms": terms,
        "postings": list(map(_gaps, map(rows.__getitem__, terms))),
    }
    if meta is not None:
        compact["docs"] = meta
    return compact


_consume = deque(maxlen=0).extend   # runs an iterator to its end, keeping nothing
_extend = list.extend


def _gaps(keys_tfs: list[int]) -> list[int]:
    """Each key but the first as its gap from the one before (in place)."""
    if len(keys_tfs) > 2:   # most terms are in one document
        keys = keys_tfs[0::2]
        keys_tfs[2::2] = map(operator.sub, keys[1:], keys)
    return keys_tfs


def to_json(compact: dict) -> str:
    """The index as the site serves it: compact JSON, to be written as UTF-8."""
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))


def expand_index(compact: dict) -> dict:
    """The lunr 2.3.9 serialized index that ``lunr.Index.load`` takes.

    The same numbers lunr.py's Builder would compute, including its rounding
    of vector elements to three decimals (lunr.js rounds half-way cases up, so
    the browser's copy can differ from this one by 0.001 in rare elements).
    """
    if compact.get("format") != FORMAT:
        raise ValueError(f"search index format {compact.get('format')!r}, expected {FORMAT}")
    fields, boosts, refs = compact["fields"], compact["boosts"], compact["refs"]
    k1, b, n = compact["k1"], compact["b"], len(refs)
    lengths = compact["lengths"]
    average = [sum(row) / n if n else 0 for row in lengths]
    vectors: list[list[list[float]]] = [[[] for _ in refs] for _ in fields]
    document = {number: d for d, number in enumerate(compact["numbers"])}
    inverted_index = []
    for index, (term, row) in enumerate(zip(compact["terms"], compact["postings"])):
        posting: dict = {field: {} for field in fields}
        posting["_index"] = index
        with_term = len(row) // 2
        idf = math.log(1 + abs((n - with_term + 0.5) / (with_term + 0.5)))
        key = 0
        for j in range(0, len(row), 2):
            key += row[j]
            tf = row[j + 1]
            number, f = divmod(key, len(fields))
            d = document[number]
            posting[fields[f]][refs[d]] = {}
            score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[f][d] / average[f])) + tf)
            score *= boosts[f]
            vectors[f][d] += (index, round(score, 3))
        inverted_index.append([term, posting])
    return {
        "version": compact["lunr"],
        "fields": fields,
        "fieldVectors": [[f"{field}/{ref}", vectors[f][d]] for d, ref in enumerate(refs)
                         for f, field in enumerate(fields)],
        "invertedIndex": inverted_index,
        "pipeline": compact["pipeline"],
    }


def load_index(compact: dict) -> Index:
    """A lunr.py index to query from Python."""
    return Index.load(expand_index(compact))


# --- The reference: what lunr.lunr() builds, slowly, from the same documents ---

def lunr_builder() -> Builder:
    builder = Builder()
    builder.pipeline.add(*INDEX_PIPELINE)
    builder.search_pipeline.add(*SEARCH_PIPELINE)
    return builder


def lunr_documents(docs: list[SearchDoc]) -> list[dict]:
    return [{"ref": doc.ref, **dict(zip(FIELDS, field_values(doc)))} for doc in docs]


def lunr_index(docs: list[SearchDoc]) -> Index:
    """lunr.lunr() on ``docs``: the index ``expand_index`` must reproduce."""
    fields = [{"field_name": name, "boost": boost} for name, boost in zip(FIELDS, BOOSTS)]
    return lunr.lunr(ref="ref", fields=fields, documents=lunr_documents(docs), builder=lunr_builder())
