"""Topics: the people, places and organisations an episode talks about,
found from capitalisation alone (no network, no downloaded model).

Heuristics, in the order they apply:
- a candidate is a run of capitalised words inside a sentence ("Xi Jinping",
  "Bank of England") or an acronym anywhere (NATO, SCO);
- a capitalised word that starts a sentence counts only if the same word is
  also capitalised mid-sentence somewhere in the episode (so "Well" and
  "Interestingly" never count, "Putin" does);
- filler is left out: common words, interjections, pronouns, days, months,
  nationality adjectives (Russian, Chinese) and the show's own name;
- a name used only to address someone ("All right, Alexander.") is not a
  topic: such mentions do not count, and a name mentioned only that way is
  dropped;
- a short form and a long form of one name are merged into the more frequent
  one ("Vladimir Putin" x2 + "Putin" x40 -> "Putin");
- a topic needs at least two mentions; the most mentioned come first.
"""
from __future__ import annotations

import functools
import re
from itertools import accumulate, chain, compress, count
from operator import not_

from generator.paragraphs import sentences

MIN_MENTIONS = 2

_FILLER = frozenset("""
a an the and or but so if then than that this these those there here where when what why how who whom
which while well yes yeah yep no nope not okay ok oh ah uh um hmm wow hey hi hello right alright all
i i'm i've i'd i'll me my mine we we're we've we'll us our you you're you've your he he's she she's it
it's its they they're them their let's let look listen see now today tomorrow yesterday also just
indeed absolutely exactly sure thank thanks please good great fine sorry true maybe perhaps anyway
interestingly obviously basically actually really certainly clearly of course in on at to for from
with by about as is are was were be been being do does did done have has had will would can could
should shall may might must one two three four five six seven eight nine ten first second third
last next many much more most some any every each both either neither nobody everyone someone
something everything nothing mister sir madam lady gentlemen ladies folks guys everybody
monday tuesday wednesday thursday friday saturday sunday january february march april june july
august september october november december god lord music applause laughter end part episode video
podcast show channel link description box merch merchandise shop code take care bye goodbye
western eastern northern southern
""".split())
# Nationality adjectives whose endings the pattern below does not catch.
_IRREGULAR_DEMONYMS = frozenset("""
french dutch greek thai swiss soviet arab czech welsh scots israeli iraqi pakistani bangladeshi yemeni
kuwaiti qatari emirati omani somali nepali azerbaijani uzbek kazakh tajik turkmen kyrgyz afghan
""".split())
_DEMONYM = re.compile(r".{3,}(?:ian|ean|ese|ish|ican|ans)$", re.IGNORECASE)
_ACRONYM = re.compile(r"[A-Z]{2,6}s?")
_EDGE = "\"'“”‘’()[]{}<>.,;:!?…*_—–-"
_POSSESSIVE = re.compile(r"['’]s$")
_NAME_PARTS = re.compile(r"[\w']+")
_SHOW_WORDS = re.compile(r"\w+")


def _strip(word: str) -> str:
    token = word.strip(_EDGE)
    # Only a token ending in 's' (or in 's' and a newline, as '$' allows) can be possessive.
    return _POSSESSIVE.sub("", token) if token.endswith(("s", "s\n")) else token


def _capitalised(token: str) -> bool:
    return bool(token) and token[0].isupper() and any(map(str.islower, token[1:])) \
        and not any(map(str.isdigit, token))


def _is_acronym(token: str) -> bool:
    return bool(_ACRONYM.fullmatch(token))


def _is_filler(name: str, show_words: frozenset[str], ignore: frozenset[str]) -> bool:
    low = name.lower()
    if low in ignore:
        return True
    words = low.split()
    # Split at hyphens too, as show_words is: "Made-Up Radio" is the show, not a topic.
    if not set(_NAME_PARTS.findall(low)).difference(_FILLER, show_words):
        return True
    if len(words) != 1 or _is_acronym(name):
        return False
    return low in _IRREGULAR_DEMONYMS or bool(_DEMONYM.fullmatch(name))


@functools.lru_cache(maxsize=1 << 16)
def _kind(name: str, show_words: frozenset[str], ignore: frozenset[str]) -> tuple[bool, bool]:
    """(filler?, acronym?), remembered: the same names recur all through an archive."""
    return _is_filler(name, show_words, ignore), _is_acronym(name)


_TOKENS: dict[str, tuple[str, bool, bool, bool, bool]] = {}


def _token(word: str) -> tuple[str, bool, bool, bool, bool]:
    """(the word without punctuation, capitalised?, acronym?, may a name run
    on past it?, does it close a clause?), remembered: the same words recur
    all through an archive."""
    info = _TOKENS.get(word)
    if info is None:
        if len(_TOKENS) > 1 << 18:
            _TOKENS.clear()
        token = _strip(word)
        info = _TOKENS[word] = (token, _capitalised(token), _is_acronym(token), word[-1:].isalnum(),
                                word[-1:] in ",.?!")
    return info


def _name_run(words: list[str], i: int, lasts: set[int]) -> tuple[list[str], int]:
    """The tokens of the capitalised run starting at word i, and its last word's index.

    A run continues across plain spaces only, and across a lower-case 'of';
    never past the end of its sentence."""
    run = [_token(words[i])[0]]
    j = i
    while j not in lasts and words[j][-1:].isalnum():
        following = words[j + 1]
        if following.islower():   # no capital letter: not a name, though maybe 'of'
            if following == "of" and j + 1 not in lasts and _token(words[j + 2])[1]:
                run += "of", _token(words[j + 2])[0]
                j += 2
                continue
            break
        nxt, capitalised, acronym, _, _ = _token(following)
        if not (capitalised or acronym):
            break
        run.append(nxt)
        j += 1
    return run, j


def _mentions(spoken: list[list[str]]) -> list[tuple[str, bool, bool]]:
    """(name, sentence_initial, vocative) for each capitalised run, in order.

    This sees every word of every transcript, so it works on the episode's
    words as one list: the words that may start a name are found by C-level
    iteration, sentence edges are sets of positions, and the common case of
    a one-word name is settled without building a run.
    """
    words = list(chain.from_iterable(spoken))
    ends = list(accumulate(map(len, spoken)))
    firsts = {0, *ends}                  # each sentence's first word
    lasts = {end - 1 for end in ends}    # and its last: a run never crosses it
    tokens = _TOKENS
    out = []
    resume = 0
    # A word with no capital letter (islower) can never start a name.
    for i in compress(count(), map(not_, map(str.islower, words))):
        if i < resume:
            continue
        word = words[i]
        token, capitalised, acronym, runs_on, closes_clause = tokens.get(word) or _token(word)
        if not (capitalised or acronym):
            continue
        if runs_on and i not in lasts and (not words[i + 1].islower() or words[i + 1] == "of"):
            run, j = _name_run(words, i, lasts)
            if j > i:
                # Leading filler ("So Putin", "The Kremlin") is not part of the name.
                lead = 0
                while lead < len(run) - 1 and run[lead].lower() in _FILLER:
                    lead += 1
                out.append((" ".join(run[lead:]), lead == 0 and i in firsts, False))
                resume = j + 1
                continue
        vocative = False
        # A lone name closing a clause may only be someone addressed: "All right, Alexander."
        if closes_clause:
            if i in firsts:
                vocative = True
            elif words[i - 1].endswith(","):
                prev, prev_capitalised, _, _, _ = _token(words[i - 1])
                vocative = prev.lower() in _FILLER or not prev_capitalised
        out.append((token, i in firsts, vocative))
    return out


def extract_topics(text: str, show: str = "", limit: int = 12, ignore: tuple[str, ...] = (),
                   spoken: list[list[str]] | None = None) -> list[str]:
    """The episode's topics, most mentioned first, at most ``limit``.

    ``spoken`` is ``sentences(text.split())`` if the caller already has it."""
    show_words = frozenset(w.lower() for w in _SHOW_WORDS.findall(show))
    ignore_set = frozenset(w.lower() for w in ignore)
    counts: dict[str, int] = {}     # mentions that count, in order of the first one
    initial: dict[str, int] = {}    # mentions as a sentence's first word, counted later
    first_seen: dict[str, int] = {}
    kinds: dict[str, tuple[bool, bool]] = {}   # _kind of each name, looked up once per episode
    for name, at_start, vocative in _mentions(sentences(text.split()) if spoken is None else spoken):
        kind = kinds.get(name)
        if kind is None:
            kind = kinds[name] = _kind(name, show_words, ignore_set)
        if kind[0]:
            continue
        first_seen.setdefault(name, len(first_seen))
        if vocative:
            continue
        if at_start and not kind[1]:
            initial[name] = initial.get(name, 0) + 1
        else:
            counts[name] = counts.get(name, 0) + 1
    # A capitalised sentence-initial word counts only if it is also capitalised mid-sentence.
    for name, n in initial.items():
        if name in counts:
            counts[name] += n
    _merge_forms(counts)
    ranked = sorted((n, -first_seen[name], name) for name, n in counts.items() if n >= MIN_MENTIONS)
    return [name for _, _, name in reversed(ranked)][:limit]


def _merge_forms(counts: dict[str, int]) -> None:
    """Fold 'Vladimir Putin' into 'Putin' (or the reverse) when one contains the other."""
    for long in sorted((n for n in counts if " " in n), key=len, reverse=True):
        words = long.split()
        for short in (words[-1], words[0]):
            if short in counts and short != long and long in counts:
                if counts[short] >= counts[long]:
                    counts[short] += counts.pop(long)
                else:
                    counts[long] += counts.pop(short)
