"""Tasks: the items of a directive that give work to organisations, with their assignees.

Which items are assignment units:

* a plan with Roman sections ("III. NHIỆM VỤ, GIẢI PHÁP", "IV. TỔ CHỨC THỰC HIỆN"): the numbered items of the
  sections whose heading names tasks (``task_sections`` in ``data/cues.yaml``), labelled "III.1"; a task section
  without numbered items is one task; other sections (MỤC ĐÍCH, YÊU CẦU, MỤC TIÊU, ...) hold no tasks;
* otherwise the top-level numbered items "1.", "2.", ... of the body (a heading "#### 8. ..." or a bold "**1.**"
  is the same item once normalised); sub-items ("(1)", "a)", "-") belong to their item.

Who the assignees are, in order of precedence:

* label lines "Đơn vị chủ trì (thực hiện): ..." (lead) and "Đơn vị phối hợp: ..." (cooperating) when present;
* otherwise the organisation the item opens with ("2. Đảng ủy UBND tỉnh: ...", "3. Ban Tổ chức Tỉnh ủy thường
  xuyên ...", "#### 9. Đảng ủy Công an tỉnh"), the organisations after "Giao", "Yêu cầu", "Đề nghị" and the
  subjects of the item's other sentences (unless the predicate describes: "đã", "ghi nhận", ...);
* an item that opens without a subject takes the addressees of the lead-in sentence ("Ban Thường vụ Huyện ủy
  yêu cầu các cấp ủy, ... triển khai thực hiện tốt một số nhiệm vụ trọng tâm sau:");
* "A phối hợp với B" (with or without "chủ trì"): A is the assignee, B cooperates (the subject of the
  sentence carries the work; the bodies it works with are kept apart in ``cooperating``);
* items that assess rather than assign ("1. Về đánh giá tình hình ...") have no assignees.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..normalize import fold_tone, match_key
from ..organisations import read_name, split_names, level_of, is_generic_helper, clean_name
from ..patterns import (cues, assigning_pattern, role_label_pattern, descriptive_pattern, type_word_pattern)
from ..records import Organisation, Reference, Task
from .text import paragraphs, sentence_spans, ITEM_LABEL

__all__ = ["find_tasks", "segment", "assessment_spans"]


@dataclass
class _Item:
    label: str
    start: int
    end: int
    paras: list = field(default_factory=list)


def segment(text: str, header) -> tuple[list[_Item], object]:
    """The items of a normalised text and the lead-in paragraph before them (None when there is none); pass it
    to `find_tasks` and `assessment_spans` so that a text is segmented once."""
    body = [p for p in paragraphs(text) if header.body_start <= p.start < max(header.body_end, header.body_start)
            and p.text.strip()]
    return _segment(body, header)


def find_tasks(text: str, header, references: list[Reference] | None = None,
               mention_relations: list[tuple[str, int, str]] | None = None, segments=None) -> list[Task]:
    """The tasks of a normalised text; without ``references`` only labels, text and spans are filled.
    ``segments`` is what `segment` returned for the same text and header (computed when not given)."""
    items, lead_in = segments if segments is not None else segment(text, header)
    tasks = []
    addressees = _lead_in_addressees(lead_in) if lead_in is not None else []
    for item in items:
        raw = text[item.start:item.end]
        start = item.start + len(raw) - len(raw.lstrip())  # str.strip also takes \v, \x1c-\x1f, \x85, \u2028
        task_text = raw.strip()
        task = Task(label=item.label, text=task_text, start=start, end=start + len(task_text))
        if references is not None:
            _assign(task, item, addressees, header, text)
            task.implements = _implements(item, mention_relations or [], references)
        tasks.append(task)
    return tasks


# ---- segmentation ---------------------------------------------------------------------------------------------


def _label(p) -> tuple[str | None, str | None]:
    m = ITEM_LABEL.match(p.text)
    if not m:
        return None, None
    for kind in ("roman", "num", "paren", "letter", "bullet"):
        if m.group(kind):
            return kind, m.group(kind)
    return None, None


def _segment(body, header) -> tuple[list[_Item], object]:
    labelled = [(p, *_label(p)) for p in body]
    romans = [(i, v) for i, (p, k, v) in enumerate(labelled) if k == "roman"]
    starts: list[tuple[int, str]] = []   # (paragraph index, label)
    section_ends: dict[int, int] = {}
    if romans:
        task_words = [fold_tone(w).lower() for w in cues()["task_sections"]]
        for n, (i, roman) in enumerate(romans):
            end_i = romans[n + 1][0] if n + 1 < len(romans) else len(body)
            heading = fold_tone(body[i].text).lower()
            children = [(j, v) for j in range(i + 1, end_i) for (_, k, v) in [labelled[j]]
                        if k == "num" and "." not in v]
            children = _sequence(children)
            if not any(w in heading for w in task_words) and not _subject_led(body, children):
                continue
            if children:
                for j, v in children:
                    starts.append((j, f"{roman}.{v}"))
                    section_ends[j] = end_i
            else:
                starts.append((i, roman))
                section_ends[i] = end_i
    else:
        nums = [(i, v) for i, (p, k, v) in enumerate(labelled) if k == "num" and "." not in v]
        for j, v in _sequence(nums):
            starts.append((j, v))
    items = []
    for n, (i, label) in enumerate(starts):
        end_i = starts[n + 1][0] if n + 1 < len(starts) else len(body)
        end_i = min(end_i, section_ends.get(i, end_i))
        if n + 1 == len(starts):
            end_i = _closing_cut(body, i + 1, end_i, header)
        paras = body[i:end_i]
        items.append(_Item(label, paras[0].start, paras[-1].end, paras))
    lead_in = None
    if starts:
        first = starts[0][0]
        if first > 0 and body[first - 1].text.rstrip().endswith(":") and labelled[first - 1][1] is None:
            lead_in = body[first - 1]
    return items, lead_in


def _subject_led(body, children) -> bool:
    """A section whose numbered items mostly open with an organisation ("1. Đảng ủy Công an huyện chủ trì ...")
    assigns work whatever its heading says ("II. NỘI DUNG")."""
    if not children:
        return False
    led = 0
    for j, _ in children:
        text = body[j].text
        label = ITEM_LABEL.match(text)
        folded = fold_tone(text)
        start = label.end() if label else 0
        am = assigning_pattern().match(folded, start)
        if read_name(folded, am.end() if am else start) is not None:
            led += 1
    return led * 2 > len(children)


def _sequence(candidates: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Numbered items that count 1, 2, 3, ... (a stray number elsewhere belongs to the item before it)."""
    out, expected = [], 1
    for i, v in candidates:
        if int(v) == expected:
            out.append((i, v))
            expected += 1
    return out


def _closing_cut(body, start: int, end: int, header) -> int:
    """A closing paragraph after the last item ("Yêu cầu Giám đốc các sở ... thực hiện nghiêm túc Chỉ thị này./.")
    addresses the whole document, not the last item."""
    if not header.type:
        return end
    this_doc = fold_tone(f"{header.type} này").lower()
    for j in range(start, end):
        p = body[j]
        if ITEM_LABEL.match(p.text):
            continue
        folded = fold_tone(p.text)
        if assigning_pattern().match(folded) and this_doc in folded.lower():
            return j
    return end


def _is_assessment(item: _Item) -> bool:
    """An item headed as an assessment ("1. Về đánh giá tình hình ...") reports, it does not assign."""
    first = item.paras[0].text.strip()
    if len(first) > 150 or first.endswith((".", ";")):   # a sentence, not a heading
        return False
    heading = fold_tone(first).lower()
    return any(fold_tone(w).lower() in heading for w in cues()["assessment_headings"])


def assessment_spans(text: str, header, segments=None) -> list[tuple[int, int]]:
    items, _ = segments if segments is not None else segment(text, header)
    return [(i.start, i.end) for i in items if _is_assessment(i)]


# ---- assignees ------------------------------------------------------------------------------------------------

_COOP = re.compile(r"phối hợp(?:\s+(?:chặt chẽ|hiệu quả|tốt|thường xuyên))?(?:\s+với)?\s+", re.IGNORECASE)
_JOINT = re.compile(r"^\s*(?:(?:thường xuyên|chủ động|tích cực|tiếp tục)\s+)?phối hợp(?:\s+(?:chặt chẽ|hiệu quả|"
                    r"tốt|thường xuyên))?\s+với\s+", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:(?:tiếp tục|thường xuyên)\s+)?chủ trì\b", re.IGNORECASE)


def _assign(task: Task, item: _Item, addressees: list[str], header, text: str) -> None:
    lead, coop, subjects = [], [], []
    labelled = False
    for p in item.paras:
        folded = fold_tone(p.text)
        lm = role_label_pattern().search(folded)
        if lm:
            labelled = True
            names = [n for n in split_names(p.text[lm.end():]) if n]
            (lead if lm.group("lead") else coop).extend(names)
    if labelled:
        task.assignees = _orgs(lead, header)
        task.lead = _orgs(lead, header)
        task.cooperating = _orgs(coop, header)
        return
    if _is_assessment(item):
        return
    opening_found = False
    for n, p in enumerate(item.paras):
        label = ITEM_LABEL.match(p.text)
        body_start = p.start + (label.end() if label else 0)
        for s, e in sentence_spans(text, body_start, p.end):
            sentence = text[s:e]
            is_opening = n == 0 and s == body_start
            found = _sentence_subjects(sentence, fold_tone(sentence), is_opening, lead, coop)
            if found:
                subjects.extend(found)
                opening_found = opening_found or is_opening
        if p.text.rstrip().endswith(":") and (n > 0 or not opening_found):
            rest = p.text[label.end() if label else 0:]
            subjects.extend(_clause_subjects(rest, fold_tone(rest)))
    if opening_found and any(_LEAD.match(fold_tone(ITEM_LABEL.sub("", p.text, count=1))) for p in item.paras[1:]):
        lead.extend(subjects[:1])   # "#### 9. Đảng ủy Công an tỉnh" / "- Chủ trì, phối hợp với ..."
    names = ([] if opening_found else list(addressees)) + subjects
    task.assignees = _orgs(names, header)
    task.lead = _orgs(lead, header)
    task.cooperating = _orgs(coop, header)


def _sentence_subjects(sentence: str, folded: str, is_opening: bool, lead: list, coop: list) -> list[str]:
    """Organisations a sentence gives work to: its subject, or the names after "Giao/Yêu cầu/Đề nghị"."""
    label = ITEM_LABEL.match(sentence)
    s = label.end() if label else 0
    am = assigning_pattern().match(folded, s)
    if am:
        s = am.end()
    end = read_name(folded, s)
    if end is None:
        _partners(sentence, folded, s, coop)   # "- Chủ trì, phối hợp với Ban Dân vận ..." under a heading
        return []
    if is_opening and not am:
        colon = folded.find(":", s, s + 150)
        if colon > 0 and read_name(folded, s) is not None and (end >= colon or folded[end:colon].strip() == ""):
            end = colon
    rest = folded[end:]
    if not am and rest.strip() and descriptive_pattern().match(rest.lstrip()):
        return []
    name_text = sentence[s:end]
    names = split_names(name_text)
    if not names:
        return []
    if _LEAD.match(rest):
        lead.extend(names)
    jm = _JOINT.match(rest)
    if jm and not re.search(r"\bchủ trì\b", folded, re.IGNORECASE):
        partner_end = read_name(folded, end + jm.end()) or _phrase_end(folded, end + jm.end())
        partners = [n for n in split_names(sentence[end + jm.end():partner_end]) if n]
        coop.extend(partners)
    else:
        _partners(sentence, folded, end, coop)
    return names


def _partners(sentence: str, folded: str, start: int, coop: list) -> None:
    """Bodies named after "phối hợp (với)" from ``start`` on: cooperating."""
    for cm in _COOP.finditer(folded, start):
        partner_end = read_name(folded, cm.end())
        if partner_end is None and cm.group(0).rstrip().endswith("với"):
            partner_end = _phrase_end(folded, cm.end())
        if partner_end:
            coop.extend(split_names(sentence[cm.end():partner_end]))


def _phrase_end(folded: str, start: int) -> int:
    """End of a partner list that does not start with a known head ("lực lượng Công an huyện, ...")."""
    from ..patterns import predicate_pattern

    stop = re.compile(r"[:;.]").search(folded, start)
    end = stop.start() if stop else len(folded)
    for m in predicate_pattern().finditer(folded, start + 1, end):
        if m.group(0) == "tổ chức" and re.search(r"(?:các|,)\s$", folded[max(start, m.start() - 5):m.start()]):
            continue
        return m.start()
    return end


def _clause_subjects(text: str, folded: str) -> list[str]:
    """Subjects opening a clause of a lead-in ("căn cứ ..., Văn phòng Trung ương Đảng và các văn phòng tỉnh uỷ,
    thành uỷ cụ thể hoá để tổ chức thực hiện ... sau:")."""
    out = []
    for m in re.finditer(r"(?:^|[;,]\s+)", folded):
        s = m.end()
        if not folded[s:s + 1].isupper():
            continue
        end = read_name(folded, s)
        if end is None:
            continue
        rest = folded[end:].lstrip()
        if not rest or descriptive_pattern().match(rest):
            continue
        out.extend(split_names(text[s:end]))
    return out


def _lead_in_addressees(p) -> list[str]:
    """"... Ban Thường vụ Huyện ủy yêu cầu các cấp ủy, chính quyền, ... triển khai thực hiện ... sau:"."""
    folded = fold_tone(p.text)
    for m in re.finditer(r"\b(?:yêu cầu|đề nghị|giao)\s+", folded, re.IGNORECASE):
        end = read_name(folded, m.end())
        if end is None:
            end = _phrase_end(folded, m.end()) if folded[m.end():m.end() + 3].lower() == "các" else None
        if end:
            return split_names(p.text[m.end():end])
    return []


def _orgs(names: list[str], header) -> list[Organisation]:
    out, seen = [], set()
    for n in names:
        n = clean_name(n)
        if not n or len(n) < 3:
            continue
        key = match_key(n)
        if key in seen:
            continue
        seen.add(key)
        plural = n.lower().startswith(("các ", "những "))
        out.append(Organisation(name=n, level=level_of(n, default=None if plural else header.level)))
    return out


def _implements(item: _Item, mention_relations: list[tuple[str, int, str]], references) -> list[str]:
    out = []
    for rid, pos, rel in mention_relations:
        if item.start <= pos < item.end and rel == "implements" and rid not in out:
            out.append(rid)
    return out
