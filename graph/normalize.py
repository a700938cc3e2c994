"""Vietnamese text clean-up with an offset map back to the source.

``normalize(text)`` returns a `NormalizedText`: the source, the normalised text and, for every character of the
normalised text, the index of the source character it came from. Every ``start``/``end`` in a record points into
the normalised text; `NormalizedText.to_source` maps a span back.

The steps form a named registry (`STEPS`), applied in the order of `DEFAULT_STEPS`:

``controls``  control characters other than tab, newlines and form feed (terminal escapes) -> spaces.
``nfc``       Unicode NFC (copies mix precomposed and combining accents).
``eth``       Icelandic eth Ð/ð (U+00D0/U+00F0, from mis-decoded PDFs) -> Vietnamese Đ/đ.
``markdown``  Markdown marks left by conversion (``**``, ``*``, ``__``, ``|``, ``#``, escapes) removed; lines made
              only of marks (table rules, the asterisk under a Party issuer) become hard paragraph breaks.
``unwrap``    PDF/HTML line wrapping joined. The result has one paragraph per line: a numbered item, a bullet or
              a header block always starts a line; a wrapped syllable re-joins with a space, a code or date cut
              at ``-`` or ``/`` re-joins with nothing ("12-\\nNQ/TW" -> "12-NQ/TW").
``tone_marks`` (optional, not default) old/new tone placement folded to one style, as `fold_tone`.

For matching names, `fold_tone` ("uỷ"/"ủy" -> one form) and `strip_diacritics` ("nghi quyet 12") give keys
that ignore spelling variants; `match_key` combines them.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable

__all__ = ["NormalizedText", "normalize", "fold_tone", "strip_diacritics", "match_key", "STEPS", "DEFAULT_STEPS"]

Offsets = list[int]
Step = Callable[[str, Offsets], "tuple[str, Offsets]"]


@dataclass
class NormalizedText:
    """The source text, its normalised form and the map from each normalised character to the source."""

    source: str
    text: str
    offsets: Offsets = field(repr=False)
    steps: tuple[str, ...] = ()

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the smallest source span that covers it."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.source)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def lines(self) -> Iterable[tuple[int, int, str]]:
        """The paragraphs of the normalised text as ``(start, end, line)``."""
        pos = 0
        for line in self.text.split("\n"):
            yield pos, pos + len(line), line
            pos += len(line) + 1


# ---- helpers that keep the offset map ------------------------------------------------------------------------


def _sub(pattern: re.Pattern, repl, text: str, offs: Offsets) -> tuple[str, Offsets]:
    """``pattern.sub`` that keeps the offset map; inserted characters map to the start of what they replace."""
    out: list[str] = []
    out_offs: Offsets = []
    last = 0
    # a replacement without a backslash is the literal itself: Match.expand would parse it again at every match
    literal = None if callable(repl) or "\\" in repl else repl
    for m in pattern.finditer(text):
        s, e = m.span()
        r = literal if literal is not None else repl(m) if callable(repl) else m.expand(repl)
        if r == m.group(0):
            continue
        out.append(text[last:s])
        out_offs.extend(offs[last:s])
        out.append(r)
        anchor = offs[s] if s < len(offs) else (offs[-1] + 1 if offs else 0)
        if r and m.lastindex and r == m.group(1):  # the replacement is a kept group: keep its own offsets
            out_offs.extend(offs[m.start(1):m.end(1)])
        else:
            out_offs.extend([anchor] * len(r))
        last = e
    if last == 0 and not out:
        return text, offs
    out.append(text[last:])
    out_offs.extend(offs[last:])
    return "".join(out), out_offs


# ---- steps ---------------------------------------------------------------------------------------------------


def _nfc(text: str, offs: Offsets) -> tuple[str, Offsets]:
    if unicodedata.is_normalized("NFC", text):
        return text, offs
    out: list[str] = []
    out_offs: Offsets = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        out.append(cluster)
        out_offs.extend([offs[i]] * len(cluster))
        i = j
    return "".join(out), out_offs


# C0 and C1 control characters other than tab, newline, carriage return and form feed (a hard break) become
# spaces: a text must not carry terminal escapes ("\x1b]52;c;..." writes the clipboard) into records, the store
# and `dkg show`. Same length, so offsets stay as they are.
_CONTROLS = str.maketrans({c: " " for c in [*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), *range(0x7F, 0xA0)]})
_HAS_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _controls(text: str, offs: Offsets) -> tuple[str, Offsets]:
    return (text.translate(_CONTROLS) if _HAS_CONTROL.search(text) else text), offs


_ETH = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def _eth(text: str, offs: Offsets) -> tuple[str, Offsets]:
    if "\u00d0" not in text and "\u00f0" not in text:   # str.translate walks every character of a page
        return text, offs
    return text.translate(_ETH), offs


_MD_SEPARATOR_LINE = re.compile(r"^[ \t]*(?:[|*_#\\=~\-][ \t]*)+$", re.M)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M)
_MD_MARKS = re.compile(r"\*\*|__|\*|\|")
HARD_BREAK = "\f"


def _markdown(text: str, offs: Offsets) -> tuple[str, Offsets]:
    text, offs = _sub(_MD_SEPARATOR_LINE, HARD_BREAK, text, offs)   # also plain "-------" rules
    if not any(c in text for c in "*_#|\\"):
        return text, offs
    text, offs = _sub(_MD_ESCAPE, r"\1", text, offs)
    text, offs = _sub(_MD_HEADING, "", text, offs)
    text, offs = _sub(_MD_MARKS, "", text, offs)
    return text, offs


# A line that starts an item: "1.", "1.2.", "I.", "(1)", "a)", "-", "+", "•" (a bullet needs a capital after it,
# so a wrapped "- 2030" or "- xã hội" stays part of the sentence).
_ITEM_START = re.compile(
    r"(?:\d{1,2}(?:\.\d{1,2})*\s*[.)](?!\d)"
    r"|[IVXLC]{1,5}\s*\.\s"
    r"|\(\d{1,2}\)"
    r"|[a-zđ]\)\s"
    r"|[-+•–]\s*(?=[^\W\d_]))"
)
# Header and closing blocks that always start a paragraph.
_BLOCK_START = re.compile(
    r"(?:Kính gửi|Nơi nhận|V/v\b|Về việc\b|T/M\b|K/T\b|T/L\b|TM\.|KT\.|TL\.|TUQ\.|Số\s*:?\s*\d)"
)
# Clause openers that start a paragraph when the previous line ended a clause ("...;\nCăn cứ ...").
_CLAUSE_OPENER = re.compile(r"(?:Căn cứ|Xét|Theo đề nghị|Thực hiện|Để |Triển khai|Tiếp tục thực hiện)")
_CODE_CUT = re.compile(r"(?:^|[\s(])[^\s]*[0-9A-Za-zĐđ][-/]$")


def _code_cut(line: str) -> bool:
    """A line that ends inside a code or date ("12-", "ngày 16/"); the cheap test of the last character first (the
    regex tries every word of the line)."""
    return line.endswith(("-", "/")) and bool(_CODE_CUT.search(line))
# Runs of spaces (tab, no-break, thin, ideographic, BOM) that collapse to one plain space; a single plain space
# already is what collapsing gives, so only longer runs and other space characters are visited.
_ODD_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]{2,}"
                         r"|[\t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")
_TERMINAL = ".!?…:"
_CR = re.compile(r"\r\n?")


_CASED = re.compile(r"[^\W\d_]")


def _is_caps(line: str) -> bool:
    return line == line.upper() and len(_CASED.findall(line)) >= 3


def _first_letter_upper(line: str) -> bool:
    for c in line:
        if c.isalpha():
            return c.isupper()
        if c.isdigit():
            return False
    return False


def _joiner(prev: str, nxt: str, prev_caps: bool | None = None, next_caps: bool | None = None) -> str:
    """How two consecutive non-empty lines join: "" (a cut code), " " (a wrap) or "\\n" (a new paragraph).
    ``prev`` is the previous line; ``prev_caps`` whether the paragraph so far is in capitals, ``next_caps``
    whether ``nxt`` is (both computed here when not given)."""
    if _ITEM_START.match(nxt) or _BLOCK_START.match(nxt):
        return "\n"
    if _code_cut(prev) and nxt[:1].isalnum() and (nxt[:1].isupper() or nxt[:1].isdigit()):
        return ""
    prev_caps = _is_caps(prev) if prev_caps is None else prev_caps
    next_caps = _is_caps(nxt) if next_caps is None else next_caps
    if prev_caps != next_caps and (prev_caps or _first_letter_upper(nxt)):
        return "\n"
    end = prev.rstrip("”\"')*")
    last = end[-1:] if end else ""
    if last in _TERMINAL and _first_letter_upper(nxt):
        return "\n"
    if last in ";." and _CLAUSE_OPENER.match(nxt):
        return "\n"
    return " "


def _blank_lines_are_breaks(lines: list[str]) -> bool:
    """Markdown-like texts separate paragraphs by a blank line; some PDF conversions put a blank line after
    every wrapped line, which then means nothing. Blank lines count as breaks unless most lines are followed
    by one and the lines are cut at a fixed width."""
    filled = followed = long = 0
    for i, line in enumerate(lines):
        if line.strip():
            filled += 1
            long += len(line) > 100
            if i + 1 < len(lines) and not lines[i + 1].strip():
                followed += 1
    # wrapped at a fixed width (no long lines) and a blank after most lines: the blanks are conversion noise
    return filled == 0 or followed / filled < 0.6 or long / filled > 0.1


def _continues(prev: str, nxt: str) -> bool:
    """A line that can only continue the previous one, even across a blank line (lower-case start, cut code)."""
    first = next((c for c in nxt if c.isalpha()), "")
    return (first.islower() and nxt[:1].isalpha()) or _code_cut(prev)


def _unwrap(text: str, offs: Offsets) -> tuple[str, Offsets]:
    out: list[str] = []
    out_offs: Offsets = []
    prev: str | None = None
    para_caps = False
    forced = blank = False
    pos = 0
    raw_lines = text.split("\n")
    blank_breaks = _blank_lines_are_breaks(raw_lines)
    for raw in raw_lines:
        start = pos
        pos += len(raw) + 1
        if HARD_BREAK in raw and not raw.replace(HARD_BREAK, "").strip():
            forced = True
            continue
        if not raw.strip(" \t\u00a0"):
            blank = True
            continue
        # collapse spaces, trim, keeping offsets
        if _ODD_SPACES.search(raw) is None:   # most lines: nothing to collapse, the offsets are a slice
            line = raw.replace(HARD_BREAK, " ") if HARD_BREAK in raw else raw
            lstrip = len(line) - len(line.lstrip(" "))
            line = line.strip(" ")
            line_offs = offs[start + lstrip:start + lstrip + len(line)]
        else:
            line_chars: list[str] = []
            line_offs = []
            last_end = 0
            for m in _ODD_SPACES.finditer(raw):
                line_chars.append(raw[last_end:m.start()])
                line_offs.extend(offs[start + last_end:start + m.start()])
                line_chars.append(" ")
                line_offs.append(offs[start + m.start()])
                last_end = m.end()
            line_chars.append(raw[last_end:])
            line_offs.extend(offs[start + last_end:start + len(raw)])
            line = "".join(line_chars).replace(HARD_BREAK, " ")
            lstrip = len(line) - len(line.lstrip(" "))
            line = line.strip(" ")
            line_offs = line_offs[lstrip:lstrip + len(line)]
        if not line:
            continue
        line_caps = _is_caps(line)
        if prev is not None:
            j = "\n" if forced else _joiner(prev, line, para_caps, line_caps)
            if j == " " and blank and blank_breaks and not _continues(prev, line):
                j = "\n"
            if j:
                out.append(j)
                out_offs.append(out_offs[-1] + 1 if out_offs else 0)
        out.append(line)
        out_offs.extend(line_offs)
        new_para = prev is None or forced or j == "\n"
        para_caps = line_caps if new_para else (para_caps and line_caps)
        prev = line
        forced = blank = False
    return "".join(out), out_offs


def _tone_marks(text: str, offs: Offsets) -> tuple[str, Offsets]:
    return fold_tone(text), offs  # same length: tone marks move inside a syllable


STEPS: dict[str, Step] = {
    "controls": _controls,
    "nfc": _nfc,
    "eth": _eth,
    "markdown": _markdown,
    "unwrap": _unwrap,
    "tone_marks": _tone_marks,
}
DEFAULT_STEPS: tuple[str, ...] = ("controls", "nfc", "eth", "markdown", "unwrap")


def normalize(text: str, steps: Iterable[str] = DEFAULT_STEPS) -> NormalizedText:
    """Normalise a decoded directive text; ``steps`` names the steps of `STEPS` to apply, in order.

    >>> normalize("Nghị\\nquyết số 12-\\n\\nNQ/TW").text
    'Nghị quyết số 12-NQ/TW'
    """
    steps = tuple(steps)
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown normalisation step(s): {', '.join(unknown)}; known: {', '.join(STEPS)}")
    start = 1 if text.startswith("\ufeff") else 0
    text_, offs = text[start:], list(range(start, len(text)))
    if "\r" in text_:
        text_, offs = _sub(_CR, "\n", text_, offs)
    for name in steps:
        text_, offs = STEPS[name](text_, offs)
    return NormalizedText(source=text, text=text_, offsets=offs, steps=steps)


# ---- keys for matching ---------------------------------------------------------------------------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


@functools.cache
def _tone_fold_table() -> tuple[re.Pattern, dict[str, str]]:
    """Old-style "hòa, thủy, ủy, khỏe" -> new-style "hoà, thuỷ, uỷ, khoẻ" for open syllables oa, oe, uy."""
    mapping: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("O", "AEae"), ("u", "y"), ("U", "Yy")):
        for second in seconds:
            for tone in _TONES:
                old = unicodedata.normalize("NFC", first + tone + second)
                new = unicodedata.normalize("NFC", first + second + tone)
                mapping[old] = new
    alternatives = "|".join(sorted(mapping, key=len, reverse=True))
    # open syllable only (nothing after the pair); "qu" + y is a different rhyme. Every pair is two characters, so
    # the "not after q" test is a look-behind over three placed after the pair: a pattern that starts with the
    # literal pairs lets the regex engine skip ahead to a toned vowel (a leading look-behind is tried at every
    # character, 30 times slower on a page of text).
    pattern = re.compile(rf"(?:{alternatives})(?<![qQ]..)(?![^\W\d_])")
    return pattern, mapping


@functools.cache
def _toned_first_vowel() -> re.Pattern:
    chars = {unicodedata.normalize("NFC", v + t) for v in "oOuU" for t in _TONES}
    return re.compile("[" + "".join(sorted(chars)) + "]")


def fold_tone(s: str) -> str:
    """Put tone marks of the open rhymes oa, oe, uy on the second vowel ("ủy" -> "uỷ", "hòa" -> "hoà").

    >>> fold_tone("Ủy ban") == fold_tone("Uỷ ban"), fold_tone("thủy") == "thuỷ"
    (True, True)
    """
    if len(s) <= _CACHED_KEY_CHARS:
        return _fold_tone_cached(s)
    return _fold_tone(s)


# Names, headings and sentences come back again and again (the same organisations in every plan): short strings
# keep their folded form and key in a bounded cache (4,096 entries each, a few MB at most); a whole text is not
# worth keeping.
_CACHED_KEY_CHARS = 300


def _fold_tone(s: str) -> str:
    if not _toned_first_vowel().search(s):
        return s
    pattern, mapping = _tone_fold_table()
    return pattern.sub(lambda m: mapping[m.group(0)], s)


_fold_tone_cached = functools.lru_cache(maxsize=4096)(_fold_tone)




_COMBINING = re.compile("[\u0300-\u036f]")


@functools.cache
def _strip_table() -> dict[int, str]:
    table = {ord(k): v for k, v in (("đ", "d"), ("Đ", "D"), ("\u00d0", "D"), ("\u00f0", "d"))}
    for code in range(0xC0, 0x1EFA):
        c = chr(code)
        base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
        if base != c and len(base) == 1:
            table.setdefault(code, base)
    return table


def strip_diacritics(s: str) -> str:
    """Remove every Vietnamese diacritic: "Nghị quyết" -> "Nghi quyet" (same length for NFC text)."""
    out = s.translate(_strip_table())
    if out.isascii() or not _COMBINING.search(out):
        return out
    decomposed = unicodedata.normalize("NFD", out)   # combining marks left by non-NFC input
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_KEY_PUNCT = re.compile(r"[^\w]+")


def match_key(s: str) -> str:
    """A key that ignores case, diacritics, tone placement and punctuation: "Đảng uỷ  Chính phủ," -> "dang uy chinh phu"."""
    if len(s) <= _CACHED_KEY_CHARS:
        return _match_key_cached(s)
    return _match_key(s)


def _match_key(s: str) -> str:
    return _KEY_PUNCT.sub(" ", strip_diacritics(s).lower()).strip()


_match_key_cached = functools.lru_cache(maxsize=4096)(_match_key)
