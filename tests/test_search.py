"""The search index: the compact form expands to exactly the index lunr.py's
own Builder makes, and answers queries the same way."""
from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata

import pytest
from hypothesis import given, strategies as st
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.token import Token

from generator.search import (
    FIELDS, INDEX_PIPELINE, SearchDoc, build_index, compact_index, doc_tokens, expand_index, field_values,
    fold, load_index, lunr_index, stem, to_json, trim,
)
from tests.search_support import MADE_UP, QUERIES, by_term, ranking, seed_docs


@pytest.fixture(scope="module")
def docs() -> list[SearchDoc]:
    return seed_docs() + MADE_UP


@pytest.fixture(scope="module")
def compact(docs) -> dict:
    return build_index(docs)


def test_expanded_index_is_what_lunr_builds(docs, compact):
    assert by_term(expand_index(compact)) == by_term(lunr_index(docs).serialize())


@pytest.mark.parametrize("query", QUERIES)
def test_queries_rank_as_with_lunr(docs, compact, query):
    ours, theirs = load_index(compact).search(query), lunr_index(docs).search(query)
    assert ranking(ours) == ranking(theirs)
    assert [r["score"] for r in ours] == pytest.approx([r["score"] for r in theirs])


def test_the_expected_episodes_are_found(compact):
    index = load_index(compact)

    def refs(query):
        return [r["ref"] for r in index.search(query)]
    assert set(refs("Lukashenko")) == {"0", "1", "d"}
    assert refs("escalating")[:2] == refs("escalation")[:2] and "b" in refs("escalating")
    assert refs("title:belarus") == ["1"]
    assert set(refs("+putin -sco")) == set(refs("putin")) - set(refs("sco"))
    assert refs("putin’s") == refs("putin")
    assert refs("zzzyzzx") == []


@pytest.mark.parametrize("query", ["erdogan", "Erdogan", "Erdoğan", "kyiv", "Kyiv", "Kyïv", "KYIV", "Kýiv"])
def test_accents_do_not_matter(compact, query):
    assert "a" in {r["ref"] for r in load_index(compact).search(query)}


def test_fold_and_trim():
    assert fold("Erdoğan") == "erdogan"
    assert fold("KYÏV") == "kyiv"
    assert fold("Straße") == "strasse"
    assert fold("Łódź") == "lodz"
    assert fold("İstanbul") == "istanbul"
    assert fold("ﬁnance") == "finance"
    assert fold("Київ") == "киів"   # Cyrillic keeps its letters and loses its marks
    assert trim("“Kyiv,”") == "Kyiv"
    assert trim("(u.s.)") == "u.s"
    assert trim("putin's") == trim("putin'") == "putin"
    assert trim("—") == ""
    assert trim("don't") == "don't"


def test_stemmer_is_lunr_js_not_lunr_py():
    # lunr.py's stemmer turns a final y after a vowel into i; lunr.js does not.
    assert [stem(w) for w in ("day", "days", "today", "way", "try", "trying")] == \
        ["day", "day", "today", "way", "tri", "tri"]
    assert stem("escalating") == stem("escalation") == "escal"


def test_index_pipeline_shortcut_matches_the_registered_pipeline(docs):
    pipeline = Pipeline()
    pipeline.add(*INDEX_PIPELINE)
    for doc in docs:
        for value in (doc.title, *doc.topics, *doc.paragraphs):
            for word in value.lower().replace("-", " ").split():
                expected = [str(t) for t in pipeline.run([Token(word)])]
                got = doc_tokens(SearchDoc("x", word, (), ())).frequencies[0]
                assert list(got) == expected, word


def test_search_pipeline_is_serialised_by_name(compact):
    assert compact["pipeline"] == ["archiveFold", "archiveTrimmer", "archiveStemmer"]
    assert all(name in Pipeline.registered_functions for name in compact["pipeline"])


def test_documents_numbered_with_gaps_give_lunr_index_of_the_same_documents(docs):
    tokens = [doc_tokens(d) for d in docs]
    compact = compact_index([d.ref for d in docs], tokens, numbers=[3 + 7 * i * i for i in range(len(docs))])
    assert by_term(expand_index(compact)) == by_term(lunr_index(docs).serialize())
    with pytest.raises(ValueError, match="ascending"):
        compact_index([d.ref for d in docs], tokens, numbers=[5, 4] + list(range(6, 4 + len(docs))))


def test_compact_index_has_no_text(docs, compact):
    text = to_json(compact)
    assert set(compact) == {"format", "lunr", "k1", "b", "fields", "boosts", "pipeline",
                            "refs", "numbers", "lengths", "terms", "postings"}
    for doc in docs:
        for paragraph in doc.paragraphs:
            words = paragraph.split()
            for i in range(0, len(words) - 2, 3):
                assert " ".join(words[i:i + 3]) not in text


def test_compact_index_is_json_round_trip_safe(compact):
    assert json.loads(to_json(compact)) == compact


def test_metadata_rides_along():
    docs = MADE_UP[:2]
    meta = [{"url": "/episodes/a.html", "title": "Erdoğan in Kyïv"}, {"url": "/episodes/b.html", "title": "Escalation"}]
    assert build_index(docs, meta=meta)["docs"] == meta
    with pytest.raises(ValueError):
        build_index(docs, meta=meta[:1])


def test_refs_must_be_unique():
    with pytest.raises(ValueError):
        build_index([MADE_UP[0], MADE_UP[0]])


def test_doc_tokens_can_come_from_a_cache(docs, compact):
    cached = {doc.ref: doc_tokens(doc) for doc in docs}
    assert build_index(docs, tokenize=lambda doc: cached[doc.ref]) == compact
    assert doc_tokens(docs[0]) == cached[docs[0].ref]


def test_doc_tokens_counts_as_lunr_does():
    tokens = doc_tokens(MADE_UP[1])
    assert tokens.lengths[FIELDS.index("title")] == 2
    assert tokens.frequencies[FIELDS.index("text")]["escal"] == 2
    assert "the" not in tokens.frequencies[FIELDS.index("text")]


def test_empty_index():
    index = load_index(build_index([]))
    assert isinstance(index, Index)
    assert index.search("anything") == []


def test_index_of_docs_with_empty_fields():
    docs = [SearchDoc("0", "", (), ()), SearchDoc("1", "Only a title", (), ())]
    assert ranking(load_index(build_index(docs)).search("title")) == [{"1"}]
    assert by_term(expand_index(build_index(docs))) == by_term(lunr_index(docs).serialize())




# --- stem, trim and doc_tokens against the plain versions they stand for ---

# lunr.js 2.3.9's porterStemmer, every rule a regex as lunr.js writes it
# ('$' and '.' spelled out as JS means them). search.stem checks the suffix
# rules with str.endswith instead, and must agree on every string.
_ANY = r"[^\n\r\u2028\u2029]"
_c, _v = "[^aeiou]", "[aeiouy]"
_C, _V = _c + "[^aeiouy]*", _v + "[aeiou]*"
_RE = {name: re.compile(pattern) for name, pattern in {
    "mgr0": f"^({_C})?{_V}{_C}", "meq1": f"^({_C})?{_V}{_C}({_V})?\\Z", "mgr1": f"^({_C})?{_V}{_C}{_V}{_C}",
    "s_v": f"^({_C})?{_v}", "1a": f"^({_ANY}+?)(ss|i)es\\Z", "1a_2": f"^({_ANY}+?)([^s])s\\Z",
    "1b": f"^({_ANY}+?)eed\\Z", "1b_2": f"^({_ANY}+?)(ed|ing)\\Z", "1b_at": r"(at|bl|iz)\Z",
    "1b_double": r"([^aeiouylsz])\1\Z", "cvc": f"^{_C}{_v}[^aeiouwxy]\\Z", "1c": f"^({_ANY}+?[^aeiou])y\\Z",
    "2": f"^({_ANY}+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism"
         f"|iveness|fulness|ousness|aliti|iviti|biliti|logi)\\Z",
    "3": f"^({_ANY}+?)(icate|ative|alize|iciti|ical|ful|ness)\\Z",
    "4": f"^({_ANY}+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\\Z",
    "4_2": f"^({_ANY}+?)(s|t)(ion)\\Z", "5": f"^({_ANY}+?)e\\Z", "5_ll": r"ll\Z"}.items()}
_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
          "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous",
          "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}


def _regex_stem(w: str) -> str:
    if len(w) < 3:
        return w
    first_y = w[0] == "y"
    if first_y:
        w = "Y" + w[1:]
    if m := _RE["1a"].search(w) or _RE["1a_2"].search(w):
        w = m[1] + m[2]
    if m := _RE["1b"].search(w):
        if _RE["mgr0"].search(m[1]):
            w = w[:-1]
    elif (m := _RE["1b_2"].search(w)) and _RE["s_v"].search(m[1]):
        w = m[1]
        if _RE["1b_at"].search(w):
            w += "e"
        elif _RE["1b_double"].search(w):
            w = w[:-1]
        elif _RE["cvc"].search(w):
            w += "e"
    if m := _RE["1c"].search(w):
        w = m[1] + "i"
    if (m := _RE["2"].search(w)) and _RE["mgr0"].search(m[1]):
        w = m[1] + _STEP2[m[2]]
    if (m := _RE["3"].search(w)) and _RE["mgr0"].search(m[1]):
        w = m[1] + _STEP3[m[2]]
    if m := _RE["4"].search(w):
        if _RE["mgr1"].search(m[1]):
            w = m[1]
    elif (m := _RE["4_2"].search(w)) and _RE["mgr1"].search(m[1] + m[2]):
        w = m[1] + m[2]
    if m := _RE["5"].search(w):
        if _RE["mgr1"].search(m[1]) or (_RE["meq1"].search(m[1]) and not _RE["cvc"].search(m[1])):
            w = m[1]
    if _RE["5_ll"].search(w) and _RE["mgr1"].search(w):
        w = w[:-1]
    if first_y:
        w = "y" + w[1:]
    return w


_SUFFIXES = ["", "s", "es", "ies", "sses", "ss", "ing", "ed", "eed", "y", "e", "ll", "at", "bl", "iz", "ion",
             "sion", "tion", *_STEP2, *_STEP3, "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
             "ment", "ent", "ou", "ism", "ate", "iti", "ous", "ive", "ize"]


def _stemmer_words() -> list[str]:
    rng = random.Random(7)
    words = set()
    for _ in range(10_000):
        letters = "aeiouybcdlmnrstgwxz" if rng.random() < 0.9 else "aeiouybsltY\n\r\u2028\u2029'.é1"
        word = "".join(rng.choice(letters) for _ in range(rng.randint(0, 6)))
        word += "".join(rng.choice(_SUFFIXES) for _ in range(rng.randint(1, 3)))
        words.add("y" + word if rng.random() < 0.2 else word)
    # every short string over letters that matter to some rule, and a line break
    words.update("".join(t) for n in range(1, 5) for t in itertools.product("aeysdlnigt\u2028", repeat=n))
    # every suffix after every short start
    starts = ["".join(t) for n in range(4) for t in itertools.product("aeyszlt", repeat=n)]
    words.update(start + suffix for start in starts for suffix in _SUFFIXES)
    return sorted(words)


def test_stem_agrees_with_the_regex_transcription():
    assert [(w, stem(w), _regex_stem(w)) for w in _stemmer_words() if stem(w) != _regex_stem(w)] == []


@given(st.text(st.sampled_from("aeiouybsdlnrtgzwxY\n\r\u2028\u2029'. é"), max_size=14)
       | st.builds("".join, st.lists(st.sampled_from(_SUFFIXES + ["b", "a", "y", "\u2028", "\n"]), max_size=6)))
def test_stem_agrees_on_any_string(word):
    assert stem(word) == _regex_stem(word)


def _char_trim(word: str) -> str:
    """trim without its ASCII shortcut: character by character, by Unicode category."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] not in "LN":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] not in "LN":
        end -= 1
    word = word[start:end]
    return _char_trim(word[:-2]) if word.endswith("'s") else word


@given(st.text(st.sampled_from("aZ9s'S.,-_()\"“”’—é²½ \t\x00\x7f"), max_size=10) | st.text(max_size=6))
def test_trim_agrees_with_trimming_char_by_char(word):
    assert trim(word) == _char_trim(word)


def test_doc_tokens_counts_every_word_through_the_pipeline(docs):
    # Terms in the order their first word appears, as lunr's Builder meets them.
    pipeline = Pipeline()
    pipeline.add(*INDEX_PIPELINE)
    for doc in docs:
        tokens = doc_tokens(doc)
        for f, value in enumerate(field_values(doc)):
            counts: dict[str, int] = {}
            value = value.lower()
            for separator in "\t\n\r\f\v\xa0-":   # lunr.py's Tokenizer, as search._words
                value = value.replace(separator, " ")
            for word in value.split(" "):
                for term in pipeline.run([Token(word)]):
                    counts[str(term)] = counts.get(str(term), 0) + 1
            assert list(tokens.frequencies[f].items()) == list(counts.items())
            assert type(tokens.frequencies[f]) is dict
            assert tokens.lengths[f] == sum(counts.values())
