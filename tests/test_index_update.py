"""Updating the search index for new episodes gives exactly the bytes a
clean build of the index writes."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from generator.index_update import IndexState, current, insert, state_of, to_json as state_json
from generator.search import SearchDoc, compact_index, doc_tokens, to_json

# Few words, so documents share terms; some sort between the others, and one
# needs escaping in JSON.
_WORDS = st.sampled_from("nato kyiv putin treaty grain summit border river minsk tariff zürich "
                         "ærø \"quoted\" 42 x".split())


def _doc(draw) -> SearchDoc:
    return SearchDoc(ref="", title=" ".join(draw(st.lists(_WORDS, max_size=3))),
                     topics=tuple(draw(st.lists(_WORDS, max_size=2))),
                     paragraphs=(" ".join(draw(st.lists(_WORDS, max_size=12))),))


@st.composite
def _archives(draw):
    docs = [_doc(draw) for _ in range(draw(st.integers(0, 6)))]
    added = [(_doc(draw), draw(st.booleans())) for _ in range(draw(st.integers(1, 4)))]
    return docs, added


def _clean(docs: list[SearchDoc]) -> tuple[dict, dict]:
    counts: dict = {}
    meta = [{"t": d.title} for d in docs]
    compact = compact_index([str(i) for i in range(len(docs))], [doc_tokens(d) for d in docs], meta, counts)
    return compact, counts


@given(_archives())
def test_adding_episodes_one_by_one_first_or_last_equals_building_the_index_whole(archive):
    docs, added = archive
    compact, counts = _clean(docs)
    state = state_of([f"key{i}" for i in range(len(docs))], compact, counts)
    assert state_json(state) == to_json(compact)
    for n, (doc, first) in enumerate(added):
        at = 0 if first else len(docs)
        docs.insert(at, doc)
        refs = [str(i) for i in range(len(docs))]
        insert(state, at, f"new{n}", refs, doc_tokens(doc), {"t": doc.title})
        assert state_json(state) == to_json(_clean(docs)[0])
        assert state.keys[at] == f"new{n}" and len(state.keys) == len(docs)


def test_a_document_goes_first_or_last_only():
    compact, counts = _clean([SearchDoc("", "a", (), ()), SearchDoc("", "b", (), ())])
    state = state_of(["k0", "k1"], compact, counts)
    with pytest.raises(ValueError, match="first or last"):
        insert(state, 1, "k", ["0", "1", "2"], doc_tokens(SearchDoc("", "c", (), ())))


def test_a_state_an_older_build_cached_is_not_updated_but_rebuilt():
    compact, counts = _clean([SearchDoc("", "a", (), ())])
    assert current(state_of(["k0"], compact, counts))
    older = IndexState.__new__(IndexState)   # as pickle restores one: the attributes it had then
    older.__dict__.update(keys=["k0"], compact={}, terms=["a"], runs=[[[0, 0, 0, ",1"]]])
    assert not current(older)
