"""Names as users write them -> IRIs in the store.

Accepted: a code in any case, with or without diacritics (``12-NQ/TW``, ``12-nq/tw``, ``18/qd-ttg``), a type
word and a number (``Nghị quyết 12``, ``nghi quyet 12``, ``Nghị quyết số 12-NQ/TW``), optionally a year
(``12-NQ/TW 2022``), an organisation name (``Đảng ủy Công an tỉnh``), or an IRI. Several matches raise
`AmbiguousName` listing code, type, date, issuer and jurisdiction; none raises `UnknownDocument`.

Only the number of a name ever reaches the store, as a term of an index look-up (no query text at all): the
rest is compared in Python. The look-ups use the store's indexes, not SPARQL, because a document cited by a
thousand texts has its facts in a thousand graphs and SPARQL's union default graph would multiply them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import AmbiguousName, UnknownDocument
from .vocab import DKG_NS, DOCUMENT_CLASSES, document_class, fold

_CODE, _NUMBER, _DATE, _ISSUED, _JURIS, _KEY = (DKG_NS + p for p in (
    "code", "number", "date", "issuedBy", "jurisdiction", "identityKey"))
_NAME = "http://www.w3.org/2000/01/rdf-schema#label"  # an organisation's name
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ORG = DKG_NS + "Organisation"


def _first(facts: dict, predicate: str) -> str | None:
    values = facts.get(predicate)
    return sorted(v.value for v in values)[0] if values else None


@dataclass
class Candidate:
    iri: str
    code: str | None
    type: str | None
    date: str | None
    issuer: str | None
    jurisdiction: str | None
    scope: str | None

    def __str__(self) -> str:
        cols = [self.code or "(no code)", self.type or "?", self.date or "undated", self.issuer or "?",
                self.jurisdiction or self.scope or "?"]
        return "  ".join(cols) + f"  <{self.iri}>"


_TYPE_WORDS = sorted({fold(w) for _l, vi, _e, others in DOCUMENT_CLASSES for w in (vi, *others)}, key=len, reverse=True)


def _code_form(text: str) -> str:
    form = re.sub(r"\s+", "", fold(text)).replace("-", "/")
    return re.sub(r"^0+(?=\d)", "", form)


def _parse(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(type class local name or None, number, code as typed or None, year or None)."""
    text = " ".join(name.split())
    folded = fold(text)
    type_local = None
    for word in _TYPE_WORDS:
        if folded.startswith(word + " ") or folded == word:
            type_local = document_class(word)
            text = text[len(word):].strip()
            break
    text = re.sub(r"^(so|số)\s*:?\s*", "", text, flags=re.I)
    code_match = re.match(r"(\d+)\s*[-/]\s*\S+", text)
    code = code_match.group(0) if code_match else None
    number_match = re.match(r"\d+", text)
    number = number_match.group(0) if number_match else None
    rest = text[code_match.end():] if code_match else text[number_match.end():] if number_match else ""
    year_match = re.search(r"\b(1[89]\d\d|20\d\d)\b", rest)
    return type_local, number, code, year_match.group(1) if year_match else None


def candidates(store, name: str) -> list[Candidate]:
    """Every document or organisation ``name`` may mean (``store`` is a `graph.store.Store`)."""
    import pyoxigraph as ox

    name = (name or "").strip()
    if not name:
        return []
    if re.match(r"^https?://", name):
        # Only a well-formed IRI can name a node; anything else in that shape names nothing.
        if not re.match(r"^https?://[^\s<>\"{}|^`\\]+$", name):
            return []
        return [Candidate(name, None, None, None, None, None, None)] if _holds(store, name) else []
    type_local, number, code, year = _parse(name)
    if number:
        found = []
        for c in _numbered(store, dict.fromkeys((number, number.lstrip("0") or "0", number.zfill(2)))):
            codes = c.pop("codes")
            if code and not any(_code_form(v) == _code_form(code) for v in codes):
                continue
            if type_local and c["type"] != type_local:
                continue
            if year and not (c["date"] or "").startswith(year):
                continue
            c["type"] = next((vi for local, vi, _e, _o in DOCUMENT_CLASSES if local == c["type"]), c["type"])
            found.append(Candidate(**c))
        return sorted(found, key=lambda c: (c.date or "", c.iri))
    from .resolve import canonical_org_name

    wanted = fold(canonical_org_name(name)[0])
    found: dict[str, Candidate] = {}
    for node in store.subjects(_TYPE, ox.NamedNode(_ORG)):
        names = [v.value for v in store.describe(node).get(_NAME, [])]
        if any(fold(n) == wanted for n in names):
            scope = node.rstrip("/").split("/")[-2]
            found[node] = Candidate(node, None, "Tổ chức", None, names[0], None, scope)
    return sorted(found.values(), key=lambda c: c.iri)


def _numbered(store, numbers) -> list[dict]:
    """The documents numbered one of ``numbers``, as `Candidate` fields plus ``codes`` (all codes stated): read
    off the lineage index when the store has one (its merged facts: one look-up, however many texts cite a
    document), else from the store's quads."""
    from .lineage_index import LineageIndex

    ix = LineageIndex.of_store(store)
    if ix is not None:
        return [{"iri": f["iri"], "codes": [f["code"]] if f["code"] else [], "code": f["code"],
                 "type": f["cls"][len(DKG_NS):] if (f["cls"] or "").startswith(DKG_NS) else None,
                 "date": f["date"], "issuer": f["issuer"], "jurisdiction": f["jurisdiction"],
                 "scope": f["key"].split("|")[0] if f["key"] else None}
                for f in ix.documents_numbered(numbers) if not f["is_task"] and not f["is_org"]]
    import pyoxigraph as ox

    nodes: list[str] = []
    for form in numbers:
        nodes.extend(store.subjects(_NUMBER, ox.Literal(form)))
    out = []
    for node in dict.fromkeys(nodes):
        facts = store.describe(node)
        codes = [v.value for v in facts.get(_CODE, [])]
        classes = [v.value[len(DKG_NS):] for v in facts.get(_TYPE, []) if v.value.startswith(DKG_NS)]
        issuer = None
        if facts.get(_ISSUED):
            issuer = _first(store.describe(sorted(v.value for v in facts[_ISSUED])[0]), _NAME)
        key = _first(facts, _KEY)
        out.append({"iri": node, "codes": codes, "code": codes[0] if codes else None,
                    "type": classes[0] if classes else None, "date": _first(facts, _DATE), "issuer": issuer,
                    "jurisdiction": _first(facts, _JURIS), "scope": key.split("|")[0] if key else None})
    return out


def _holds(store, node: str) -> bool:
    """Whether the store states anything about ``node``: one index look-up on the embedded store (not every copy
    of its facts: a resolution cited by 10,000 texts has 100,000), `describe` on a server."""
    if hasattr(store, "ox") and store.ox is not None:
        import pyoxigraph as ox

        return next(iter(store.ox.quads_for_pattern(ox.NamedNode(node), None, None, None)), None) is not None
    return bool(store.describe(node))


def resolve_name(store, name: str) -> str:
    """The IRI ``name`` means in ``store`` (a `graph.store.Store`)."""
    found = candidates(store, name)
    if not found:
        raise UnknownDocument(f"no document or organisation named {name!r} in the store "
                              "(try the code as printed, e.g. 12-NQ/TW, or 'dkg stats')")
    if len(found) > 1:
        raise AmbiguousName(name, [str(c) for c in found])
    return found[0].iri
