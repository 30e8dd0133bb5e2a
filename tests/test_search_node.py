"""The browser's half of search, run under node: lunr.js 2.3.9 with
generator/assets/*.js loads the compact index and answers as lunr.py does.

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

from generator.search import INDEX_PIPELINE, SearchDoc, build_index, expand_index, load_index, stem, to_json
from tests.search_support import MADE_UP, QUERIES, by_term, ranking, seed_docs

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
    return seed_docs() + MADE_UP


@pytest.fixture(scope="module")
def compact(docs):
    return build_index(docs)


@pytest.fixture(scope="module")
def index_file(compact, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("search") / "index.json"
    path.write_text(to_json(compact), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def js_results(node, index_file):
    return run(node, "search", index_file, data=QUERIES)


@pytest.mark.parametrize("query", QUERIES)
def test_lunr_js_ranks_as_lunr_py(compact, js_results, query):
    python = load_index(compact).search(query)
    assert ranking(js_results[query]) == ranking(python)
    assert [score for _, score in js_results[query]] == pytest.approx([r["score"] for r in python])


def test_lazy_loading_answers_as_lunr_index_load(node, index_file, js_results):
    assert run(node, "search-expanded", index_file, data=QUERIES) == js_results


@pytest.mark.parametrize("query", ["erdogan", "Erdogan", "Erdoğan", "kyiv", "Kyiv", "KYÏV"])
def test_accents_do_not_matter_in_the_browser(js_results, query):
    assert "a" in {ref for ref, _ in js_results[query]}


def test_js_expands_the_index_as_python_does(node, compact, index_file):
    js, python = by_term(run(node, "expand", index_file)), by_term(expand_index(compact))
    assert js[:4] == python[:4]
    # lunr.js rounds vector elements half up, Python half to even.
    assert [ref for ref, _ in js[4]] == [ref for ref, _ in python[4]]
    for (_, a), (_, b) in zip(js[4], python[4]):
        assert a.keys() == b.keys()
        assert all(abs(a[term] - b[term]) <= 0.0011 for term in a)


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
    path = tmp_path / "index.json"
    path.write_text(to_json(compact), encoding="utf-8")
    got = run(node, "search", str(path), data=["title", "-title"])
    for query in ("title", "-title"):
        assert ranking(got[query]) == ranking(load_index(compact).search(query))
