"""Names as users write them -> IRIs in the store.

Accepted: a code in any case, with or without diacritics (``12-NQ/TW``, ``12-nq/tw``, ``18/qd-ttg``), a type
word and a number (``Nghị quyết 12``, ``nghi quyet 12``, ``Nghị quyết số 12-NQ/TW``), optionally a year
(``12-NQ/TW 2022``), an organisation name (``Đảng ủy Công an tỉnh``), or an IRI. Several matches raise
`AmbiguousName` listing code, type, date, issuer and jurisdiction; none raises `UnknownDocument`.

Only the number of a name ever reaches the store, and as a bound parameter: the rest is compared in Python,
so nothing a user types becomes query text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import AmbiguousName, UnknownDocument
from .vocab import DKG_NS, DOCUMENT_CLASSES, document_class, fold

_CANDIDATES = """
SELECT ?d ?number ?code ?type ?date ?issuer ?jurisdiction ?key ?source WHERE {
  ?d dkg:number ?number .
  OPTIONAL { ?d dkg:code ?code }
  OPTIONAL { ?d a ?type . FILTER(STRSTARTS(STR(?type), STR(dkg:))) }
  OPTIONAL { ?d dkg:date ?date }
  OPTIONAL { ?d dkg:issuedBy/dkg:name ?issuer }
  OPTIONAL { ?d dkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?d dkg:identityKey ?key }
  OPTIONAL { ?d dkg:sourceFile ?source }
}"""

_ORGS = """
SELECT ?o ?name ?level WHERE { ?o a dkg:Organisation ; dkg:name ?name . OPTIONAL { ?o dkg:level ?level } }"""

_EXISTS = "ASK { ?s ?p ?o }"


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
    """Every document or organisation ``name`` may mean."""
    import pyoxigraph as ox

    name = (name or "").strip()
    if not name:
        return []
    if re.match(r"^https?://\S+$", name):
        if store.query(_EXISTS, {"s": ox.NamedNode(name)}):
            return [Candidate(name, None, None, None, None, None, None)]
        return []
    type_local, number, code, year = _parse(name)
    found: dict[str, Candidate] = {}
    if number:
        for form in {number, str(int(number)), number.zfill(2)}:
            for row in store.select(_CANDIDATES, {"number": form}):
                if code and (row["code"] is None or _code_form(row["code"]) != _code_form(code)):
                    continue
                cls = row["type"][len(DKG_NS):] if row["type"] else None
                if type_local and cls != type_local:
                    continue
                if year and not (row["date"] or "").startswith(year):
                    continue
                label = next((vi for local, vi, _e, _o in DOCUMENT_CLASSES if local == cls), cls)
                scope = row["key"].split("|")[0] if row["key"] else None
                found.setdefault(row["d"], Candidate(row["d"], row["code"], label, row["date"], row["issuer"],
                                                     row["jurisdiction"], scope))
        return sorted(found.values(), key=lambda c: (c.date or "", c.iri))
    from .resolve import canonical_org_name

    wanted = fold(canonical_org_name(name)[0])
    for row in store.select(_ORGS):
        if fold(row["name"]) == wanted:
            scope = row["o"].rstrip("/").split("/")[-2]
            found.setdefault(row["o"], Candidate(row["o"], None, "Tổ chức", None, row["name"], None, scope))
    return sorted(found.values(), key=lambda c: c.iri)


def resolve_name(store, name: str) -> str:
    """The IRI ``name`` means in ``store`` (a `graph.store.Store`)."""
    found = candidates(store, name)
    if not found:
        raise UnknownDocument(f"no document or organisation named {name!r} in the store "
                              "(try the code as printed, e.g. 12-NQ/TW, or 'dkg stats')")
    if len(found) > 1:
        raise AmbiguousName(name, [str(c) for c in found])
    return found[0].iri
