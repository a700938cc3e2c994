"""The document's own header: number and symbol, type, issuer and jurisdiction, place and date, subject,
recipients, distribution list and signature (layout: 36-HD/VPTW for Party texts, ND 30/2020 Phụ lục I for State
texts; ../shared/reference/vn-directive-conventions.md §1.5 and §2.5).

The two header columns may come out of a conversion in either order; every block is recognised by what it says,
not by where it stands. A text whose header was lost still yields what its body and signature tell
("Ban Thường vụ Huyện ủy yêu cầu", "Công văn này").
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..normalize import fold_tone, match_key, strip_diacritics
from ..organisations import lookup, level_of, read_name, clean_name
from ..patterns import (code_extractor, parse_code, date_pattern, parse_date, type_word_pattern, type_for_word,
                        type_code_for, default_type_for_abbr, types_for_abbr, cues, gazetteer)
from ..records import Signatory
from .text import paragraphs, ITEM_LABEL, UPPER

__all__ = ["Header", "read_header"]


@dataclass
class Header:
    code: str | None = None
    number: str | None = None
    symbol: str | None = None
    type: str | None = None
    type_code: str | None = None
    issuer: str | None = None
    jurisdiction: str | None = None
    province: str | None = None
    places: dict = field(default_factory=dict)  # level -> place name, the chain the header tells
    units: dict = field(default_factory=dict)   # level -> unit word ("huyện", "thành phố"), for the same levels
    level: str | None = None
    date: str | None = None
    place: str | None = None
    subject: str | None = None
    signatory: Signatory | None = None
    recipients: list[str] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)
    body_start: int = 0          # offset of the first body paragraph
    body_end: int = 0            # offset where the closing blocks (Nơi nhận, signature) begin
    warnings: list[str] = field(default_factory=list)


_NUMBER_LINE = re.compile(r"^Số\s*:?\s*(?=\d)")
_BLANK_NUMBER_LINE = re.compile(rf"^Số\s*:?\s*[-/](?P<abbr>[{UPPER}][^\W\d_]*)\S*")  # "Số      -KH/ĐU": number left blank
_PLACE_DATE = re.compile(rf"(?:^|\s)(?P<place>(?:Thành phố\s+|TP\.\s*)?[{UPPER}][^\W\d_]*(?:[ .'-][{UPPER}][^\W\d_]*){{0,4}})"
                         rf"\s*,\s*ngày\b")
_SUBJECT_LINE = re.compile(r"^(?:V/v|Về việc)\s*:?\s*", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^Kính gửi\s*:?\s*", re.IGNORECASE)
_DISTRIBUTION = re.compile(r"^Nơi nhận\s*:?\s*", re.IGNORECASE)
_BULLET = re.compile(r"^[-+•–]\s*")
_ISSUING_VERB = re.compile(r"\s*(?:vừa\s+|đã\s+)?(?:yêu cầu|ban hành|hướng dẫn|chỉ đạo|đề nghị|kết luận|quyết định|"
                           r"thông báo|chỉ thị)\b", re.IGNORECASE)
_THIS_DOC = re.compile(rf"\b(?P<w>[{UPPER}][^\W\d_]*(?:\s+[^\W\d_]+){{0,2}})\s+này\b")
_NATIONAL_FRAGMENT = re.compile(r"dang cong san viet nam|cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc")


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def read_header(text: str) -> Header:
    h = Header()
    paras = [p for p in paragraphs(text) if p.text.strip()]
    if not paras:
        return h
    _read_closing(paras, h)
    body_index = _read_top(paras, h)
    h.body_start = paras[body_index].start if body_index < len(paras) else len(text)
    _read_title_issuer(paras, h)
    if h.issuer is None:
        _issuer_from_body(paras[body_index:], h)
    if h.type is None:
        _type_from_body(text, h)
    if h.type and not h.type_code:
        h.type_code = type_code_for(h.type)
    if h.level is None and h.issuer:
        h.level = level_of(h.issuer)
    if h.code is None:
        h.warnings.append("no document number found (header lost?): the id is derived from issuer, date and content")
    return h


# ---- top of the page ------------------------------------------------------------------------------------------


def _read_top(paras, h: Header) -> int:
    """Read number, place/date, V/v subject, organ lines and the title; return the index of the first body
    paragraph."""
    organ: list[str] = []
    title: list[str] = []
    in_title = False
    i = 0
    for i, p in enumerate(paras[:20]):
        line = _without_national_heading(p.text.strip())
        if not line:
            in_title = False
            continue
        key = match_key(line)
        if _NUMBER_LINE.match(line):
            m = code_extractor().regex.search(line)
            if m and h.code is None:
                info = parse_code(m)
                h.code, h.number, h.symbol = info.code, info.number, info.symbol
                if info.abbr:
                    h.type_code = info.abbr
                rest = line[m.end():]
                dm, pm = date_pattern().search(rest), _PLACE_DATE.search(rest)
                if dm and pm and h.date is None:
                    h.place, h.date = pm.group("place"), parse_date(dm)
            in_title = False
            continue
        bm = _BLANK_NUMBER_LINE.match(line)
        if bm:
            if h.type_code is None and types_for_abbr(bm.group("abbr")):
                h.type_code = bm.group("abbr")
            rest = line[bm.end():]
            dm, pm = date_pattern().search(rest), _PLACE_DATE.search(rest)
            if dm and pm and h.date is None:
                h.place, h.date = pm.group("place"), parse_date(dm)
            in_title = False
            continue
        dm = date_pattern().search(line)
        pm = _PLACE_DATE.match(line)
        if pm and dm and h.date is None:
            h.place, h.date = pm.group("place"), parse_date(dm)
            in_title = False
            continue
        if _SUBJECT_LINE.match(line) and h.subject is None:
            h.subject = _SUBJECT_LINE.sub("", line).strip() or None
            h.type = h.type or "Công văn"
            continue
        if in_title and (line[:1].islower() or (len(title) == 1 and len(line) < 300
                                                 and not line.rstrip().endswith((".", ":", ";")))):
            first_word = line.split(" ", 1)[0]
            if not first_word.isupper() and first_word[1:].islower():
                line = line[:1].lower() + line[1:]   # "KẾ HOẠCH / Triển khai ..." -> "Kế hoạch triển khai ..."
            title.append(line)   # the subject under the type word, written in normal case
            continue
        if _is_caps(line) and not ITEM_LABEL.match(line):   # "II. NỘI DUNG" is a section, not an issuer
            tm = type_word_pattern().match(fold_tone(line))
            if tm and not title:
                title.append(line)
                in_title = True
            elif in_title:
                title.append(line)
            elif not title:
                organ.append(line)
            continue
        break
    else:
        i = min(len(paras), 20)
    h._organ = organ  # type: ignore[attr-defined]
    h._title = " ".join(title)  # type: ignore[attr-defined]
    return i


def _without_national_heading(line: str) -> str:
    """A line of the two header columns side by side: drop the national heading, keep the issuer's part."""
    ascii_ = strip_diacritics(line).lower()   # same length as ``line``
    if not _NATIONAL_FRAGMENT.search(ascii_):
        return line
    kept, last = [], 0
    for m in _NATIONAL_FRAGMENT.finditer(ascii_):
        kept.append(line[last:m.start()])
        last = m.end()
    kept.append(line[last:])
    return re.sub(r"\s+", " ", " ".join(kept)).strip(" -")


# ---- organ, title, issuer -------------------------------------------------------------------------------------

_CENTRAL = re.compile(r"^ban chap hanh trung uong\b\s*")
_PARTY_LOCAL = re.compile(r"\b(?:(?P<pk>tinh|thanh) uy|dang bo (?P<pbk>tinh|thanh pho)|(?P<dk>huyen|quan|thi) uy"
                          r"|dang bo (?P<dbk>huyen|quan|thi xa)|dang uy (?P<ck>xa|phuong|thi tran|dac khu))\s+")
# The unit a committee word names: (level, unit word); "city" is a thành phố, of a province or of a district
# ("Thành ủy Bến Tre" under "ĐẢNG BỘ TỈNH BẾN TRE" is a district-level city).
_PARTY_UNITS = {"pk:tinh": ("province", "tỉnh"), "pk:thanh": ("city", "thành phố"), "pbk:tinh": ("province", "tỉnh"),
                "pbk:thanh pho": ("city", "thành phố"), "dk:huyen": ("district", "huyện"),
                "dk:quan": ("district", "quận"), "dk:thi": ("district", "thị xã"), "dbk:huyen": ("district", "huyện"),
                "dbk:quan": ("district", "quận"), "dbk:thi xa": ("district", "thị xã"), "ck:xa": ("commune", "xã"),
                "ck:phuong": ("commune", "phường"), "ck:thi tran": ("commune", "thị trấn"),
                "ck:dac khu": ("commune", "đặc khu")}
_DISTRICT_COMMITTEE = {"huyện": "Huyện ủy", "quận": "Quận ủy", "thị xã": "Thị ủy", "thành phố": "Thành ủy"}
REFORM_DATE = "2025-07-01"  # two-level local government: from this day a commune's superior is its province
_STATE_LOCAL = re.compile(r"\b(?:uy ban nhan dan|hoi dong nhan dan)\s+(?P<unit>tinh|thanh pho|huyen|quan|thi xa|xa|"
                          r"phuong|thi tran|dac khu)\s+")
_DEPT_WORDS = re.compile(r"\b(?:ban|van phong|uy ban|dang uy|huyen uy|quan uy|thi uy)\b")


def _caps_to_name(words: str) -> str:
    """Capitalised header words in normal case, canonical when the gazetteer knows the name."""
    entry = lookup(words, prefix=False)
    if entry:
        return entry.name
    low = words.lower()
    return low[:1].upper() + low[1:]


def _place_at(organ: str, ascii_: str, start: int) -> tuple[str, int]:
    """The place name starting at ``start`` (up to the next department word or committee), title-cased."""
    stops = [m.start() for m in (_DEPT_WORDS.search(ascii_, start), _PARTY_LOCAL.search(ascii_, start)) if m]
    end = min(stops) if stops else len(organ)
    place = organ[start:end].strip(" ,-")
    return place.title() if place.isupper() else place, end


def _read_title_issuer(paras, h: Header) -> None:
    organ_lines: list[str] = getattr(h, "_organ", [])
    title: str = getattr(h, "_title", "")
    organ = " ".join(organ_lines).strip()
    ascii_ = strip_diacritics(organ).lower()
    authority = (h.signatory.authority or "") if h.signatory else ""
    auth_key = match_key(authority)
    if title:
        tm = type_word_pattern().match(fold_tone(title))
        if tm:
            h.type = type_for_word(title[:tm.end()]) or h.type
            if h.type == "Quyết định" and h.type_code is None:
                h.type_code = "QĐ"
        if not h.subject:
            h.subject = _sentence_case(title, h)
    elif h.type is None and h.type_code:
        h.type = default_type_for_abbr(h.type_code)
    if not organ:
        return
    m = _CENTRAL.match(ascii_)
    if m:
        h.level = "central"
        rest = organ[m.end():].strip()
        if rest:
            entry = lookup(f"{_caps_to_name(rest)} Trung ương")
            h.issuer = entry.name if entry else f"{_caps_to_name(rest)} Trung ương"
            return
        h.issuer = _issuer_in_title(title) or _issuer_in_authority(authority) or "Ban Chấp hành Trung ương"
        return
    sm = _STATE_LOCAL.search(ascii_)
    if sm:
        place, _ = _place_at(organ, ascii_, sm.end())
        unit = sm.group("unit")
        body = "Ủy ban nhân dân" if ascii_[sm.start():].startswith("uy ban") else "Hội đồng nhân dân"
        unit_word = {"tinh": "tỉnh", "thanh pho": "thành phố", "huyen": "huyện", "quan": "quận", "thi xa": "thị xã",
                     "xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "dac khu": "đặc khu"}[unit]
        h.issuer = f"{body} {unit_word} {place}".strip()
        h.jurisdiction = place
        h.level = level_of(f"{body} {unit_word}")
        if h.level in ("province", "district", "commune"):
            h.places, h.units = {h.level: place}, {h.level: unit_word}
        if h.level == "province":
            h.province = place
        return
    chain = _party_chain(organ, ascii_, h.date)
    if chain:
        level, unit, place, end = chain[-1]
        for lvl, u, name, _end in chain:
            if name:
                h.places[lvl], h.units[lvl] = name, u
        h.province = h.places.get("province")
        h.level = level
        if level == "province":
            committee = "Thành ủy" if unit == "thành phố" else "Tỉnh ủy"
        elif level == "district":
            committee = _DISTRICT_COMMITTEE[unit]
        else:
            committee = f"Đảng ủy {unit}"
        h.jurisdiction = place
        dept = organ[end:].strip()
        if dept:
            h.issuer = f"{_caps_to_name(dept)} {committee} {place}"
        elif "ban thuong vu" in auth_key:
            h.issuer = f"Ban Thường vụ {committee} {place}"
        elif "thuong truc" in auth_key:
            h.issuer = f"Thường trực {committee} {place}"
        else:
            h.issuer = f"{committee} {place}"
        return
    h.issuer = _caps_to_name(organ)
    h.level = level_of(h.issuer)


def _party_chain(organ: str, ascii_: str, date: str | None) -> list[tuple[str, str, str, int]]:
    """The places of a Party issuer column, superior first: [(level, unit word, place, end offset)].

    "ĐẢNG BỘ HUYỆN GIỒNG TRÔM / ĐẢNG ỦY XÃ THẠNH HÒA" -> district Giồng Trôm, commune Thạnh Hòa. A thành phố is a
    province unless something stands above it ("ĐẢNG BỘ TỈNH BẾN TRE / THÀNH ỦY BẾN TRE": a district-level city);
    as the superior of a commune it is a district before the two-level reform of 1/7/2025 and a province after."""
    found = []
    for m in _PARTY_LOCAL.finditer(ascii_):
        group = next(g for g in ("pk", "pbk", "dk", "dbk", "ck") if m.group(g))
        level, unit = _PARTY_UNITS[f"{group}:{m.group(group)}"]
        place, end = _place_at(organ, ascii_, m.end())
        found.append([level, unit, place, end])
    for i, item in enumerate(found):
        if item[0] != "city":
            continue
        below = found[i + 1][0] if i + 1 < len(found) else None
        if i == len(found) - 1:
            item[0] = "district" if i > 0 else "province"
        elif below == "commune" and date and date < REFORM_DATE:
            item[0] = "district"
        else:
            item[0] = "province"
    return [tuple(x) for x in found]


def _issuer_in_title(title: str) -> str | None:
    """"KẾT LUẬN CỦA BỘ CHÍNH TRỊ, BAN BÍ THƯ VỀ ..." -> "Bộ Chính trị, Ban Bí thư" (known bodies only)."""
    m = re.search(r"\bCỦA\s+(.+?)(?:\s+(?:VỀ|TẠI|ĐỐI VỚI)\b|$)", title)
    if not m:
        return None
    names = []
    for part in re.split(r",|\bVÀ\b", m.group(1)):
        entry = lookup(part.strip(), prefix=False)
        if not entry:
            return None
        names.append(entry.name)
    return ", ".join(names) or None


def _issuer_in_authority(authority: str) -> str | None:
    m = re.match(r"^(?:T/M|TM\.)\s*(.+)$", authority.strip())
    if not m:
        return None
    entry = lookup(m.group(1).strip(), prefix=False)
    return entry.name if entry else None


@functools.cache
def _names_for_case() -> list[tuple[str, re.Pattern, str]]:
    """(folded lower-case name, its whole-word pattern, the name as written), longest first."""
    names = {e["name"] for e in gazetteer()["organisations"]}
    out = []
    for n in sorted(names, key=len, reverse=True):
        if " " in n:
            key = fold_tone(n).lower()
            out.append((key, _whole_words(key), n))
    return out


@functools.lru_cache(maxsize=1024)
def _whole_words(key: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(key) + r"(?!\w)")


def _sentence_case(title: str, h: Header) -> str:
    """"KẾT LUẬN CỦA BỘ CHÍNH TRỊ ..." -> "Kết luận của Bộ Chính trị ..." (known names and places keep capitals)."""
    words = re.sub(r"\s+", " ", title).strip().split(" ")
    # capitals become lower case; codes ("12-NQ/TW") and words already in normal case stay as written
    low = fold_tone(" ".join(w.lower() if w.isupper() and not any(c.isdigit() or c == "/" for c in w) else w
                             for w in words))
    for key, rx, name in _names_for_case():
        if key in low:   # the literal test first: a title names few of the gazetteer's names
            low = rx.sub(name, low)
    for place in {h.jurisdiction, h.province, h.place} - {None}:
        key = fold_tone(place).lower()
        if key in low:
            low = _whole_words(key).sub(place, low)
    return low[:1].upper() + low[1:]


# ---- lost header: what the body says --------------------------------------------------------------------------


def _issuer_from_body(paras, h: Header) -> None:
    """"...; Ban Thường vụ Huyện ủy yêu cầu ...", "Ban Thường vụ Tỉnh ủy ban hành ..."."""
    for p in paras[:12]:
        folded = fold_tone(p.text)
        starts = [0] + [m.end() for m in re.finditer(r"[;,:.]\s+", folded)]
        for s in starts:
            end = read_name(folded, s)
            if end is None:
                continue
            name = clean_name(p.text[s:end])
            if _ISSUING_VERB.match(folded, end) and (lookup(name) or level_of(name)):
                entry = lookup(name, prefix=False)
                h.issuer = entry.name if entry else name
                h.level = level_of(h.issuer)
                return


def _type_from_body(text: str, h: Header) -> None:
    """"... thực hiện Công văn này" or "... ban hành Chương trình hành động ..."."""
    folded = fold_tone(text)
    counts: dict[str, int] = {}
    for m in _THIS_DOC.finditer(folded):
        tm = type_word_pattern().match(m.group("w"))
        if tm and tm.end() == len(m.group("w")):
            t = type_for_word(m.group("w"))
            if t:
                counts[t] = counts.get(t, 0) + 1
    if counts:
        h.type = max(counts, key=counts.get)
        return
    m = re.search(r"\bban hành\s+", folded, re.IGNORECASE)
    if m:
        tm = type_word_pattern().match(folded, m.end())
        if tm:
            h.type = type_for_word(tm.group(0))
            if h.subject is None:
                end = folded.find(".", tm.start())
                end = len(folded) if end < 0 else end
                nl = folded.find("\n", tm.start())
                if 0 <= nl < end:
                    end = nl
                subject = text[tm.start():end].strip()
                if len(subject) < 400 and "như sau" not in subject:
                    h.subject = subject


# ---- closing blocks: recipients, distribution, signature -------------------------------------------------------


@functools.cache
def _roles() -> list[tuple[str, str]]:
    return sorted(((match_key(r), r) for r in cues()["signature_roles"]), key=lambda kv: len(kv[0]), reverse=True)


@functools.cache
def _authority_re() -> re.Pattern:
    alts = "|".join(re.escape(a) for a in sorted(cues()["signature_authorities"], key=len, reverse=True))
    return re.compile(rf"^(?:{alts})(?=\s|$)")


def _read_closing(paras, h: Header) -> None:
    for i, p in enumerate(paras):
        if _RECIPIENTS.match(p.text):
            first = _RECIPIENTS.sub("", p.text).strip()
            items = [first] if first else []
            for q in paras[i + 1:]:
                if not _BULLET.match(q.text):
                    break
                items.append(q.text)
            h.recipients = [x for x in (_list_item(t) for t in items) if x]
            break
    closing_start = None
    for i, p in enumerate(paras):
        if _DISTRIBUTION.match(p.text):
            closing_start = p.start
            first = _DISTRIBUTION.sub("", p.text).strip()
            items = [first] if first else []
            for q in paras[i + 1:]:
                if not _BULLET.match(q.text):
                    break
                items.append(q.text)
            h.distribution = [x for x in (_list_item(t) for t in items) if x]
    sig_index = None
    for i in range(len(paras) - 1, max(-1, len(paras) - 15), -1):
        if _authority_re().match(paras[i].text.strip()):
            sig_index = i
            while sig_index > 0 and _authority_re().match(paras[sig_index - 1].text.strip()):
                sig_index -= 1
            break
    if sig_index is not None:
        block = []
        j = sig_index
        while j < len(paras) and _is_caps(paras[j].text):
            block.append(paras[j].text.strip())
            j += 1
        name = None
        if j < len(paras) and _looks_like_name(paras[j].text):
            name = paras[j].text.strip()
        authority, role = _split_role(" ".join(block))
        h.signatory = Signatory(name=name, role=role, authority=authority)
        closing_start = min(closing_start or paras[sig_index].start, paras[sig_index].start)
    h.body_end = closing_start if closing_start is not None else (paras[-1].end if paras else 0)


def _list_item(t: str) -> str:
    return _BULLET.sub("", t).strip().rstrip(",;.").strip()


def _looks_like_name(line: str) -> bool:
    words = line.strip().split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words) and not _is_caps(line)


def _split_role(block: str) -> tuple[str | None, str | None]:
    """"T/M BAN THƯỜNG VỤ BÍ THƯ" -> ("T/M BAN THƯỜNG VỤ", "Bí thư"); the authority keeps its printed form."""
    block = re.sub(r"\s+", " ", block).strip()
    if not block:
        return None, None
    key = match_key(block)
    for role_key, role in _roles():
        if key.endswith(" " + role_key):
            n_words = len(role.split())
            words = block.split()
            rest = " ".join(words[:-n_words])
            prefix = _authority_re().match(rest)
            last_prefix_end = max((m.end() for m in re.finditer(r"(?:T/M|K/T|T/L|TM\.|KT\.|TL\.|TUQ\.)", rest)),
                                  default=0)
            if rest and (not prefix or rest[last_prefix_end:].strip()):
                return _join_authorities(rest), role
    return _join_authorities(block), None


def _join_authorities(s: str) -> str:
    """Stacked authorities "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH" -> "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"."""
    return re.sub(r"\s+(?=(?:T/M|K/T|T/L|TM\.|KT\.|TL\.|TUQ\.)\s)", " / ", s)
