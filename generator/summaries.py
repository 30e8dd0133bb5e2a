"""What the import and the build report: plain data the command line
prints and the benchmark reads. A module of its own so that a no-op build
(generator/unchanged.py) can report without importing either stage."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.audio import AudioReport


@dataclass
class ImportSummary:
    added: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: int = 0
    kept_edits: list[Path] = field(default_factory=list)
    failed: int = 0
    pending: list[Path] = field(default_factory=list)   # too fresh: maybe still being copied in
    parse_seconds: float = 0.0   # reading and parsing transcripts, for the benchmark

    def line(self) -> str:
        return (f"imported: {len(self.added)} new, {len(self.updated)} updated, {self.unchanged} unchanged"
                + (f", {len(self.kept_edits)} kept (edited by hand)" if self.kept_edits else "")
                + (f", {self.failed} failed" if self.failed else "")
                + (f", {len(self.pending)} waiting (still being written?)" if self.pending else ""))


@dataclass
class BuildResult:
    episodes: int
    files: int
    out: Path
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)   # seconds per stage, for the benchmark
    audio: AudioReport | AudioLine | None = None   # None when site.yaml names no podcast feed
    unchanged: bool = False   # nothing had changed: no stage ran (generator/unchanged.py)

    def line(self) -> str:
        same = ", nothing changed since the last build" if self.unchanged else ""
        return f"built: {self.episodes} episodes, {self.files} files in {self.out}{same} ({self.seconds:.1f} s)"


@dataclass(frozen=True)
class AudioLine:
    """An audio report as printed: what a no-op build repeats of the last one."""
    text: str
    unmatched: tuple[str, ...] = ()

    def line(self) -> str:
        return self.text
