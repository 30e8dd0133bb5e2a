"""Property tests for the front-matter loader: whatever a page under content/
holds, loading it gives an Episode or a ContentError naming the file and a
line inside it, never a traceback that stops the build; and a page the
importer writes loads back with the same words.

`HYPOTHESIS_PROFILE=long` (see conftest.py) runs these far longer.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from hypothesis import currently_in_test_context, event, example, given
from hypothesis import strategies as st

from bench import removed_tricks
from generator.content import Episode, episode_meta, load_episode, page_text, parse_episode
from generator.errors import ContentError
from generator.text import one_line
from tests.site_support import REPO

# A real imported page: the mangling below starts from what users actually have.
SEED_PAGE = (REPO / "content/episodes/putin-lukashenko-prepare-for-nato-escalation.md").read_text(encoding="utf-8")
SEED_FRONT, SEED_BODY = re.fullmatch(r"---\n(.*?\n)---\n(.*)", SEED_PAGE, re.S).groups()

# Values that mean something to YAML, to Python's date and int types, or to the loader.
HOSTILE_VALUES = [
    "---", "...", "--- !!map", ": ", "key: value", "a: b: c", "&anchor", "*alias", "&a x", "*a", "&a [*a]",
    "<<: *a", "<<: 5", "!!python/object:os.system", "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system", "!!binary aGVsbG8=", "!!binary '%%%'", "!!set {a, b}", "!!omap [a: 1]",
    "!!int x", "!!float x", "!!timestamp x", "!<tag:yaml.org,2002:str> x", "!local x", "%YAML 1.1",
    "\t", "\tindented", "x\ty", "[" * 2000, "[" * 2000 + "]" * 2000, "{a: " * 500 + "}" * 500,
    "9" * 5000, "-" + "9" * 5000, "1e999", "-.inf", ".nan", "0x1F", "0o17", "0b101", "1_000", "190:20:30",
    "2024-02-30", "2024-13-01", "0000-01-01", "9999-12-31", "2024-05-25 25:00:00", "2024-05-25T10:00:00+99:00",
    "2024-05-25t10:00:00.1234567890z", "someday", "32 May 2024", "yes", "no", "null", "~", "''", '""',
    '"\\ud800"', '"\\x00"', '"\\U0010FFFF"', "'unclosed", '"unclosed', "|", ">-", "|+\n  kept", "- a", "- - a",
    "? complex", "? [a, b]\n: c", "# comment", "@", "`", "\x00", "\x1b[31m", "\u2028", "\x85", "\ufeff", "\r",
    "\u202e", "[a, b]", "{a: 1}", "[", "{", "}", "]", ",", "../../etc/passwd", "C:\\x", "/abs",
    # Aliases, depth, surrogates and tags (issue 15): refused, on their line.
    '"\\udfff"', '"a\\ud83d b"', "'\\ud800'", "[" * 21 + "]" * 21, "{a: " * 21 + "1" + "}" * 21, "&x [1, *x]",
    "[&y a, *y, *y]", "!!set {a}", "!<!> x", "!!str &z x", "*undefined", "!!python/object/new:os.system [x]",
    "- - - - - - - - - - - - - - - - - - - - - - x",
]
KEYS = ["title", "show", "date", "duration", "audio_format", "description", "slug", "topics", "source",
        "file", "sha256", "page_sha256", "<<", "? title", "title ", "Title", "- title"]


def _lines_in(data: bytes) -> int:
    """Lines a user's editor may show for the file (the most generous count)."""
    return max(1, len(data.decode("utf-8", errors="replace").splitlines()) + 1)


def _event(name: str) -> None:
    if currently_in_test_context():  # see --hypothesis-show-statistics
        event(name)


def assert_episode_or_located_error(path, data: bytes) -> Episode | None:
    path.write_bytes(data)
    try:
        episode = load_episode(path)
    except ContentError as err:
        assert err.path == str(path)
        assert isinstance(err.line, int) and not isinstance(err.line, bool), f"no line: {err}"
        assert 1 <= err.line <= _lines_in(data), f"line {err.line} is outside the file: {err}"
        assert err.message and str(err) == f"{path}:{err.line}: {err.message}"
        _event("error: " + re.sub(r"'.*?'|\d+", "...", err.message.split(" (")[0].split(":")[0]))
        return None
    assert isinstance(episode, Episode)
    # What the pages and feeds show is one line of text.
    for value in (episode.title, episode.show, episode.description, *episode.topics):
        assert isinstance(value, str) and value == one_line(value)
    assert episode.title and isinstance(episode.date, dt.date) and episode.duration >= 0
    _event("episode")
    return episode


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    """One file that every example rewrites (hypothesis would share a function-scoped one anyway)."""
    return tmp_path_factory.mktemp("fuzz") / "page.md"


@given(st.binary(max_size=2000))
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"---\ntitle: Caf\xe9\ndate: 2024-05-25\n---\n")  # Windows-1252, as an old editor saves it
@example(b"---\ntitle: A\ndate: 2024-05-25\n---\n\nBody with \xff in line six.\n")
def test_any_bytes_give_an_episode_or_a_located_error(page_path, data):
    assert_episode_or_located_error(page_path, data)


@given(st.text(max_size=2000))
def test_any_text_as_front_matter_gives_an_episode_or_a_located_error(page_path, text):
    assert_episode_or_located_error(page_path, f"---\n{text}\n---\n\nSome words.\n".encode("utf-8"))


@st.composite
def mangled_seed_page(draw) -> bytes:
    """The seed page's front matter with lines replaced, inserted, dropped or
    re-indented, values swapped for YAML syntax or random text."""
    value = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30),
                      st.lists(st.sampled_from(HOSTILE_VALUES), min_size=2, max_size=4).map(" ".join))
    lines = SEED_FRONT.splitlines()
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 2, 3, 6]))):
        i = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["value", "value", "insert", "drop", "indent", "key"]))
        if action == "insert" or i == len(lines):
            lines.insert(i, f"{draw(st.sampled_from(KEYS))}: {draw(value)}")
        elif action == "value":
            key = lines[i].partition(":")[0] if ":" in lines[i] else lines[i]
            lines[i] = f"{key}: {draw(value)}"
        elif action == "drop":
            del lines[i]
        elif action == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "\t", "- "])) + lines[i]
        else:
            lines[i] = draw(st.sampled_from(KEYS)) + lines[i][lines[i].find(":"):]
    if draw(st.booleans()):   # past _FAST_LIMIT: the pure-Python parser reads it
        lines.insert(draw(st.integers(0, len(lines))), "notes: " + "padding " * 1300)
    body = draw(st.sampled_from([SEED_BODY, "", "---\n", "\n---\ntitle: second\n---\n"]))
    return ("---\n" + "\n".join(lines) + "\n---\n" + body).encode("utf-8")


@st.composite
def alias_bomb(draw) -> tuple[bytes, int]:
    """A page whose front matter builds ``levels`` of ``width`` aliases on
    one key, placed among the seed page's lines: (page, the line of the first alias)."""
    levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    key = draw(st.sampled_from(KEYS[:8] + ["anchors"]))
    flow = draw(st.booleans())
    anchors = [f"&l0 [{', '.join(['lol'] * width)}]"]
    anchors += [f"&l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    if flow:
        bomb = [f"{key}: [{', '.join(anchors)}, *l{levels - 1}]"]
    else:
        bomb = [f"{key}:"] + [f"- {a}" for a in anchors] + [f"- *l{levels - 1}"]
    blocks: list[list[str]] = []   # each key with the list or mapping under it
    for line in SEED_FRONT.splitlines():
        if line[:1] in "- " and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    blocks = [block for block in blocks if not block[0].startswith(key + ":")]
    blocks.insert(draw(st.integers(0, len(blocks))), bomb)
    lines = [line for block in blocks for line in block]
    if draw(st.booleans()):
        lines.insert(0, "notes: " + "padding " * 1300)
    first = next(i for i, line in enumerate(lines) if "*l" in line) + 2
    return ("---\n" + "\n".join(lines) + "\n---\n" + SEED_BODY).encode("utf-8"), first


@given(alias_bomb())
def test_any_alias_is_refused_on_its_line_before_it_expands(page_path, case):
    data, line = case
    assert assert_episode_or_located_error(page_path, data) is None
    with pytest.raises(ContentError) as caught:
        load_episode(page_path)
    assert caught.value.line == line and "alias" in caught.value.message, caught.value


@given(depth=st.integers(21, 3000), style=st.sampled_from(["[", "{a: ", "block"]), long=st.booleans())
def test_any_nesting_past_the_limit_is_refused(page_path, depth, style, long):
    if style == "block":
        value = "\n" + "".join("  " * i + "-\n" for i in range(min(depth, 200)))
    else:
        value = style * depth + "x" * (style != "[") + ("]" if style == "[" else "}") * depth
    padding = "notes: " + "padding " * 1300 + "\n" if long else ""
    data = f"---\n{padding}title: Deep\ndate: 2024-05-25\ntopics: {value}\n---\n\nWords.\n".encode()
    assert assert_episode_or_located_error(page_path, data) is None
    with pytest.raises(ContentError) as caught:
        load_episode(page_path)
    assert "deep" in caught.value.message, caught.value


@given(mangled_seed_page())
def test_mangled_front_matter_gives_an_episode_or_a_located_error(page_path, data):
    assert_episode_or_located_error(page_path, data)


# Each of these gets past YAML's syntax check and then fails in Python (a
# date or int that cannot exist, a value too deep to print in a message);
# none may stop the whole build with a traceback.
DEEP = "[" * 1500 + "]" * 1500


@pytest.mark.parametrize("line", [
    "date: 2024-02-30",
    "date: 2024-05-25 25:00:00",
    "date: 0000-01-01",
    "date: 2024-05-25T10:00:00+99:00",
    "date: !!timestamp someday",
    pytest.param(f"date: {DEEP}", id="date: deeply nested list"),
    pytest.param(f"slug: {DEEP}", id="slug: deeply nested list"),
    pytest.param("duration: " + "9" * 5000, id="duration: 5000 digits"),
    pytest.param("title: " + "9" * 5000, id="title: 5000 digits"),
    "show: !!int x",
    "audio_format: !!float x",
    "topics: [2024-02-31]",
])
def test_values_python_cannot_hold_are_located_errors_not_crashes(page_path, line):
    key, _, value = line.partition(": ")
    fields = {"title": "A made-up title", "date": "2024-05-25", key: value}
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n\nWords.\n"
    key_line = 2 + list(fields).index(key)
    episode = assert_episode_or_located_error(page_path, text.encode("utf-8"))
    if key == "date":
        assert episode is None, "an impossible date was accepted"
    if episode is None:
        with pytest.raises(ContentError) as caught:
            load_episode(page_path)
        # The line the value is on, not just somewhere in the front matter.
        assert caught.value.line == key_line, caught.value


@pytest.mark.parametrize("title", ["\u00a0", '"\\a\\x1b"', '" \\t "', "\u2028"],
                         ids=["no-break space", "control characters", "quoted spaces", "line separator"])
def test_a_title_with_nothing_to_show_is_missing(page_path, title):
    # Pages, feeds and the browser tab would show an empty heading.
    text = f"---\ntitle: {title}\ndate: 2024-05-25\n---\n\nWords.\n"
    assert assert_episode_or_located_error(page_path, text.encode("utf-8")) is None
    with pytest.raises(ContentError) as caught:
        load_episode(page_path)
    assert caught.value.line == 2 and "title" in caught.value.message


def test_deeply_nested_front_matter_is_a_located_error_not_a_crash(tmp_path):
    # Run apart: if the YAML parser overflows the C stack it kills the process, not this test run.
    path = tmp_path / "deep.md"
    path.write_text("---\ntitle: A\ndate: 2024-05-25\ntopics: " + "[" * 60_000 + "]" * 60_000 + "\n---\n")
    code = ("import sys; from pathlib import Path; from generator.content import load_episode\n"
            "from generator.errors import ContentError\n"
            "try: load_episode(Path(sys.argv[1]))\n"
            "except ContentError as e: print(e.line)")
    run = subprocess.run([sys.executable, "-c", code, str(path)], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, f"loading crashed the process (status {run.returncode}): {run.stderr[-500:]}"
    assert run.stdout.strip() in {"2", "4"}, run.stdout + run.stderr[-500:]


# Round trip: what the importer writes is what the site shows.
_any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@given(title=_any_text.filter(lambda t: one_line(t) != ""), show=_any_text, description=_any_text,
       topics=st.lists(_any_text, max_size=6))
@example(title="yes", show="null", description="YES", topics=["2024-05-25", "~", "- a", "&a", "*a"])
@example(title="Line one\nline two", show="  padded\t", description="line one LINE two", topics=["a\n---"])
@example(title="x\npage_sha256: " + "a" * 64, show="", description="", topics=[])
@example(title="\x85\u2028\ufeff title", show="\x00\x1b", description="---", topics=["\r\n", "..."])
def test_a_written_page_loads_back_with_the_same_words(page_path, title, show, description, topics):
    meta = episode_meta(title, show, dt.date(2024, 5, 25), 1440, "mp3", description, "made-up-slug", topics,
                        "made_up.txt", "ab" * 32)
    page_path.write_text(page_text(meta, ["Some words.", "More words."]), encoding="utf-8")
    episode = load_episode(page_path)
    assert episode.title == one_line(title)
    assert episode.show == one_line(show)
    expected_description = one_line(description)
    if expected_description.casefold() == one_line(title).casefold():
        expected_description = ""  # the loader drops a description that only repeats the title
    assert episode.description == expected_description
    assert episode.topics == tuple(dict.fromkeys(one_line(t) for t in topics if one_line(t)))
    assert episode.slug == "made-up-slug" and episode.date == dt.date(2024, 5, 25)


# Pages imported before session 7 were written by a hand-written front matter
# emitter (bench/removed_tricks.py) wherever it was sure of the dumper's
# output: the importer must now write those very pages, fingerprint and all.
_paragraph = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
# Mostly text the old emitter handled itself, so that is what gets compared.
_printable = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")),
                     max_size=30)
_meta_text = st.one_of(_printable, _printable, _printable, st.sampled_from(HOSTILE_VALUES), _any_text)


@given(title=_meta_text.filter(lambda t: one_line(t) != ""), show=_meta_text, description=_meta_text,
       topics=st.lists(_meta_text, max_size=6), duration=st.integers(0, 10**6),
       paragraphs=st.lists(_paragraph, min_size=1, max_size=4))
@example(title="yes", show="null", description="YES", topics=["2024-05-25", "~", "- a", "&a", "*a"], duration=0,
         paragraphs=["---", "a\r\nb"])
@example(title="Plain title", show="Show", description="", topics=["NATO"], duration=5400,
         paragraphs=["Words.", "More words."])
def test_the_page_imported_is_the_one_the_old_emitter_wrote(title, show, description, topics, duration,
                                                            paragraphs):
    meta = episode_meta(title, show, dt.date(2024, 5, 25), duration, "mp3", description, "made-up-slug", topics,
                        "made_up.txt", "ab" * 32)
    path = REPO / "content/episodes/made-up-slug.md"   # never written: only named
    old, episode = removed_tricks.imported_page(meta, paragraphs, path)
    event("the old emitter wrote it" if episode else "the old importer used the dumper too")
    assert page_text(meta, paragraphs) == old
