"""A deterministic synthetic corpus for the benchmarks: episodes of spoken-
sounding text whose word frequencies follow Zipf's law over a vocabulary that
grows with the corpus (about 20 * sqrt(total words) distinct words, as
Heaps' law has it), so that a bigger archive has more distinct terms, like a
real one.

The most frequent ranks are real English words (about half of all tokens,
like the stop words of the seed transcripts); the rest are made-up words of
three or four syllables, some inflected (-s, -ing, -ed) and some accented,
so the stemmer and the accent folding have work to do.

    python -m bench.corpus OUT_DIR [N [WORDS]]   # N Archive.fm exports of ~WORDS words (9000: hour-long)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
import sys
from dataclasses import dataclass
from pathlib import Path

COMMON = """the to and that of a in i is it this you we they going are but on with it's all about have so what
be not for there was as just know think he very way now will at one which russia do people said from
if can because well their them who our an or has been would right were more say like other there's
really where out also even see those these thing get point that's then time much want mean happening
when only same some us ukraine how into back still look talk over any west course actually make why
war first here president could new states his united fact lot saying two own already again putin
nato talking""".split()
SHOWS = ("The Synthetic Hour", "Bench Talk", "Zipf Radio")
_CONSONANTS, _VOWELS = "bdfgklmnprstvz", "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]
_ACCENTED = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "ï"}
_ENDINGS = ("s", "s", "ing", "ed")
_REPEAT = 0.5   # chance that a content word is one already said in the episode


@dataclass(frozen=True)
class SyntheticEpisode:
    show: str
    title: str
    date: dt.date
    duration: int               # seconds, at 150 words a minute
    topics: tuple[str, ...]
    text: str                   # one long paragraph, as Archive.fm exports it


def vocabulary_size(total_words: int) -> int:
    return len(COMMON) + int(20 * total_words ** 0.5)


def word(rank: int) -> str:
    """The word of a rank: distinct ranks (below half a million) give distinct words."""
    if rank < len(COMMON):
        return COMMON[rank]
    k = rank - len(COMMON)
    length, k = (4, k // 3) if k % 3 == 0 else (3, k - k // 3 - 1)   # syllables, index among those
    k = (k * 7919 + 104729) % len(_SYLLABLES) ** length               # a bijection: neighbours differ
    syllables = []
    for _ in range(length):
        k, r = divmod(k, len(_SYLLABLES))
        syllables.append(_SYLLABLES[r])
    w = "".join(syllables)
    if rank % 11 == 0:
        w = w[0] + _ACCENTED[w[1]] + w[2:]
    return w.capitalize() if rank % 7 == 0 else w   # a name, say


def episodes(n: int, words: int = 3500, seed: int = 0) -> list[SyntheticEpisode]:
    """``n`` episodes of about ``words`` words each; the same arguments give the same corpus."""
    rng = random.Random(seed)
    size = vocabulary_size(n * words)
    cumulative = list(itertools.accumulate(1 / (r + 1) for r in range(size)))
    out = []
    for i in range(n):
        topics = [word(rng.randrange(len(COMMON), min(size, 3000))) for _ in range(3)]
        count = rng.randint(words * 6 // 7, words * 8 // 7)
        ranks = rng.choices(range(size), cum_weights=cumulative, k=count)
        tokens, said = [], []
        for rank in ranks:
            if rank < len(COMMON):
                tokens.append(word(rank))
                continue
            # Speakers come back to their topics and to what they said before
            # (Simon's model of burstiness): the seeds have a third as many
            # distinct terms as terms; plain Zipf sampling gives three quarters.
            r = rng.random()
            if r < 0.05:
                token = rng.choice(topics)
            elif r < _REPEAT and said:
                token = rng.choice(said)
            else:
                token = word(rank) + (rng.choice(_ENDINGS) if rng.random() < 0.2 else "")
            said.append(token)
            tokens.append(token)
        title_words = [topics[0].capitalize(), word(rng.randrange(60)), topics[1].capitalize(),
                       word(rng.randrange(60, 200)).capitalize()]
        out.append(SyntheticEpisode(
            show=SHOWS[i % len(SHOWS)],
            title=" ".join(title_words),
            date=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            duration=max(60, count * 60 // 150 // 60 * 60),
            topics=tuple(t.capitalize() for t in topics[:2]),
            text=_sentences(tokens, rng)))
    return out


def _sentences(tokens: list[str], rng: random.Random) -> str:
    out, start = [], 0
    while start < len(tokens):
        end = min(len(tokens), start + rng.randint(6, 22))
        sentence = tokens[start:end]
        sentence[0] = sentence[0].capitalize()
        for j in range(len(sentence) - 1):
            if rng.random() < 0.06:
                sentence[j] += ","
        out.append(" ".join(sentence) + ("?" if rng.random() < 0.1 else "."))
        start = end
    return " ".join(out)


def archive_fm_text(episode: SyntheticEpisode) -> str:
    """The episode as an Archive.fm export, like seeds/*.txt."""
    minutes = episode.duration // 60
    duration = f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"
    return (f"Archive.fm\n\n{episode.show}\n\n{episode.title}\n\n{episode.title}\n\n"
            f"Duration:\n{duration}\nBroadcast on:\n{episode.date:%d %b %Y}\nAudio Format:\nmp3\n\n"
            f"{episode.text}\n")


def write_archive_fm(out_dir: Path, n: int, words: int = 3500, seed: int = 0) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, episode in enumerate(episodes(n, words, seed)):
        text = archive_fm_text(episode)
        path = out_dir / f"{i:04d}_{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3, 4):
        sys.exit("usage: python -m bench.corpus OUT_DIR [N [WORDS]]")
    written = write_archive_fm(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
                               int(sys.argv[3]) if len(sys.argv) > 3 else 3500)
    print(f"wrote {len(written)} transcripts to {sys.argv[1]}")
