"""The sharded index scores exactly as a full lunr index: lunr.js 2.3.9's own
Builder indexes the same documents with the site's pipeline, and for every
query the sharded search (tests/search_node.js, the worker's code) must give
the same refs in the same order with the same scores, to 1e-9.

Also the Python side: shard sizes, pieces of a long term, the manifest.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from bench.corpus import episodes
from generator.build import _base36
from generator.paragraphs import split_paragraphs
from generator.search import SearchDoc, build_index, compact_index, doc_tokens, lunr_documents
from generator.search_shards import PER_DAY, EpisodeMeta, doc_numbers, shard_files, shard_name
from tests.search_support import MADE_UP, QUERIES, seed_docs, write_shards
from tests.test_search_node import RUNNER, node  # noqa: F401  (the fixture)


def corpus_docs(n: int, words: int) -> list[SearchDoc]:
    """The bench corpus, oldest first as the site numbers it."""
    return [SearchDoc(_base36(i), e.title, e.topics, tuple(split_paragraphs(e.text)))
            for i, e in enumerate(episodes(n, words))]


class Both:
    """One node process holding the full lunr.js index and the shards."""

    def __init__(self, node_path: str, docs: list[SearchDoc], folder: Path, shard_postings: int | None = None,
                 numbers: list[int] | None = None):
        if numbers is None:
            self.compact = build_index(docs)
        else:   # refs are the numbers in base 36, as the site makes them
            docs = [dataclasses.replace(d, ref=_base36(number)) for d, number in zip(docs, numbers)]
            self.compact = compact_index([d.ref for d in docs], map(doc_tokens, docs), numbers=numbers)
        (folder / "docs.json").write_text(json.dumps(lunr_documents(docs)), encoding="utf-8")
        shards = folder / "shards"
        shards.mkdir()
        write_shards(self.compact, shards, shard_postings)
        self.manifest = json.loads((shards / json.loads((shards / "latest.json").read_text())["manifest"]).read_text())
        self.proc = subprocess.Popen([node_path, str(RUNNER), "serve", str(folder / "docs.json"), str(shards)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def ask(self, q: str, typing: bool = False) -> tuple:
        self.proc.stdin.write(json.dumps({"q": q, "typing": typing}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return answer["full"], answer["sharded"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def assert_same(both: Both, q: str, typing: bool = False) -> dict:
    full, sharded = both.ask(q, typing)
    if isinstance(full, dict):   # lunr cannot parse it: neither may we
        assert "error" in sharded, (q, sharded)
        return sharded
    assert "error" not in sharded, (q, sharded)
    assert not sharded["notices"], (q, sharded["notices"])
    assert [ref for ref, _ in sharded["hits"]] == [ref for ref, _ in full], q
    assert all(abs(a - b) <= 1e-9 for (_, a), (_, b) in zip(sharded["hits"], full)), q
    return sharded


@pytest.fixture(scope="module")
def small(node, tmp_path_factory):   # noqa: F811
    both = Both(node, corpus_docs(100, 3500), tmp_path_factory.mktemp("c100"))
    yield both
    both.close()


@pytest.fixture(scope="module")
def large(node, tmp_path_factory):   # noqa: F811
    both = Both(node, corpus_docs(1000, 600), tmp_path_factory.mktemp("c1000"))
    yield both
    both.close()


@pytest.fixture(scope="module")
def split(node, tmp_path_factory):   # noqa: F811
    # Shards of 40 postings: the common words' postings are cut over several shards.
    both = Both(node, corpus_docs(100, 800), tmp_path_factory.mktemp("split"), shard_postings=40)
    yield both
    both.close()


@pytest.fixture(scope="module")
def dated(node, tmp_path_factory):   # noqa: F811
    # Numbered by date as the site numbers them: with gaps, several on one day.
    dates = [(dt.date(2020, 1, 1) + dt.timedelta(days=i // 3 * 2), f"slug-{i}") for i in range(120)]
    both = Both(node, corpus_docs(120, 700), tmp_path_factory.mktemp("dated"), shard_postings=500,
                numbers=sorted(doc_numbers(dates)))
    yield both
    both.close()


@pytest.fixture(scope="module")
def seeds(node, tmp_path_factory):   # noqa: F811
    docs = [SearchDoc(_base36(i), d.title, d.topics, d.paragraphs) for i, d in enumerate(seed_docs() + MADE_UP)]
    both = Both(node, docs, tmp_path_factory.mktemp("seeds"), shard_postings=200)
    yield both
    both.close()


def _terms(both: Both) -> list[str]:
    return sorted(both.compact["terms"])


def queries(terms: list[str]):
    """Queries of one to three clauses: plain terms, +required, -prohibited,
    field:term, prefix*, *suffix, fuzzy~1 and ~2, and boosts."""
    long_terms = [t for t in terms if len(t) >= 4]
    term = st.sampled_from(terms)
    clause = st.one_of(
        term,
        term.map(lambda t: "+" + t),
        term.map(lambda t: "-" + t),
        st.tuples(st.sampled_from(["title", "topics", "text"]), term).map(lambda ft: f"{ft[0]}:{ft[1]}"),
        st.tuples(st.sampled_from(long_terms), st.integers(3, 5)).map(lambda ti: ti[0][:ti[1]] + "*"),
        st.tuples(st.sampled_from(long_terms), st.integers(3, 5)).map(lambda ti: "*" + ti[0][-ti[1]:]),
        st.tuples(st.sampled_from(long_terms), st.sampled_from([1, 2])).map(lambda ti: f"{ti[0]}~{ti[1]}"),
        term.map(lambda t: t + "^3"),
    )
    return st.lists(clause, min_size=1, max_size=3).map(" ".join)


SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


def _check(both: Both, q: str) -> None:
    full, sharded = both.ask(q)
    assume(isinstance(full, dict) or not sharded.get("notices"))   # over the bounds: answered differently, on purpose
    assert_same(both, q)


@given(data=st.data())
@SETTINGS
def test_generated_queries_score_as_the_full_index_100(small, data):
    _check(small, data.draw(queries(_terms(small))))


@given(data=st.data())
@settings(SETTINGS, max_examples=40)
def test_generated_queries_score_as_the_full_index_1000(large, data):
    _check(large, data.draw(queries(_terms(large))))


@given(data=st.data())
@SETTINGS
def test_terms_cut_over_several_shards_score_as_the_full_index(split, data):
    _check(split, data.draw(queries(_terms(split))))


@given(data=st.data())
@SETTINGS
def test_documents_numbered_by_date_score_as_the_full_index(dated, data):
    _check(dated, data.draw(queries(_terms(dated))))


def test_only_prohibited_terms_rank_every_document_numbered_by_date(dated):
    sharded = assert_same(dated, "-" + _terms(dated)[len(_terms(dated)) // 2])
    assert 0 < len(sharded["hits"]) < 120


def test_documents_are_numbered_by_date_with_room_for_a_back_filled_one():
    day = dt.date(2020, 5, 17)
    numbers = doc_numbers([(day, "a"), (day, "b"), (day + dt.timedelta(days=2), "c")])
    assert [n // PER_DAY for n in numbers] == [day.toordinal(), day.toordinal(), day.toordinal() + 2]
    assert len(set(numbers)) == 3
    # Episodes back-filled before, between and on the days of others leave their numbers as they were.
    for extra in [(dt.date(1899, 3, 1), "old"), (day + dt.timedelta(days=1), "x"), (day, "0"), (day, "zz")]:
        assert set(numbers) < set(doc_numbers([(day, "a"), (day, "b"), (day + dt.timedelta(days=2), "c"), extra]))
    # A day with more episodes than places: numbered by date and slug, from 0.
    crowded = [(day, f"e{i:02d}") for i in range(PER_DAY + 1)] + [(dt.date(1, 1, 1), "first")]
    assert doc_numbers(crowded) == [*range(1, PER_DAY + 2), 0]
    assert doc_numbers([(dt.date(9999, 12, 31), "last")])[0] < 2 ** 53 // 3   # keys stay exact in JavaScript


def test_a_term_larger_than_a_shard_is_cut_into_pieces_of_its_own(split):
    pieces = [s for s in split.manifest["shards"] if s[0] == s[1]]
    counts = {}
    for first, _, _ in pieces:
        counts[first] = counts.get(first, 0) + 1
    common = max(counts, key=counts.get)
    assert counts[common] >= 3
    sharded = assert_same(split, common)
    assert len(sharded["fetched"]) == counts[common] + 1   # and the field lengths


def test_seed_queries_score_as_the_full_index(seeds):
    for q in QUERIES + ["putin belarus lukashenko", "-putin -belarus", "*ation", "luka*", "+putin title:sco"]:
        assert_same(seeds, q)


def test_only_prohibited_terms_rank_every_other_episode(large):
    sharded = assert_same(large, "-" + _terms(large)[len(_terms(large)) // 2])
    assert 0 < len(sharded["hits"]) < 1000


def test_terms_in_different_shards_fetch_only_their_shards(large):
    terms = _terms(large)
    a, b = terms[10], terms[-10]
    shards = large.manifest["shards"]
    assert next(i for i, s in enumerate(shards) if s[0] <= a <= s[1]) != \
        next(i for i, s in enumerate(shards) if s[0] <= b <= s[1])
    assert len(assert_same(large, f"{a} {b}")["fetched"]) == 3   # and the field lengths


def test_typing_matches_the_stems_of_the_word_so_far(seeds):
    # "escalat" is stemmed "escal": typed, it finds "escalation" and "escalating".
    full, complete = seeds.ask("escalat")
    assert complete["hits"] == [] == full
    typed = assert_same(seeds, "escalat", typing=True)
    assert typed["hits"]


@pytest.mark.parametrize("q, notice", [("pneumonoultramicroscopic~5", False), ("a" + "." * 1000 + "*", False),
                                        ("*a*", True), ("b*", True), ("*e~2", True)])
def test_queries_over_the_bounds_answer_from_a_few_shards_with_a_notice(large, q, notice):
    _, sharded = large.ask(q)
    assert "error" not in sharded
    assert len(sharded["fetched"]) <= 6   # the term list, the lengths and at most MAX_TERM_SHARDS shards
    assert bool(sharded["notices"]) == notice, sharded["notices"]


def test_shards_are_sized_by_postings_and_named_by_content():
    docs = corpus_docs(30, 500)
    compact = build_index(docs)
    metas = [EpisodeMeta(f"episodes/{d.ref}.html", d.title, "Show", "1 Jan 2020", 2018 + i // 10)
             for i, d in enumerate(docs)]
    files = shard_files(compact, metas, 300)
    manifest = json.loads(files[json.loads(files["latest.json"])["manifest"]])
    sizes = []
    for i, (first, last, _) in enumerate(manifest["shards"]):
        shard = json.loads(files[shard_name(manifest, i)])
        assert shard["t"][0] == first and shard["t"][-1] == last
        sizes.append(sum(len(row) // 2 for row in shard["p"]))
        assert sizes[-1] <= 300 or first == last
    assert len(manifest["shards"]) == len([name for name in files if name.startswith("shard-")]) > 3
    assert 100 < sum(sizes) / len(sizes) <= 300
    assert manifest["years"] == [[2018, 0, 9], [2019, 10, 19], [2020, 20, 29]]
    assert shard_files(compact, metas, 300) == files
