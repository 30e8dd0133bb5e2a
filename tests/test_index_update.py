"""Updating the search index for a new episode gives exactly the files a
clean build of the index writes, and rewrites only the shards it changes."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from bench.corpus import episodes
from generator.index_update import IndexState, Stale, current, insert, inserted_at, pack, state_of, unpack
from generator.paragraphs import split_paragraphs
from generator.search import SearchDoc, compact_index, doc_tokens
from generator.search_shards import EpisodeMeta, index_files

# Few words, so documents share terms; some sort between the others, and one
# needs escaping in JSON.
_WORDS = st.sampled_from("nato kyiv putin treaty grain summit border river minsk tariff zürich "
                         "ærø \"quoted\" 42 x 𝔸lpha".split())


def _doc(draw) -> SearchDoc:
    return SearchDoc(ref="", title=" ".join(draw(st.lists(_WORDS, max_size=3))),
                     topics=tuple(draw(st.lists(_WORDS, max_size=2))),
                     paragraphs=(" ".join(draw(st.lists(_WORDS, max_size=12))),))


@st.composite
def _archives(draw):
    return [_doc(draw) for _ in range(draw(st.integers(0, 6)))], [_doc(draw) for _ in range(draw(st.integers(1, 5)))]


def _meta(i: int, doc: SearchDoc) -> EpisodeMeta:
    return EpisodeMeta(f"episodes/{i}.html", doc.title, "Show" if i % 2 else "", "", 2000 + i // 3)


def _metas(docs: list[SearchDoc]) -> list[EpisodeMeta]:
    # By the document itself, not its number: a document inserted before it must not change it.
    return [_meta(hash(d) % 97, d) for d in docs]


def _clean(docs: list[SearchDoc], numbers: list[int], shard_postings: int):
    compact = compact_index([str(n) for n in numbers], [doc_tokens(d) for d in docs], numbers=numbers)
    return index_files(compact, _metas(docs), shard_postings)


class Site:
    """The search/ folder of the last build, as ``insert`` reads it."""

    def __init__(self, docs: list[SearchDoc], shard_postings: int):
        self.docs, self.numbers = list(docs), [100 * (i + 1) for i in range(len(docs))]
        data, written = _clean(self.docs, self.numbers, shard_postings)
        self.files = dict(written.files)
        self.state = state_of(self._keys(), [repr(d) for d in docs], data, written, shard_postings)
        self.read: list[str] = []

    def _keys(self) -> list[str]:
        return [f"key-{id(d)}" for d in self.docs]

    def add(self, doc: SearchDoc, at: int | None = None):
        """Add ``doc`` as the ``at``-th (by default the last), numbered between its neighbours."""
        at = len(self.docs) if at is None else at
        before = self.numbers[at - 1] if at else -1
        number = (before + self.numbers[at]) // 2 if at < len(self.numbers) else before + 100
        self.docs.insert(at, doc)
        self.numbers.insert(at, number)
        keys = self._keys()
        assert inserted_at(self.state, keys, [repr(d) for d in self.docs], self.numbers) == at

        def read(name: str) -> str:
            self.read.append(name)
            return self.files[name]

        written = insert(self.state, at, number, keys[at], repr(doc), _metas([doc])[0], doc_tokens(doc), read)
        self.files = {**{name: self.files[name] for name in written.kept}, **written.files}
        return written

    def clean(self, shard_postings: int) -> dict[str, str]:
        return _clean(self.docs, self.numbers, shard_postings)[1].files


@given(_archives(), st.sampled_from([1, 2, 3, 50]), st.lists(st.integers(0, 20), min_size=5, max_size=5))
@settings(max_examples=200)
def test_adding_episodes_one_by_one_anywhere_equals_building_the_index_whole(archive, shard_postings, places):
    # Shards of one to three postings: every term is cut into pieces, or ends a shard.
    docs, added = archive
    site = Site(docs, shard_postings)
    for doc, place in zip(added, places):
        at = place % (len(site.docs) + 1)
        site.add(doc, at)
        assert site.files == site.clean(shard_postings)
        assert len(site.state.keys) == len(site.docs)


def test_only_one_added_document_is_an_insert():
    site = Site([SearchDoc("", "a", (), ()), SearchDoc("", "b", (), ())], 50)
    keys, docs, numbers = list(site.state.keys), list(site.state.docs), [100, 200]
    assert inserted_at(site.state, [keys[0], "new", keys[1]], [docs[0], "new", docs[1]], [100, 150, 200]) == 1
    assert inserted_at(site.state, keys + ["new"], docs + ["new"], numbers + [201]) == 2
    assert inserted_at(site.state, keys, docs, numbers) is None
    assert inserted_at(site.state, ["new"] + keys[::-1], ["new"] + docs[::-1], [0, 100, 200]) is None
    assert inserted_at(site.state, ["x"] + keys, ["x", "changed", docs[1]], [0, 100, 200]) is None
    # The same documents, but one that moved to another number: not an insert.
    assert inserted_at(site.state, ["new"] + keys, ["new"] + docs, [0, 1, 200]) is None


def _corpus(n: int) -> list[SearchDoc]:
    return [SearchDoc(str(i), e.title, e.topics, tuple(split_paragraphs(e.text))) for i, e in enumerate(episodes(n, 600))]


def test_a_new_episode_rewrites_only_the_shards_holding_its_terms():
    docs = _corpus(301)
    for at in (300, 150):   # the newest, and a back-filled one
        site = Site(docs[:300], 300)
        before = {name for name in site.files if name.startswith("shard-")}
        written = site.add(docs[300], at)
        assert site.files == site.clean(300)
        made = {name for name in written.files if name.startswith("shard-")}
        assert written.kept and made and set(written.kept) <= before and not made & before
        # The shards it made hold a term of the new episode, but for a few
        # neighbours cut elsewhere because a full shard before them grew.
        terms = {term for frequencies in doc_tokens(docs[300]).frequencies for term in frequencies}
        others = [name for name in made if not terms & set(json.loads(written.files[name])["t"])]
        assert len(others) <= len(made) // 5
        # It read only shards it remade, and none twice.
        assert len(site.read) == len(set(site.read)) <= len(made)


def test_a_changed_or_missing_shard_is_stale_not_trusted():
    docs = _corpus(41)
    edited, missing = Site(docs[:40], 300), Site(docs[:40], 300)
    for name in edited.files:
        if name.startswith("shard-"):
            edited.files[name] = edited.files[name].replace(",1,", ",2,", 1)
    with pytest.raises(Stale, match="was changed"):
        edited.add(docs[40])

    def gone(name: str) -> str:
        raise FileNotFoundError(name)

    with pytest.raises(Stale, match="shard-"):
        insert(missing.state, 40, 4000, "key40", "doc", _meta(40, docs[40]), doc_tokens(docs[40]), gone)


def test_a_state_an_older_build_cached_is_not_updated_but_rebuilt():
    assert current(Site([SearchDoc("", "a", (), ())], 50).state)
    older = IndexState.__new__(IndexState)   # as pickle restores one: the attributes it had then
    older.__dict__.update(keys=["k0"], compact={}, counts=[[0, 0, 1]], format=3)
    assert not current(older)


def test_a_damaged_cached_state_is_not_used():
    state = Site([SearchDoc("", "a", (), ())], 50).state
    salt, digest, data = pack(state)
    assert unpack((salt, digest, data)).keys == state.keys
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 1
    for entry in ((salt, digest, bytes(flipped)), (salt, digest, data[:-1]), (salt, "0" * 64, data),
                  ("other code", digest, data), None, state, (digest, data)):
        assert unpack(entry) is None
