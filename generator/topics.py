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
from collections import Counter

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


def _strip(word: str) -> str:
    return _POSSESSIVE.sub("", word.strip(_EDGE))


def _capitalised(token: str) -> bool:
    return bool(token) and token[0].isupper() and any(map(str.islower, token[1:])) \
        and not any(map(str.isdigit, token))


def _is_acronym(token: str) -> bool:
    return bool(_ACRONYM.fullmatch(token))


@functools.lru_cache(maxsize=1 << 16)
def _is_filler(name: str, show_words: frozenset[str], ignore: frozenset[str]) -> bool:
    low = name.lower()
    if low in ignore:
        return True
    words = low.split()
    # Split at hyphens too, as show_words is: "Made-Up Radio" is the show, not a topic.
    if all(w in _FILLER or w in show_words for w in re.findall(r"[\w']+", low)):
        return True
    if len(words) != 1 or _is_acronym(name):
        return False
    return low in _IRREGULAR_DEMONYMS or bool(_DEMONYM.fullmatch(name))


_TOKENS: dict[str, tuple[str, bool, bool]] = {}


def _token(word: str) -> tuple[str, bool, bool]:
    """(the word without punctuation, capitalised?, acronym?), remembered:
    the same words recur all through an archive."""
    info = _TOKENS.get(word)
    if info is None:
        if len(_TOKENS) > 1 << 18:
            _TOKENS.clear()
        token = _strip(word)
        info = _TOKENS[word] = (token, _capitalised(token), _is_acronym(token))
    return info


def _candidates(sentence: list[str]):
    """Yield (name, sentence_initial, vocative) for each capitalised run in a sentence."""
    resume = 0
    last = len(sentence) - 1
    # A word with no capital letter can never start a name; skipping those in
    # one pass matters, as this sees every word of every transcript.
    for i in [i for i, word in enumerate(sentence) if not word.islower()]:
        if i < resume:
            continue
        token, capitalised, acronym = _token(sentence[i])
        if not (capitalised or acronym):
            continue
        run = [token]
        j = i
        # A run continues across plain spaces only, and across a lower-case 'of'.
        while j < last and sentence[j][-1:].isalnum():
            nxt, capitalised, acronym = _token(sentence[j + 1])
            if capitalised or acronym:
                run.append(nxt)
                j += 1
            elif nxt == "of" and j + 1 < last and sentence[j + 1] == "of" and _token(sentence[j + 2])[1]:
                run.extend(["of", _token(sentence[j + 2])[0]])
                j += 2
            else:
                break
        # Leading filler ("So Putin", "The Kremlin") is not part of the name.
        lead = 0
        while lead < len(run) - 1 and run[lead].lower() in _FILLER:
            lead += 1
        name = " ".join(run[lead:])
        ends_clause = sentence[j][-1:] in ",.?!"
        vocative = False
        if len(run) == 1 and ends_clause:
            if i == 0:
                vocative = True
            elif sentence[i - 1].endswith(","):
                prev, prev_capitalised, _ = _token(sentence[i - 1])
                vocative = prev.lower() in _FILLER or not prev_capitalised
        yield name, i == 0 and lead == 0, vocative
        resume = j + 1


def extract_topics(text: str, show: str = "", limit: int = 12, ignore: tuple[str, ...] = (),
                   spoken: list[list[str]] | None = None) -> list[str]:
    """The episode's topics, most mentioned first, at most ``limit``.

    ``spoken`` is ``sentences(text.split())`` if the caller already has it."""
    show_words = frozenset(w.lower() for w in re.findall(r"\w+", show))
    ignore_set = frozenset(w.lower() for w in ignore)
    counts: Counter[str] = Counter()
    mid_sentence: set[str] = set()
    initial: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for sentence in sentences(text.split()) if spoken is None else spoken:
        for name, at_start, vocative in _candidates(sentence):
            if _is_filler(name, show_words, ignore_set):
                continue
            first_seen.setdefault(name, len(first_seen))
            if vocative:
                continue
            if at_start and not _is_acronym(name):
                initial[name] += 1
            else:
                mid_sentence.add(name)
                counts[name] += 1
    for name, n in initial.items():
        if name in mid_sentence:
            counts[name] += n
    _merge_forms(counts)
    ranked = sorted((n, -first_seen[name], name) for name, n in counts.items() if n >= MIN_MENTIONS)
    return [name for _, _, name in reversed(ranked)][:limit]


def _merge_forms(counts: Counter[str]) -> None:
    """Fold 'Vladimir Putin' into 'Putin' (or the reverse) when one contains the other."""
    for long in sorted((n for n in counts if " " in n), key=len, reverse=True):
        words = long.split()
        for short in (words[-1], words[0]):
            if short in counts and short != long and long in counts:
                if counts[short] >= counts[long]:
                    counts[short] += counts.pop(long)
                else:
                    counts[long] += counts.pop(short)
