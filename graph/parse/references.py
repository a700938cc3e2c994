"""Documents cited by a text: code, type, date, issuer, title and the relation the citing text states.

Reading rules (conventions: ../shared/reference/vn-directive-conventions.md §4.6-4.9 and §5):

* a mention is a code (Party ``12-NQ/TW`` or State ``18/QĐ-TTg``, noise forms included) or a document cited by
  name ("Luật Đất đai"); the type word before it ("Quy định số ...") gives its type, else the abbreviation does;
* the date and the issuer phrase ("của Ban Thường vụ Tỉnh ủy") follow the code; an issuer phrase written once
  after a list ("A ngày ..., B ngày ... của X") belongs to every item of the list, and a list with one type word
  ("các Quyết định số A, B") shares it;
* the relation comes from the nearest cue before the mention (``data/cues.yaml``); a sentence opened by a cue
  ("Thực hiện ..., Căn cứ ...") gives that relation to every document it names; the items of a list share the cue
  of the first; a cue between two cited documents ("A ... thi hành B") describes A, not the citing text, and is
  recorded as a nested relation (A -> B), also for the items joined to A by "và";
* each distinct document is one reference with all its mentions as evidence; the strongest relation wins.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..normalize import fold_tone, match_key
from ..organisations import lookup, level_of, read_name, clean_name
from ..patterns import (code_extractor, parse_code, suffix_info, tail_date_pattern, parse_date, type_word_pattern,
                        type_for_word, default_type_for_abbr, types_for_abbr, cue_pattern, cue_info, relation_rank,
                        doctypes)
from ..records import Mention, NestedRelation, Reference
from .text import paragraphs, sentence_spans, ITEM_LABEL, place_name, UPPER

__all__ = ["Context", "find_references"]


@dataclass
class Context:
    """What the citing document tells about itself (for inheritance and self-exclusion)."""

    own_code: str | None = None
    province: str | None = None          # the province named in the header, if any
    level: str | None = None
    places: dict = field(default_factory=dict)  # level -> place name of the header's chain
    units: dict = field(default_factory=dict)   # level -> unit word ("huyện", "thành phố") of the same levels
    task_spans: list[tuple[int, int]] = field(default_factory=list)
    report_spans: list[tuple[int, int]] = field(default_factory=list)  # items that assess past work
    mention_relations: list[tuple[str, int, str]] = field(default_factory=list)  # filled: (id, offset, relation)


@dataclass
class _Mention:
    start: int            # of the code (or name)
    end: int
    type_start: int       # of the type word before it (== start when none)
    code: str | None
    number: str | None = None
    symbol: str | None = None
    abbr: str | None = None
    info: object = None
    name: str | None = None
    type: str | None = None
    typed: bool = False
    date: str | None = None
    after: int = 0         # end of code + date + issuer phrase + title
    after_date: int = 0    # end of code + date
    issuer: str | None = None
    issuer_level: str | None = None
    jurisdiction: str | None = None
    title: str | None = None
    relation: str = "cites"
    sentence: tuple[int, int] = (0, 0)

    @property
    def ref_id(self) -> str:
        return self.code or self.name or ""


_TYPE_BEFORE = re.compile(r"(?P<word>\S.*?)\s*(?:số\s*:?\s*)?$", re.IGNORECASE)
_ISSUER_STOP = re.compile(
    r"\s+(?:về|thực hiện|hướng dẫn|ban hành|quy định|nhằm|trên|tại|đối với|và|khóa|khoá|trong|để|đã|theo|gồm)\b"
    r"|[,;.:(“\"”]|\s-\s|$", re.IGNORECASE)
_OF = re.compile(r"\s*,?\s*của\s+", re.IGNORECASE)
_TITLE_QUOTED = re.compile(r"\s*,?\s*(?:về\s+(?:việc\s+)?)?[“\"](?P<t>[^”\"]{3,300})[”\"]", re.IGNORECASE)
_TITLE_ABOUT = re.compile(r"\s*,?\s*(?P<t>về\s+(?:việc\s+)?[^;.“”\"]{3,300}?)(?=\s*(?:[;.]\s|[;.]?$|[“\"(]))",
                          re.IGNORECASE)
_LIST_GAP = re.compile(r"^\s*(?:,|;|và|,\s*và|hoặc)?\s*(?:\(\d{1,2}\)\s*)?$", re.IGNORECASE)
_AND_GAP = re.compile(r"\bvà\b|,", re.IGNORECASE)
_NAMED_LAW = re.compile(rf"(?<![\w])Luật\s+(?!số\b)(?P<name>[{UPPER}]\w*(?:\s+(?!(?:và|của|số|năm|về|các|để|cho|theo|"
                        rf"tại|trên|đã|được|hoặc|nhằm|trong|đối|với)\b)[\w&]+){{0,6}})")


def _named_fixed() -> list[dict]:
    return [n for n in doctypes().get("named_documents", []) if n.get("fixed")]


def find_references(text: str, ctx: Context) -> tuple[list[Reference], list[NestedRelation]]:
    """All documents cited by a normalised text, and the links the text states between them."""
    folded = fold_tone(text)
    mentions = _find_mentions(text, folded, ctx)
    if not mentions:
        return [], []
    for m in mentions:
        _read_tail(text, folded, m, ctx)
    nested: list[NestedRelation] = []
    for para in paragraphs(text):
        inside = [m for m in mentions if para.start <= m.start < para.end]
        if not inside:
            continue
        for s, e in sentence_spans(text, para.start, para.end):
            group = [m for m in inside if s <= m.start < e]
            if group:
                _share_list_facts(text, group)
                nested += _relations(text, folded, group, (s, e), ctx)
    return _merge(text, mentions), _dedupe_nested(nested)


# ---- mentions -------------------------------------------------------------------------------------------------


def _find_mentions(text: str, folded: str, ctx: Context) -> list[_Mention]:
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []
    for m in code_extractor().finditer(text):
        info = parse_code(m)
        if ctx.own_code and info.code == ctx.own_code:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if re.match(r"\s*Số\s*:?\s*$", text[line_start:m.start()]):  # the document's own number line
            continue
        mention = _Mention(m.start(), m.end(), m.start(), info.code, info.number, info.symbol, info.abbr, info)
        _type_before(folded, mention)
        found.append(mention)
        taken.append((m.start(), m.end()))
    if "Luật" in text:
        for m in _NAMED_LAW.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            name = f"Luật {m.group('name')}".strip()
            found.append(_Mention(m.start(), m.end(), m.start(), None, name=name, type="Luật", typed=True))
    for fixed in _named_fixed():
        for m in re.finditer(re.escape(fixed["word"]), text):
            found.append(_Mention(m.start(), m.end(), m.start(), None, name=fixed["word"], type=fixed["type"],
                                  typed=True))
    found.sort(key=lambda x: x.start)
    return found


def _type_before(folded: str, m: _Mention) -> None:
    """The type word right before a code ("Nghị quyết số 12-NQ/TW", "Luật số 30/2023/QH15")."""
    window_start = max(0, m.start - 40)
    window = folded[window_start:m.start]
    best = None
    for tm in type_word_pattern().finditer(window):
        rest = window[tm.end():]
        if re.fullmatch(r"\s*(?:số\s*:?\s*)?", rest, re.IGNORECASE):
            best = tm
    if best is not None:
        word_type = type_for_word(best.group(0))
        candidates = types_for_abbr(m.abbr) if m.abbr else []
        if word_type and (not candidates or word_type in candidates or m.abbr is None):
            m.type, m.typed = word_type, True
            m.type_start = window_start + best.start()
            return
        m.type_start = window_start + best.start()
    if m.abbr:
        m.type = default_type_for_abbr(m.abbr)
    elif m.info is not None and getattr(m.info, "suffix", "") in ("QH", "UBTVQH"):
        m.type = None
    elif m.info is not None:
        m.type = "Công văn"


def _read_tail(text: str, folded: str, m: _Mention, ctx: Context) -> None:
    """Date, issuer phrase and title written after the code."""
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    pos = m.end
    dm = tail_date_pattern().match(text, pos, line_end)
    if dm:
        m.date = parse_date(dm)
        pos = dm.end()
    m.after_date = pos
    of = _OF.match(text, pos, line_end)
    if of:
        start = of.end()
        stop = _ISSUER_STOP.search(folded, start, line_end)
        phrase = clean_name(text[start:stop.start() if stop else line_end])
        if phrase and (read_name(fold_tone(phrase), 0) is not None or lookup(phrase)):
            _set_issuer(m, phrase, ctx)
            pos = start + len(phrase)
            dm2 = tail_date_pattern().match(text, pos, line_end)   # "của Bộ Chính trị ngày ..." (rare order)
            if dm2 and not m.date:
                m.date, pos = parse_date(dm2), dm2.end()
    tm = _TITLE_QUOTED.match(text, pos, line_end) or _TITLE_ABOUT.match(text, pos, line_end)
    if tm:
        m.title = tm.group("t").strip().rstrip(",")
        pos = tm.end()
    m.after = pos
    if not m.issuer and m.info is not None:
        sfx = suffix_info(m.info)
        if sfx.get("body"):
            m.issuer = sfx["body"]
        m.issuer_level = sfx.get("level")
    if m.issuer_level is None and m.info is not None:
        m.issuer_level = suffix_info(m.info).get("level")
    if m.issuer_level == "province" and _names_own_city(m, ctx):
        m.issuer_level = "district"
    if m.jurisdiction is None and m.issuer_level == "province" and ctx.province:
        m.jurisdiction = ctx.province
    elif m.jurisdiction is None and m.issuer_level == "district" and ctx.level == "commune" \
            and ctx.places.get("district"):
        m.jurisdiction = ctx.places["district"]   # "của Ban Thường vụ Huyện ủy" in a commune text: its district


def _names_own_city(m: _Mention, ctx: Context) -> bool:
    """"của Ban Thường vụ Thành ủy" (or "Thị ủy", suffix /TU) in a commune text whose district is a thành phố or
    thị xã names that district-level city, not the province."""
    if ctx.level != "commune" or ctx.units.get("district") not in ("thành phố", "thị xã"):
        return False
    issuer = match_key(m.issuer or "")
    return issuer == "" or "thanh uy" in issuer or "thi uy" in issuer


def _set_issuer(m: _Mention, phrase: str, ctx: Context) -> None:
    entry = lookup(phrase)
    m.issuer = entry.name if entry else phrase
    m.issuer_level = (entry.level if entry else None) or level_of(phrase)
    words = phrase.split()
    for i, w in enumerate(words):
        place = place_name(" ".join(words[i:]))
        if place:
            m.jurisdiction = place
            break


def _share_list_facts(text: str, group: list[_Mention]) -> None:
    """A type word or an issuer phrase written once for a list applies to each item."""
    for prev, cur in zip(group, group[1:]):
        gap = text[prev.after_date:cur.type_start]
        if not cur.typed and prev.typed and _LIST_GAP.match(gap):
            candidates = types_for_abbr(cur.abbr) if cur.abbr else []
            if not candidates or prev.type in candidates:
                cur.type, cur.typed = prev.type, True
    for prev, cur in reversed(list(zip(group, group[1:]))):
        if prev.issuer is None or (prev.info is not None and not _phrase_given(text, prev)):
            gap = text[prev.after_date:cur.type_start]
            if cur.issuer and _LIST_GAP.match(gap) and ";" not in gap and _phrase_given(text, cur) \
                    and _compatible(prev, cur):
                prev.issuer, prev.issuer_level, prev.jurisdiction = cur.issuer, cur.issuer_level, cur.jurisdiction


def _phrase_given(text: str, m: _Mention) -> bool:
    return bool(_OF.match(text, m.after_date))


def _compatible(a: _Mention, b: _Mention) -> bool:
    """Two items can share an issuer when their suffixes do not disagree on the level."""
    la = suffix_info(a.info).get("level") if a.info is not None else None
    return la is None or b.issuer_level is None or la == b.issuer_level


# ---- relations ------------------------------------------------------------------------------------------------


def _in_task(pos: int, ctx: Context) -> bool:
    return any(s <= pos < e for s, e in ctx.task_spans)


def _cue_relation(cue: re.Match, pos: int, ctx: Context) -> str:
    info = cue_info(cue.group(0))
    if any(s <= pos < e for s, e in ctx.report_spans):
        return "cites"  # an assessment of past work reports on documents, it does not implement them
    if _in_task(pos, ctx) and info.get("in_task"):
        return info["in_task"]
    return info["relation"]


def _stronger(a: str, b: str) -> str:
    rank = relation_rank()
    return a if rank.get(a, 0) >= rank.get(b, 0) else b


def _relations(text: str, folded: str, group: list[_Mention], sentence: tuple[int, int],
               ctx: Context) -> list[NestedRelation]:
    s, e = sentence
    label = ITEM_LABEL.match(text, s)
    body_start = label.end() if label and label.end() < e else s
    opening = None
    om = cue_pattern().match(folded, body_start)
    if om and cue_info(om.group(0)).get("opens"):
        opening = _cue_relation(om, om.start(), ctx)
    nested: list[NestedRelation] = []
    group_rel = "cites"
    prev: _Mention | None = None
    for i, m in enumerate(group):
        m.sentence = sentence
        gap_start = prev.end if prev else s
        cue = _effective_cue(folded, gap_start, m.type_start)
        if prev is None:
            rel = _cue_relation(cue, cue.start(), ctx) if cue else "cites"
            group_rel = rel
        elif cue is None or _inside_title(folded, prev, cue):
            rel = group_rel                                        # an item of the same list
        elif ";" in folded[gap_start:cue.start()] or ". " in folded[gap_start:cue.start()]:
            rel = group_rel = _cue_relation(cue, cue.start(), ctx)  # a new clause with its own cue
        else:
            link = cue_info(cue.group(0))["relation"]
            for a in _joined_before(text, group, i):
                if a.ref_id != m.ref_id:
                    ws, we = _window(text, s, e, a.type_start, max(m.after, m.end))
                    nested.append(NestedRelation(a.ref_id, link, m.ref_id, text[ws:we], ws, we))
            rel = "cites"
        if opening:
            rel = _stronger(rel, opening)
        m.relation = rel
        ctx.mention_relations.append((m.ref_id, m.start, rel))
        prev = m
    return nested


def _effective_cue(folded: str, start: int, end: int) -> re.Match | None:
    """The last cue of ``folded[start:end]`` still reaching ``end``: no ";" after it, at most 150 characters."""
    last = None
    for c in cue_pattern().finditer(folded, start, end):
        last = c
    if last is None:
        return None
    between = folded[last.end():end]
    if ";" in between or len(between) > 150:
        return None
    return last


def _inside_title(folded: str, prev: _Mention, cue: re.Match) -> bool:
    """A cue inside the previous document's title ("về đổi mới ... thi hành pháp luật") is its subject matter."""
    return bool(re.search(r"\bvề\b|[“\"]", folded[prev.after_date:cue.start()]))


def _joined_before(text: str, group: list[_Mention], i: int) -> list[_Mention]:
    """The mention before ``i`` and those joined to it by "và" or a comma ("A và B thực hiện C": A and B)."""
    out = [group[i - 1]]
    j = i - 1
    while j > 0:
        gap = text[group[j - 1].after:group[j].type_start]
        if ";" in gap or not _AND_GAP.search(gap) or len(gap.strip()) > 6:
            break
        out.append(group[j - 1])
        j -= 1
    return out


# ---- merge ----------------------------------------------------------------------------------------------------


# A record must stay proportional to its text: a "sentence" can be a whole unpunctuated file (a PDF converted
# without full stops) naming thousands of codes, and a sentence per mention made a 34 KB text a 10 MB record.
# Real sentences with a citation stay under about 1,100 characters: longer ones give a window around the mention.
MAX_EVIDENCE_CHARS = 2000
WINDOW_CHARS = 600
MAX_MENTIONS = 50  # per cited document: more evidence sentences tell a reader nothing new


def _window(text: str, s: int, e: int, a: int, z: int) -> tuple[int, int]:
    """The sentence ``s:e``, or, when it is longer than MAX_EVIDENCE_CHARS, a window of it around ``a:z`` (about
    WINDOW_CHARS) cut at spaces."""
    if e - s <= MAX_EVIDENCE_CHARS:
        return s, e
    a, z = max(a, s), min(z, e)
    spare = max(0, WINDOW_CHARS - (z - a)) // 2
    lo, hi = max(s, a - spare), min(e, z + spare)
    cut = text.find(" ", lo, a)
    lo = cut + 1 if lo > s and cut >= 0 else lo
    cut = text.rfind(" ", z, hi)
    hi = cut if hi < e and cut >= 0 else hi
    return lo, hi


def _evidence_span(text: str, m: _Mention) -> tuple[int, int]:
    """The sentence of a mention (a window of it when it is too long)."""
    s, e = m.sentence if m.sentence != (0, 0) else (m.start, m.after)
    return _window(text, s, e, m.type_start, max(m.after, m.end))


def _merge(text: str, mentions: list[_Mention]) -> list[Reference]:
    refs: dict[str, Reference] = {}
    for m in mentions:
        rid = m.ref_id
        if not rid:
            continue
        s, e = _evidence_span(text, m)
        evidence = Mention(text[s:e], s, e)
        ref = refs.get(rid)
        if ref is None:
            ref = refs[rid] = Reference(id=rid, code=m.code, number=m.number, symbol=m.symbol, type=m.type,
                                        date=m.date, issuer=m.issuer, jurisdiction=m.jurisdiction,
                                        level=m.issuer_level, title=m.title, relation=m.relation,
                                        evidence=evidence.evidence, start=s, end=e, mentions=[evidence])
            ref._typed = m.typed  # type: ignore[attr-defined]
            continue
        if len(ref.mentions) < MAX_MENTIONS and all((x.start, x.end) != (s, e) for x in ref.mentions):
            ref.mentions.append(evidence)  # two mentions in one sentence share their evidence
        if m.typed and not getattr(ref, "_typed", False):
            ref.type, ref._typed = m.type, True  # type: ignore[attr-defined]
        for attr, value in (("date", m.date), ("issuer", m.issuer), ("jurisdiction", m.jurisdiction),
                            ("level", m.issuer_level), ("title", m.title)):
            if getattr(ref, attr) is None and value is not None:
                setattr(ref, attr, value)
        ref.relation = _stronger(ref.relation, m.relation)
    out = list(refs.values())
    for r in out:
        r.__dict__.pop("_typed", None)
    return out


def _dedupe_nested(nested: list[NestedRelation]) -> list[NestedRelation]:
    seen, out = set(), []
    for n in nested:
        key = (n.from_id, n.relation, n.to_id)
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


def content_id(text: str) -> str:
    return hashlib.sha1(match_key(text).encode("utf-8")).hexdigest()[:10]
