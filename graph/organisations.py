"""Organisations: gazetteer look-up, administrative level, and organisation names read out of a sentence.

The gazetteer (``data/organisations.yaml``) gives canonical names, aliases and levels; names are compared on a key
that ignores case, diacritics and tone placement (`graph.normalize.match_key`), with short forms expanded
("UBND tỉnh" = "Ủy ban nhân dân tỉnh"). When no entry matches, level rules kept as data decide from the words
of the name ("Đảng ủy các xã, phường" -> commune). Later stages reuse `lookup` and `level_of` for identity.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .normalize import fold_tone, match_key
from .patterns import gazetteer, head_pattern, level_rules, predicate_pattern

__all__ = ["Entry", "lookup", "level_of", "expand", "read_name", "split_names", "clean_name", "is_generic_helper",
           "PLACE_WORDS"]

PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu")


@dataclass(frozen=True)
class Entry:
    name: str
    level: str | None
    parent: str | None = None


@functools.cache
def _alias_table() -> list[tuple[str, str]]:
    return sorted(((match_key(k), match_key(v)) for k, v in gazetteer()["aliases"].items()),
                  key=lambda kv: len(kv[0]), reverse=True)


def expand(name: str) -> str:
    """The match key of a name with short forms expanded ("UBND tỉnh" -> "uy ban nhan dan tinh")."""
    key = f" {match_key(name)} "
    for short, full in _alias_table():
        key = key.replace(f" {short} ", f" {full} ")
    return key.strip()


@functools.cache
def _entries() -> list[tuple[str, Entry]]:
    out = []
    for e in gazetteer()["organisations"]:
        entry = Entry(e["name"], e.get("level"), e.get("parent"))
        for n in [e["name"], *(e.get("aliases") or [])]:
            out.append((expand(n), entry))
    out.sort(key=lambda kv: len(kv[0]), reverse=True)
    return out


@functools.cache
def _entry_index() -> dict[str, Entry]:
    """Key -> entry; of two entries with one key, the first of `_entries` (the one a scan would find)."""
    index: dict[str, Entry] = {}
    for k, entry in _entries():
        index.setdefault(k, entry)
    return index


_PLURAL = re.compile(r"^(?:cac|nhung) ")


@functools.lru_cache(maxsize=8192)
def lookup(name: str, *, prefix: bool = True) -> Entry | None:
    """The gazetteer entry a name starts with (longest first), or equals when ``prefix`` is false.

    >>> lookup("UBND tỉnh Bắc Ninh").name, lookup("Đảng uỷ Công an Trung ương").level
    ('Ủy ban nhân dân tỉnh', 'central')
    """
    key = _PLURAL.sub("", expand(name))
    index = _entry_index()
    entry = index.get(key)
    if entry is not None or not prefix:
        return entry
    # the longest key the name starts with, word by word: the prefixes of ``key`` that end before a space
    end = key.rfind(" ")
    while end > 0:
        entry = index.get(key[:end])
        if entry is not None:
            return entry
        end = key.rfind(" ", 0, end)
    return None


_PARENT_TAIL = re.compile(r"\s+(?:trực thuộc|thuộc)\s.*$", re.IGNORECASE)


@functools.lru_cache(maxsize=8192)
def level_of(name: str, default: str | None = None) -> str | None:
    """The administrative level of an organisation named in a text.

    An exact gazetteer entry wins; otherwise the earliest level keyword of the name decides (words after
    "trực thuộc"/"thuộc" name the parent and are ignored), then ``default``.

    >>> [level_of(n) for n in ("Đảng ủy các xã, phường", "Đảng ủy Công an huyện", "Sở Tư pháp", "Bộ Công an")]
    ['commune', 'district', 'province', 'central']
    """
    entry = lookup(name, prefix=False)
    if entry and entry.level:
        return entry.level
    own = _PARENT_TAIL.sub("", fold_tone(name))
    best: tuple[int, int, str] | None = None
    for order, (rx, level) in enumerate(level_rules()):
        m = rx.search(own)
        if m and (best is None or (m.start(), order) < best[:2]):
            best = (m.start(), order, level)
    if best:
        return best[2]
    entry = lookup(name)
    if entry and entry.level:
        return entry.level
    return default


# ---- names in sentences ---------------------------------------------------------------------------------------

_NOUN_TO_CHUC = re.compile(r"(?:^|các\s|những\s|,\s|và\s|là\s)$", re.IGNORECASE)
_HARD_STOP = re.compile(r"[:;.!?]|\s-\s(?=[A-ZĐ])")


def read_name(folded: str, start: int, limit: int = 200) -> int | None:
    """Where the organisation name starting at ``start`` of the tone-folded text ends, or None when no
    organisation starts there. The name runs until the predicate starts ("thường xuyên", "chủ trì", ...),
    a clause mark (":", ";", ".") or ``limit`` characters; commas and "và" stay inside (lists)."""
    if not head_pattern().match(folded, start):
        return None
    end_limit = min(len(folded), start + limit)
    stop = _HARD_STOP.search(folded, start, end_limit)
    end = stop.start() if stop else end_limit
    depth = 0
    pos = start + 1
    for m in predicate_pattern().finditer(folded, start + 1, end):
        # a predicate word inside parentheses belongs to the name
        depth = folded.count("(", start, m.start()) - folded.count(")", start, m.start())
        if depth > 0:
            continue
        if m.group(0).lower() == "tổ chức" and _NOUN_TO_CHUC.search(folded[max(start, m.start() - 6):m.start()]):
            continue
        pos = m.start()
        return pos if pos > start else None
    return end if end > start else None


_SPACE_RUN = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """Trim a name read from a text: spaces, list punctuation, a trailing "..."."""
    return _SPACE_RUN.sub(" ", name).strip(" ,;:.-–")


_SPLIT_AT = re.compile(r"\s*(?:,|;|\bvà\b)\s*")


def split_names(text: str) -> list[str]:
    """Split a list of organisations into its entries.

    A ";" always separates; a comma or "và" separates when what follows starts a new name (a capitalised head
    such as "Sở", "Bộ", "Đảng ủy", or "các ..."). A bare list of nouns ("Các cấp ủy, cơ quan, địa phương")
    stays one entry; nothing inside parentheses is split.

    >>> split_names("Bộ Y tế, Bộ Giáo dục và Đào tạo và Bộ Nội vụ")
    ['Bộ Y tế', 'Bộ Giáo dục và Đào tạo', 'Bộ Nội vụ']
    """
    folded = fold_tone(text)
    cuts = [0]
    for m in _SPLIT_AT.finditer(folded):
        if folded.count("(", 0, m.start()) > folded.count(")", 0, m.start()):
            continue
        nxt = m.end()
        if m.group(0).strip() == ";":
            cuts += [m.start(), nxt]
            continue
        h = head_pattern().match(folded, nxt)
        if not h:
            continue
        word = folded[nxt:h.end()]
        if word[:1].isupper() or word.lower().startswith(("các", "những", "đảng ủy", "đảng uỷ", "ủy ban", "uỷ ban",
                                                          "chi bộ", "ban ")):
            cuts += [m.start(), nxt]
    cuts.append(len(text))
    parts = [clean_name(text[cuts[i]:cuts[i + 1]]) for i in range(0, len(cuts), 2)]
    return [p for p in parts if p and any(c.isalpha() for c in p)]


@functools.cache
def _helper_pattern() -> re.Pattern:
    words = "|".join(re.escape(fold_tone(w)) for w in gazetteer()["generic_helpers"])
    return re.compile(rf"(?:{words})\s*$", re.IGNORECASE)


def is_generic_helper(name: str) -> bool:
    """"các cơ quan liên quan", "các cơ quan chức năng": helpers named generically, never assignees."""
    return bool(_helper_pattern().search(fold_tone(name)))
