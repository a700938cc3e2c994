"""Small helpers shared by the parse stages: paragraphs, sentences and item labels of a normalised text."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["Paragraph", "paragraphs", "sentence_spans", "ITEM_LABEL", "place_name", "UPPER"]

# Every upper-case letter Vietnamese uses (Python's re has no \p{Lu}): A-Z, Đ, Â, Ă, Ê, Ô, Ơ, Ư and all toned forms.
UPPER = "".join(c for c in map(chr, range(0x41, 0x1EFA)) if c.isupper() and c.isalpha())


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str


@functools.lru_cache(maxsize=4)   # the header, the tasks and the references of one text all ask
def paragraphs(text: str) -> tuple[Paragraph, ...]:
    """The paragraphs of a normalised text (one per line), with their offsets."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append(Paragraph(pos, pos + len(line), line))
        pos += len(line) + 1
    return tuple(out)


_SENTENCE_END = re.compile(rf"(?<=[.!?…])(?:/\.)?\s+(?=[\"“(]?[{UPPER}0-9])")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` (a paragraph) as absolute spans."""
    spans, s = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((s, m.start()))
        s = m.end()
    if s < end:
        spans.append((s, end))
    return spans


# Item labels at the start of a paragraph: "IV.", "1.", "1.2.", "(1)", "a)", "-", "+", "•".
ITEM_LABEL = re.compile(
    r"^(?:(?P<roman>[IVXLC]{1,5})\s*\.\s+"
    r"|(?P<num>\d{1,2}(?:\.\d{1,2})*)\s*[.)](?!\d)\s*"
    r"|\((?P<paren>\d{1,2})\)\s*"
    r"|(?P<letter>[a-zđ])\)\s*"
    r"|(?P<bullet>[-+•–])\s*)"
)

_PLACE_WORD = re.compile(r"^(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+", re.IGNORECASE)
_STOP_WORDS = {"ủy", "uỷ", "ban", "đảng", "văn", "hội", "công", "sở", "về", "và", "của"}


def place_name(words: str) -> str | None:
    """The place named after an administrative word: "tỉnh Bắc Ninh" -> "Bắc Ninh", "TỈNH QUẢNG TRỊ" ->
    "Quảng Trị"; None when the words that follow are not capitalised (as in "UBND tỉnh ban hành")."""
    m = _PLACE_WORD.match(words.strip())
    if not m:
        return None
    taken = []
    for w in words.strip()[m.end():].split():
        w = w.strip(",;.:()")
        if not w or not w[0].isupper() or w.lower() in _STOP_WORDS or len(taken) == 4:
            break
        taken.append(w)
    if not taken:
        return None
    name = " ".join(taken)
    return name.title() if name.isupper() else name
