"""Topics: the names an episode is about, without the filler around them."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.topics import _EDGE, _mentions, _strip, extract_topics
from generator.transcript import read_transcript

SEEDS = ["000_c076a2ace7a3298f.txt", "003_016b23e006a442db.txt"]
SHOW = "Made-Up Radio"


@pytest.fixture(scope="module")
def seed_topics(seeds_dir) -> dict[str, list[str]]:
    """Every topic the seeds yield, not only the first dozen written to a page."""
    out = {}
    for seed in SEEDS:
        t = read_transcript(seeds_dir / seed)
        out[seed] = extract_topics(t.text, t.show, limit=100)
    return out


def test_seed_pages_name_what_the_episodes_are_about(seeds_dir):
    on_pages = set()
    for seed in SEEDS:
        t = read_transcript(seeds_dir / seed)
        on_pages |= set(extract_topics(t.text, t.show, limit=12))
    assert {"Putin", "Lukashenko", "Belarus", "NATO", "SCO", "Kazakhstan"} <= on_pages


def test_each_seed_leads_with_its_own_subject(seed_topics):
    nato, sco = seed_topics[SEEDS[0]], seed_topics[SEEDS[1]]
    assert {"Putin", "Lukashenko", "Belarus", "NATO"} <= set(nato[:12])
    assert {"Belarus", "SCO", "Kazakhstan"} <= set(sco[:5])


@pytest.mark.parametrize("word", [
    "Alexander",                                             # only ever addressed: "All right, Alexander."
    "Duran", "The Duran", "Duran Podcast",                   # the show's own name
    "So", "Well", "Okay", "Yes", "Interestingly", "All", "Let's", "Now", "Obviously", "Firstly", "I",
    "Russian", "American", "Ukrainian", "Chinese", "European", "Soviet", "Eurasian",  # adjectives
])
def test_seed_topics_leave_out_filler(seed_topics, word):
    for seed, topics in seed_topics.items():
        assert word not in topics, seed


def test_a_name_only_addressed_is_not_a_topic():
    text = ("All right, Alexander. Let's talk about Freedonia. Freedonia is big. Okay, Alexander, what now? "
            "Well, Alexander, Freedonia again. Thank you, Alexander.")
    assert extract_topics(text, SHOW) == ["Freedonia"]


def test_a_name_also_talked_about_is_a_topic():
    text = ("All right, Alexander. I agree with Alexander on Freedonia. And Alexander said Freedonia "
            "would win. Thank you, Alexander.")
    assert set(extract_topics(text, SHOW)) == {"Alexander", "Freedonia"}


def test_sentence_initial_capitals_are_not_names():
    text = "So the talks went on. Well, they did. Interestingly, nobody came. So it goes. Interestingly enough."
    assert extract_topics(text, SHOW) == []


def test_a_name_at_sentence_starts_counts_once_seen_mid_sentence():
    assert extract_topics("Freedonia is big. Freedonia is small.", SHOW) == []
    assert extract_topics("Freedonia is big. Freedonia is small. We like Freedonia.", SHOW) == ["Freedonia"]


def test_the_show_name_is_not_a_topic_even_hyphenated():
    text = "Welcome to Made-Up Radio. We love Made-Up Radio. Radio is great, says Radio Ruritania and Ruritania."
    assert extract_topics(text, SHOW) == ["Ruritania"]


def test_nationality_adjectives_are_not_topics_but_countries_are():
    text = ("The Ruritanian army met the Freedonian army. The Ruritanian navy stayed home. We flew to "
            "Ruritania and the French met us in Ruritania, then the French left.")
    assert extract_topics(text, SHOW) == ["Ruritania"]


def test_acronyms_count_even_at_sentence_start():
    assert extract_topics("NATO met. SCO met. Then NATO and the SCO talked.", SHOW) == ["NATO", "SCO"]


def test_multi_word_names_stay_whole_and_merge_with_their_short_form():
    text = ("Rufus Firefly spoke in the Bank of Freedonia. We met Firefly there. Then Firefly left the "
            "Bank of Freedonia. We heard Rufus Firefly again, and Firefly sat.")
    assert extract_topics(text, SHOW) == ["Firefly", "Bank of Freedonia"]


def test_a_single_mention_is_not_a_topic():
    assert extract_topics("We went to Freedonia and then to Ruritania and Ruritania.", SHOW) == ["Ruritania"]


def test_most_mentioned_first_and_at_most_limit():
    text = " ".join(["We saw Zenda."] * 2 + ["We saw Fenwick."] * 4 + ["We saw Ruritania."] * 3)
    assert extract_topics(text, SHOW) == ["Fenwick", "Ruritania", "Zenda"]
    assert extract_topics(text, SHOW, limit=2) == ["Fenwick", "Ruritania"]
    assert extract_topics(text, SHOW, limit=0) == []


def test_ignored_topics_are_left_out_whatever_their_case():
    text = " ".join(["We saw Zenda."] * 2 + ["We saw Fenwick."] * 4)
    assert extract_topics(text, SHOW, ignore=("fenwick",)) == ["Zenda"]


def test_possessives_count_as_the_name():
    assert extract_topics("We saw Freedonia's king and Freedonia’s queen.", SHOW) == ["Freedonia"]


_WORDS = ["Putin", "Putin's", "NATO", "SCO,", "of", "the", "The", "So", "Bank", "England.", "England,", "Alexander.",
          "Alexander,", "right,", "All", "Mr.", "e.g.", "42", "I", "—", "(Putin)", "“Putin”", "[Music]", "Russian",
          "Made-Up", "Radio.", "Ruritania", "Ruritania?", "freedonia", "ÉLAN", "Éire", "Ωmega", "ǅemal", "X1", "Xi",
          "Jinping.", "of.", "'s", "O'Brien", "EU's", "Monday", "Well,", "and", "we", "saw", "Stop.", "“Yes.”"]


@given(st.lists(st.lists(st.sampled_from(_WORDS) | st.text(min_size=1, max_size=4), max_size=12), max_size=12))
def test_names_are_read_sentence_by_sentence(spoken):
    # _mentions reads the whole episode as one list of words; a name must
    # still never run across a sentence end, and an empty sentence changes nothing.
    whole = _mentions(spoken)
    assert whole == [m for sentence in spoken for m in _mentions([sentence])]
    assert whole == _mentions([[], *spoken, []])


@given(st.text(alphabet=st.sampled_from("aS's’\n.\"-X"), max_size=8) | st.text(max_size=8))
def test_a_word_is_stripped_as_the_possessive_pattern_strips_it(word):
    # _strip runs the pattern only on a word that could end in a possessive.
    assert _strip(word) == re.sub(r"['’]s$", "", word.strip(_EDGE))
