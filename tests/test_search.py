"""The search index: the compact form expands to exactly the index lunr.py's
own Builder makes, and answers queries the same way."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.token import Token

from generator.search import (
    FIELDS, INDEX_PIPELINE, SearchDoc, build_index, compact_index, doc_tokens, expand_index, fold,
    insert_document, load_index, lunr_index, stem, to_json, trim,
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


def test_compact_index_has_no_text(docs, compact):
    text = to_json(compact)
    assert set(compact) == {"format", "lunr", "k1", "b", "fields", "boosts", "pipeline",
                            "refs", "lengths", "terms", "postings"}
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


_WORDS = st.sampled_from("nato kyiv putin treaty grain summit border river minsk tariff".split())


@st.composite
def _search_docs(draw):
    count = draw(st.integers(1, 6))
    return [SearchDoc(ref="", title=" ".join(draw(st.lists(_WORDS, max_size=3))),
                      topics=tuple(draw(st.lists(_WORDS, max_size=2))),
                      paragraphs=(" ".join(draw(st.lists(_WORDS, max_size=12))),)) for _ in range(count)]


@given(_search_docs(), st.booleans())
def test_adding_one_episode_to_an_index_equals_building_it_whole(docs, first):
    # A new transcript updates the last index rather than rebuilding it; the
    # result must be exactly the index a clean build writes.
    tokens = [doc_tokens(d) for d in docs]
    meta = [{"t": i} for i in range(len(docs))]
    refs = [str(i) for i in range(len(docs))]
    whole = compact_index(refs, tokens, meta)
    others = slice(1, None) if first else slice(None, -1)
    counts: dict = {}
    updated = compact_index(refs[:-1], tokens[others], meta[others], counts)
    at = 0 if first else len(docs) - 1
    insert_document(updated, counts, at, refs, tokens[at], meta[at])
    assert to_json(updated) == to_json(whole)
    fresh: dict = {}
    compact_index(refs, tokens, meta, fresh)
    assert counts == fresh   # and so the next episode can be added the same way
