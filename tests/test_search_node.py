"""The browser's half of search, run under node: lunr.js 2.3.9 with
generator/assets/*.js answers from the sharded index as lunr.py does.

Skipped without node or node_modules/lunr, except under CI, where that fails.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from lunr.pipeline import Pipeline
from lunr.token import Token

from generator.build import _base36
from generator.search import INDEX_PIPELINE, SearchDoc, build_index, load_index, stem
from tests.search_support import MADE_UP, QUERIES, ranking, seed_docs, write_shards

REPO = Path(__file__).resolve().parent.parent
RUNNER = REPO / "tests" / "search_node.js"
LUNR_JS = REPO / "node_modules" / "lunr" / "lunr.js"


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    missing = ("node is not on PATH" if path is None
               else f"{LUNR_JS.relative_to(REPO)} is missing (run npm ci)" if not LUNR_JS.exists() else None)
    if missing:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"CI must run the node search tests: {missing}", pytrace=False)
        pytest.skip(missing)
    return path


def run(node: str, *args: str, data=None):
    proc = subprocess.run([node, str(RUNNER), *args], input=None if data is None else json.dumps(data),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def docs():
    # Refs as the site numbers documents (base 36 of the position), which the shards imply.
    return [SearchDoc(format_ref(i), d.title, d.topics, d.paragraphs) for i, d in enumerate(seed_docs() + MADE_UP)]


def format_ref(i: int) -> str:
    return _base36(i)


@pytest.fixture(scope="module")
def compact(docs):
    return build_index(docs)


@pytest.fixture(scope="module")
def shard_dir(compact, tmp_path_factory) -> str:
    return write_shards(compact, tmp_path_factory.mktemp("search"))


@pytest.fixture(scope="module")
def js_results(node, shard_dir):
    return {q: found["hits"] for q, found in run(node, "sharded", shard_dir, data=QUERIES).items()}


@pytest.mark.parametrize("query", [q for q in QUERIES if '"' not in q])
def test_lunr_js_ranks_as_lunr_py(compact, js_results, query):
    python = load_index(compact).search(query)
    assert ranking(js_results[query]) == ranking(python)
    assert [score for _, score in js_results[query]] == pytest.approx([r["score"] for r in python])


@pytest.mark.parametrize("query", ["erdogan", "Erdogan", "Erdoğan", "kyiv", "Kyiv", "KYÏV"])
def test_accents_do_not_matter_in_the_browser(docs, js_results, query):
    erdogan = next(d.ref for d in docs if d.title == "Erdoğan in Kyïv")
    assert erdogan in {ref for ref, _ in js_results[query]}


def _vocabulary(docs) -> list[str]:
    words = {w for doc in docs for text in (doc.title, *doc.topics, *doc.paragraphs)
             for w in text.lower().replace("-", " ").split()}
    words |= set(json.loads((REPO / "node_modules/lunr/test/fixtures/stemming_vocab.json").read_text()))
    words |= {"Erdoğan", "KYÏV", "Київ", "Ελλάδα", "東京", "naïve", "ÆSIR", "straße", "İstanbul", "łódź",
              "’s", "---", "u.s.", "“quoted”", "(brackets)", "don't", "rock'n'roll's", "🙂", "smile🙂",
              "ﬁnance", "x²", "½", "café's", "Øresund", "yelled", "yyyy", "ÿes", "123", "1990s"}
    rng = random.Random(4)
    endings = ["", "s", "es", "ies", "ing", "ed", "eed", "y", "ly", "ness", "ational", "ization", "ful",
               "iveness", "ement", "ance", "ence", "ous", "ative", "alize", "ism", "iti", "ate", "ll"]
    for _ in range(20_000):
        stem_part = "".join(rng.choice("aeiouybcdlmnrstgzwx") for _ in range(rng.randint(1, 8)))
        words.add(stem_part + rng.choice(endings))
    return sorted(words)


def test_pipelines_agree_word_for_word(node, docs):
    words = _vocabulary(docs)
    pipeline = Pipeline()
    pipeline.add(*INDEX_PIPELINE)
    python = [next((str(t) for t in pipeline.run([Token(w.lower())])), None) for w in words]
    js = run(node, "words", data=[w.lower() for w in words])
    assert [(w, p) for w, p, j in zip(words, python, js) if p != j] == []


def test_stemmer_passes_lunr_js_own_fixture(node):
    vocab = json.loads((REPO / "node_modules/lunr/test/fixtures/stemming_vocab.json").read_text())
    assert {w: stem(w) for w in vocab} == vocab


def test_paragraph_terms_agree(node, docs):
    paragraphs = [p for doc in docs for p in doc.paragraphs]
    pipeline = Pipeline()
    pipeline.add(*INDEX_PIPELINE)
    python = [[str(t) for w in p.lower().replace("-", " ").split() for t in pipeline.run([Token(w)])]
              for p in paragraphs]
    assert run(node, "terms", data=paragraphs) == python


@pytest.mark.parametrize("docs", [[], [SearchDoc("0", "", (), ()), SearchDoc("1", "Only a title", (), ())]],
                         ids=["no documents", "empty fields"])
def test_edge_cases_load_in_lunr_js(node, tmp_path, docs):
    compact = build_index(docs)
    got = run(node, "sharded", write_shards(compact, tmp_path), data=["title", "-title"])
    for query in ("title", "-title"):
        assert ranking(got[query]["hits"]) == ranking(load_index(compact).search(query))


def test_a_snippet_marks_a_hit_word_without_its_punctuation(node):
    [found] = run(node, "snippet", data=[['He said "Belarus," twice.', ["belaru"]]])
    assert found["runs"] == [['He said "', False], ["Belarus", True], ['," twice.', False]]
    assert found["words"] == ["Belarus"]


def test_a_long_run_of_punctuation_in_a_hit_word_costs_linear_time(node):
    # "a....a" once backtracked into quadratic time, both in trimming the
    # word to its term and in marking it in the snippet.
    def paragraph(dots: int) -> tuple[str, str]:
        word = "a" + "." * dots + "a"
        return f"Before {word}, after.", word

    sizes = (50_000, 200_000)   # four times apart: linear is 4x, quadratic 16x
    texts = [paragraph(dots) for dots in sizes for _ in range(3)]
    terms = run(node, "terms", data=[word for _, word in texts])
    found = run(node, "snippet", data=[[text, hits] for (text, _), hits in zip(texts, terms)])
    for (text, word), result in zip(texts, found):
        assert [run_ for run_ in result["runs"] if run_[1]] == [[word, True]]
    small = sorted(r["ms"] for r in found[:3])[1]
    large = sorted(r["ms"] for r in found[3:])[1]
    # At most 8x, halfway between linear and quadratic (and the quadratic one was far slower).
    assert large <= 8 * max(small, 1.0), (small, large)
