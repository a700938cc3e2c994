"""Identities: which document a header or a citation names, which organisation a name means.

A code alone is not an identity (``1771-CV/TU`` exists in every province, ``12-NQ/TW`` in 1999, 2017 and 2022,
``QĐ`` is both Quyết định and Quy định). A document is

    type word (from the text) + number + symbol + scope + year

where the scope is ``central`` for bodies of the whole country (the issuer suffix says so: TW, ĐUCA, TTg ...),
else the place chain of the issuer, from the province down to the issuer's level, as far as the texts tell:
a commune "Thạnh Hòa" of district "Giồng Trôm" is ``_/giong-trom/thanh-hoa`` (no province in its header), and
is not the "Thạnh Hòa" of another district. A citation takes from the citing document the part of its chain at
and above the cited issuer's level: "của Ban Thường vụ Huyện ủy" in a commune plan is the commune's district
(with that district's province when the commune's header names it), "của Ban Thường vụ Tỉnh ủy" its province.
A document whose place no text gives is scoped to the document that names it, so it never merges with a
namesake. A document without a number gets a content hash and is never merged.

Organisations: central bodies are one node everywhere; local names ("Đảng ủy Công an huyện", "UBND tỉnh") are
scoped by the jurisdiction of the document naming them. Names are compared after alias expansion (UBND ->
Ủy ban nhân dân) and folding (case, diacritics, ủy/uỷ).

`Resolver` matches references against the documents of the corpus: a reference without a year matches the one
corpus document with the same code and scope; when several years exist it stays unresolved and is reported. A
reference whose place chain is incomplete ("Huyện ủy Giồng Trôm" cited from a commune whose header does not name
the province) matches the one corpus document with the same code and a compatible chain (same place at its own
level, no level that disagrees); with none or several it stays apart, marked with the citing document's scope.

A header that leaves out a place above the issuer's own (a commune before 2025: "ĐẢNG BỘ HUYỆN X / ĐẢNG ỦY XÃ Y",
no province) is completed after every record is read (`Resolver.infer_places`): a corpus document the text cites
as its own superior or neighbour ("Kế hoạch số 38-KH/HU ... của Ban Thường vụ Huyện ủy": its chain, not another
place) that resolves to exactly one corpus document lends it the levels that document names. The inferred levels
are said to be inferred (a warning on the document), never taken from a cited document that disagrees with what
the header names, and not taken at all when the texts cited disagree or stay ambiguous: then two namesake communes
of namesake districts keep their incomplete chain, as before.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import sys
from dataclasses import dataclass
from typing import NamedTuple

from . import iri
from .iri import short_hash, slug
from .vocab import DOCUMENT_CLASSES, document_class, fold

CENTRAL = "central"
PLACE_LEVELS = ("province", "district", "commune")
CENTRAL_TYPES = {"Law", "Decree", "Ordinance", "Constitution", "Statute", "Platform"}


@functools.cache
def _identity_data() -> dict:
    import yaml

    from .resources import data_path

    with open(data_path("identity.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    data["_central"] = {_suffix_form(s) for s in data["central_suffixes"]}
    data["_central_re"] = [re.compile(p, re.I) for p in data.get("central_suffix_patterns") or []]
    data["_central_bodies"] = {fold(b) for b in data.get("central_bodies") or []}
    aliases = data.get("org_aliases") or {}
    data["_alias_re"] = (re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
                                    + r")(?![\w-])") if aliases else None)
    return data


# ---- documents -----------------------------------------------------------------------------------------------


# Entries of each cache of organisation names: a corpus names the same few thousand bodies again and again, and
# each text its own commune's; 65,536 of them took some 100 MB in each ingest worker at 100,000 texts.
NAME_CACHE_SIZE = 8192


@dataclass(frozen=True, slots=True)
class DocKey:
    """The identity of a document; `path` is what its IRI is made of."""

    scope: str
    type_slug: str
    number: str | None
    symbol: str | None
    year: str | None
    anon: str | None = None  # content hash or name slug when there is no number

    @property
    def local_id(self) -> str:
        if self.number:
            return f"{self.number}-{self.symbol}" if self.symbol else self.number
        return f"x-{self.anon}"

    @property
    def path(self) -> str:
        return iri.document_path(self.scope, self.year, self.type_slug, self.local_id)

    @property
    def iri(self) -> str:
        return iri.document(self.path)

    @property
    def loose(self) -> tuple:
        """The key without its year: what a citation that gives no date can still match."""
        return (self.scope, self.type_slug, self.number, self.symbol, self.anon)

    @property
    def text(self) -> str:
        """The key as one string (stored as ``dkg:identityKey``)."""
        return "|".join(p or "" for p in (self.scope, self.type_slug, self.number, self.symbol, self.year, self.anon))

    @classmethod
    def from_text(cls, text: str) -> "DocKey":
        # interned: a corpus of 100,000 keys repeats a few thousand scopes and a handful of types and years (the
        # resolver every ingest worker holds is a third smaller)
        scope, type_slug, number, symbol, year, anon = (text.split("|") + [""] * 6)[:6]
        i = sys.intern
        return cls(i(scope), i(type_slug), i(number) if number else None, i(symbol) if symbol else None,
                   i(year) if year else None, anon or None)

    @property
    def slug(self) -> str:
        """A file-name slug for the record of this document."""
        return slug(f"{self.scope}-{self.year or 'undated'}-{self.type_slug}-{self.local_id}")


def type_slug(type_word: str | None) -> str:
    local = document_class(type_word)
    if local != "Document":
        return slug(next(vi for name, vi, _en, _o in DOCUMENT_CLASSES if name == local))
    return slug(type_word, empty="van-ban")


def normal_number(number: str | None) -> str | None:
    if not number:
        return None
    number = number.strip()
    if number.isascii() and number.isdigit():  # not int(): it refuses more than 4,300 digits
        return number.lstrip("0") or "0"
    return slug(number)


def normal_symbol(symbol: str | None) -> str | None:
    if not symbol:
        return None
    variants = _identity_data().get("symbol_variants") or {}
    parts = re.split(r"([/-])", symbol.replace(" ", ""))
    parts = [variants.get(p, p) for p in parts]
    return slug("".join(parts))


def issuer_suffix(symbol: str | None) -> str | None:
    """The issuer abbreviation of a symbol: NQ/TW -> TW, HD/BTCTW-BTGTW -> BTCTW, QĐ-TTg -> TTg,
    2025/QH15 -> QH15, NĐ-CP -> CP, BNV-VP (a state Công văn) -> BNV."""
    if not symbol:
        return None
    s = symbol.replace(" ", "")
    if "/" in s:
        tail = s.rsplit("/", 1)[1]
        head = s.rsplit("/", 1)[0]
        if head.isdigit():  # 2025/QH15, 2020/NĐ-CP: year, then TYPE-ISSUER or ISSUER
            parts = tail.split("-")
            return parts[1] if len(parts) > 1 else parts[0]
        return tail.split("-")[0]
    parts = s.split("-")
    return parts[1] if len(parts) > 1 else parts[0]


def is_central_suffix(suffix: str | None) -> bool:
    if not suffix:
        return False
    data = _identity_data()
    return _suffix_form(suffix) in data["_central"] or any(r.match(suffix) for r in data["_central_re"])


def _suffix_form(suffix: str) -> str:
    # exact letters, not folded: TƯ (Trung ương) and TU (Tỉnh ủy) differ only by the horn
    import unicodedata

    return unicodedata.normalize("NFC", suffix.strip().replace("Ð", "Đ")).upper()


def jurisdiction_slug(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    folded = fold(name)
    for prefix in sorted(_identity_data().get("jurisdiction_prefixes") or [], key=len, reverse=True):
        p = fold(prefix)
        if folded.startswith(p + " "):
            folded = folded[len(p) + 1:]
            break
    return slug(folded) or None


def _year(date: str | None, symbol: str | None) -> str | None:
    if date and re.match(r"^\d{4}", date):
        return date[:4]
    m = re.match(r"^(\d{4})/", symbol or "")  # normative codes carry the year: 30/2020/NĐ-CP
    return m.group(1) if m else None


def place_chain(doc) -> tuple | None:
    """The place chain of a document's issuer: (province, district, commune) slugs cut at its level, None for a
    level its header does not name; None when its own place or level is not known.

    >>> from graph.records import Document
    >>> place_chain(Document("x", level="commune", jurisdiction="Thạnh Hoà",
    ...                      places={"district": "Giồng Trôm", "commune": "Thạnh Hoà"}))
    (None, 'giong-trom', 'thanh-hoa')
    """
    if doc.level not in PLACE_LEVELS:
        return None
    places = dict(getattr(doc, "places", None) or {})
    if doc.jurisdiction and doc.level not in places:
        places[doc.level] = doc.jurisdiction
    chain = tuple(jurisdiction_slug(places.get(level)) for level in PLACE_LEVELS[:PLACE_LEVELS.index(doc.level) + 1])
    return chain if chain[-1] else None


def scope_chain(scope: str | None) -> tuple | None:
    """The place chain a scope stands for (`iri.place_path` read back), None for ``central`` and unplaced scopes."""
    if not scope or scope == CENTRAL or scope.startswith("unplaced-"):
        return None
    path = scope.split(iri.PARTIAL_MARK, 1)[0]
    return tuple(None if part == iri.UNKNOWN_PLACE else part for part in path.split("/"))


def place_scope(doc, content_hash: str | None = None) -> str:
    """The scope local names inside ``doc`` belong to: ``central``, its place chain (`place_chain`), its
    jurisdiction when its level is not known, or, when no text says where it is from, an unplaced scope of its
    own (from ``content_hash`` when it has no number)."""
    if doc.level == CENTRAL or (doc.number and is_central_suffix(issuer_suffix(doc.symbol))):
        return CENTRAL
    chain = place_chain(doc)
    if chain:
        return iri.place_path(chain)
    j = jurisdiction_slug(doc.jurisdiction)
    if j:
        return j
    return "unplaced-" + (content_hash or short_hash(doc.code, doc.number, doc.symbol, doc.date, doc.issuer,
                                                       doc.subject))[:8]


def reference_scope(ref, citing_scope: str) -> str:
    """Where a citation's issuer is: its own place, under the part of the citing document's chain at and above
    the issuer's level ("của Ban Thường vụ Huyện ủy" in a commune plan: the commune's district, within the
    commune's province when known). A chain left incomplete carries the citing scope's mark (`iri.partial_scope`);
    with no place at the issuer's own level the citation is unplaced, kept to the citing document."""
    if ref.level == CENTRAL:
        return CENTRAL
    own = jurisdiction_slug(ref.jurisdiction)
    if ref.level not in PLACE_LEVELS:
        return own or citing_scope
    depth = PLACE_LEVELS.index(ref.level) + 1
    citing = scope_chain(citing_scope) or ()
    citing = tuple(citing[:depth]) + (None,) * (depth - len(citing[:depth]))
    at = citing[-1]
    above = citing[:-1]
    if own and at and own != at:
        above = (None,) * (depth - 1)  # a place other than the citing document's: its superiors are not told
    place = own or at
    if not place:
        return "unplaced-" + short_hash(citing_scope, ref.level)[:8]
    chain = above + (place,)
    if None in chain:
        return iri.partial_scope(iri.place_path(chain), citing_scope)
    return iri.place_path(chain)


def document_key(record) -> DocKey:
    """The identity of the document a record is (its own header)."""
    doc = record.document
    t = type_slug(doc.type)
    number = normal_number(doc.number)
    if number:
        return DocKey(place_scope(doc), t, number, normal_symbol(doc.symbol), _year(doc.date, doc.symbol))
    # no number (header lost in conversion): a stable content hash, never merged with another document
    content = [doc.issuer, doc.date, doc.subject, doc.signatory.name if doc.signatory else None]
    content += [t.text for t in record.tasks] or [r.evidence for r in record.references] or [record.source]
    anon = short_hash(*content)
    return DocKey(place_scope(doc, anon), t, None, None, _year(doc.date, None), anon)


def reference_key(ref, citing_doc, citing_key: DocKey) -> DocKey:
    """The identity of a cited document, read in the context of the citing one."""
    t = type_slug(ref.type)
    number = normal_number(ref.number)
    suffix = issuer_suffix(ref.symbol)
    if ref.level == CENTRAL or is_central_suffix(suffix) or (not number and document_class(ref.type) in CENTRAL_TYPES):
        scope = CENTRAL
    else:
        scope = reference_scope(ref, citing_key.scope)
    if number:
        return DocKey(scope, t, number, normal_symbol(ref.symbol), _year(ref.date, ref.symbol))
    name = ref.title or ref.code
    if name:  # a law cited by name ("Luật Ngân sách nhà nước")
        return DocKey(scope, t, None, None, _year(ref.date, None), slug(name)[:80])
    return DocKey(scope, t, None, None, _year(ref.date, None), short_hash(citing_key.text, ref.id))


@dataclass
class Resolution:
    key: DocKey
    problem: str | None = None


def needs_place(key: DocKey | str) -> bool:
    """True for the identity of a document whose header names its own place but not every place above it
    (``_/giong-trom/thanh-hoa``): `Resolver.infer_places` may complete it."""
    if isinstance(key, str):
        key = DocKey.from_text(key)
    chain = scope_chain(key.scope)
    return bool(chain) and bool(chain[-1]) and None in chain[:-1] and iri.PARTIAL_MARK not in key.scope


class CitedPlace(NamedTuple):
    """What `reference_key` reads of a citation to a local document (no evidence: kept for a whole corpus)."""

    id: str
    code: str | None
    number: str | None
    symbol: str | None
    type: str | None
    date: str | None
    level: str | None
    jurisdiction: str | None
    title: str | None


def place_facts(record, key: DocKey) -> tuple | None:
    """What the second identity pass (`Resolver.infer_places`) reads of a corpus record with header key ``key``:
    (source, key text, the local documents it cites), or None when its header names its whole place chain or it
    cites no local document."""
    if not needs_place(key):
        return None
    cited = tuple(CitedPlace(r.id, r.code, r.number, r.symbol, r.type, r.date, r.level, r.jurisdiction, r.title)
                  for r in record.references if r.level in PLACE_LEVELS)
    return (record.source, key.text, cited) if cited else None


class Resolver:
    """Matches reference keys against the documents known to the corpus (their texts were ingested)."""

    MAX_INFERENCE_ROUNDS = 4  # a commune letter citing its commune's plan, which cites the district's plan ...

    def __init__(self, corpus_keys=()):
        self._by_loose: dict[tuple, dict[str | None, DocKey]] = {}
        self._placed: dict[tuple, dict[DocKey, tuple]] = {}  # (type, number, symbol, anon) -> {key: chain}
        self._texts: dict[DocKey, int] = {}  # how many corpus texts have each key
        self._inferred: dict[tuple[str, str], tuple[DocKey, str]] = {}  # (source, header key) -> (key, note)
        for key in corpus_keys:
            self.add(key)

    def add(self, key: DocKey) -> None:
        self._texts[key] = self._texts.get(key, 0) + 1
        self._by_loose.setdefault(key.loose, {})[key.year] = key
        chain = scope_chain(key.scope)
        if chain and chain[-1]:
            self._placed.setdefault((key.type_slug, key.number, key.symbol, key.anon), {})[key] = chain

    def discard(self, key: DocKey) -> None:
        """One text of ``key`` fewer; the key is forgotten with its last text."""
        left = self._texts.get(key, 0) - 1
        if left > 0:
            self._texts[key] = left
            return
        self._texts.pop(key, None)
        years = self._by_loose.get(key.loose, {})
        if years.get(key.year) == key:
            del years[key.year]
            if not years:
                del self._by_loose[key.loose]
        placed = self._placed.get((key.type_slug, key.number, key.symbol, key.anon), {})
        placed.pop(key, None)

    def has_text(self, key: DocKey) -> bool:
        """True when ``key`` is the identity of a corpus text (not only a document that texts cite)."""
        return key in self._texts

    def __contains__(self, key: DocKey) -> bool:
        return key.year in self._by_loose.get(key.loose, {})

    def resolve(self, key: DocKey) -> Resolution:
        path, mark, _context = key.scope.partition(iri.PARTIAL_MARK)
        plain = dataclasses.replace(key, scope=path) if mark else key
        known = self._by_loose.get(plain.loose)
        if known:
            found = self._by_year(plain, known)
            if found is not None:
                return found
        chain = scope_chain(path)
        if chain and chain[-1]:
            return self._by_chain(key, path, chain)
        return Resolution(key)

    @staticmethod
    def _by_year(key: DocKey, known: dict) -> Resolution | None:
        if key.year in known:
            return Resolution(known[key.year])
        if key.year is None:
            if len(known) == 1:
                return Resolution(next(iter(known.values())))
            years = ", ".join(sorted(y or "undated" for y in known))
            return Resolution(key, f"reference {key.local_id} ({key.scope}) gives no year and matches "
                                   f"{len(known)} documents ({years}): left unresolved")
        if None in known and len(known) == 1:  # the corpus text lost its date, the citation has it
            return Resolution(known[None])
        return None

    def _by_chain(self, key: DocKey, path: str, chain: tuple) -> Resolution:
        """The one corpus document with the same code whose place chain agrees with ``chain`` wherever both
        name a level (a commune plan's "Huyện ủy Giồng Trôm" of an unnamed province -> the Giồng Trôm plan of
        the province that has one)."""
        found = [k for k, c in self._placed.get((key.type_slug, key.number, key.symbol, key.anon), {}).items()
                 if k.scope != path and _compatible(chain, c) and (key.year is None or k.year in (None, key.year))]
        if len(found) == 1:
            return Resolution(found[0])
        if len(found) > 1:
            places = ", ".join(sorted(k.scope for k in found)[:5])
            return Resolution(key, f"reference {key.local_id} ({path}) matches {len(found)} documents of "
                                   f"namesake places ({places}): kept apart")
        return Resolution(key)

    # -- the second identity pass: places a header leaves out, taken from the documents the text cites ----------

    def infer_places(self, facts) -> list[str]:
        """Complete the identities of corpus records whose header names their own place but not every place above
        it, from the corpus documents they cite as their own (`infer_place`). ``facts`` are `place_facts` of the
        records (None items are skipped); their header keys must already be added. Each round works against the
        state at its start, so the outcome does not depend on the order of the records. Returns the warnings
        ("source: ...") of what was inferred or left incomplete; `own_key` then gives a record's identity."""
        pending = {}  # (source, header key text) -> (cited, key so far)
        for item in facts:
            if item:
                source, key_text, cited = item
                pending[(source, key_text)] = (cited, DocKey.from_text(key_text))
        asked = list(pending)
        left: dict[tuple, str] = {}
        for _round in range(self.MAX_INFERENCE_ROUNDS):
            found = {}
            for handle, (cited, key) in pending.items():
                new, message = infer_place(cited, key, self)
                if new is not None:
                    found[handle] = (key, new, message)
                elif message:
                    left[handle] = message
            if not found:
                break
            for handle, (key, new, message) in found.items():
                self.discard(key)
                self.add(new)
                earlier = self._inferred.get(handle)
                self._inferred[handle] = (new, f"{earlier[1]}; {message}" if earlier else message)
                left.pop(handle, None)
                if needs_place(new):  # a level still missing: a later round may find it
                    pending[handle] = (pending[handle][0], new)
                else:
                    del pending[handle]
        notes = {handle: self._inferred[handle][1] for handle in asked if handle in self._inferred}
        notes.update(left)
        return [f"{source}: {message}" for (source, _k), message in sorted(notes.items())]

    def own_key(self, record) -> tuple[DocKey, str | None]:
        """The identity of the document a corpus record is: its header's (`document_key`), completed by
        `infer_places` when it was; with the note that says what was inferred."""
        key = document_key(record)
        inferred = self._inferred.get((record.source, key.text))
        return inferred if inferred else (key, None)


def infer_place(cited, key: DocKey, resolver: Resolver) -> tuple[DocKey | None, str | None]:
    """The identity ``key`` of a document with the places its header leaves out, taken from the corpus documents
    it cites (``cited``: its references, or their `CitedPlace`) as its own: a citation whose place chain is the
    citing document's own ("của Ban Thường vụ Huyện ủy" in a commune plan), resolved to exactly one corpus
    document, lends the levels that document names and the citing header does not. (completed key, note), or
    (None, warning) when the texts cited disagree or stay ambiguous, or (None, None) when nothing is told."""
    chain = scope_chain(key.scope)
    told: dict[int, dict[str, list[str]]] = {}  # level index -> place slug -> the documents that say so
    ambiguous = []
    for ref in cited:
        if ref.level not in PLACE_LEVELS:
            continue
        cited_key = reference_key(ref, None, key)
        cited_chain = scope_chain(cited_key.scope.split(iri.PARTIAL_MARK, 1)[0])
        if not cited_chain or not _own_chain(chain, cited_chain):
            continue  # a place other than the citing document's own (another district's plan)
        resolution = resolver.resolve(cited_key)
        if resolution.problem:
            ambiguous.append(resolution.problem)
            continue
        found = resolution.key
        found_chain = scope_chain(found.scope)
        if found not in resolver or found_chain is None or iri.PARTIAL_MARK in found.scope:
            continue  # no corpus text of the cited document: nothing read about its place
        n = min(len(chain), len(found_chain))
        if any(a and b and a != b for a, b in zip(chain[:n], found_chain[:n])):
            continue
        for i in range(n):
            if chain[i] is None and found_chain[i]:
                told.setdefault(i, {}).setdefault(found_chain[i], []).append(found.iri)
    if any(len(places) > 1 for places in told.values()):
        said = "; ".join(f"{PLACE_LEVELS[i]} {slug_}: {', '.join(sorted(set(iris)))}"
                         for i, places in sorted(told.items()) for slug_, iris in sorted(places.items()))
        return None, (f"{_missing_levels(chain)} of {key.iri} not in its header, and the documents it cites disagree "
                      f"({said}): left incomplete")
    if not told:
        if ambiguous:
            return None, (f"{_missing_levels(chain)} of {key.iri} not in its header, and the document it cites as its "
                          f"own is ambiguous ({ambiguous[0]}): left incomplete, namesakes may merge")
        return None, None
    completed = tuple(next(iter(told[i])) if i in told else place for i, place in enumerate(chain))
    new = dataclasses.replace(key, scope=iri.place_path(completed))
    sources = sorted({iri_ for places in told.values() for iris in places.values() for iri_ in iris})
    filled = ", ".join(f"{PLACE_LEVELS[i]} {next(iter(told[i]))}" for i in sorted(told))
    return new, (f"{filled} inferred, not in the header: taken from {', '.join(sources)}, which this text cites "
                 f"as its own")


def _own_chain(citing: tuple, cited: tuple) -> bool:
    """A citation's chain that is the citing document's own: a place wherever the citing header names one, the
    same, and at least one such place (its district, not a province the citation names on its own)."""
    pairs = list(zip(citing, cited))
    return all(a is None or a == b for a, b in pairs) and any(a and a == b for a, b in pairs)


def _missing_levels(chain: tuple) -> str:
    return " and ".join(PLACE_LEVELS[i] for i, place in enumerate(chain) if place is None)


def _compatible(a: tuple, b: tuple) -> bool:
    """Two place chains of one level that may be one place: the same place at that level, no level that differs."""
    return len(a) == len(b) and a[-1] == b[-1] and all(x is None or y is None or x == y for x, y in zip(a, b))


# ---- organisations -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgId:
    scope: str
    name: str  # canonical name, Vietnamese with diacritics
    level: str | None

    @property
    def iri(self) -> str:
        return _organisation_iri(iri.base(), self.scope, self.name)


@functools.lru_cache(maxsize=NAME_CACHE_SIZE)  # asked for every mention of a body: slugging its name again cost 5% of ingest
def _organisation_iri(base: str, scope: str, name: str) -> str:
    return iri.organisation(scope, fold(_expand_aliases(name)))


_TONE_STYLE = (("uỷ", "ủy"), ("Uỷ", "Ủy"), ("UỶ", "ỦY"), ("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oạ", "ọa"),
               ("uý", "úy"), ("uỳ", "ùy"), ("uỵ", "ụy"), ("oẻ", "ỏe"), ("oé", "óe"))
# only an open rhyme ends its syllable: "Hoà" -> "Hòa", but "Đoàn", "toàn", "Quỳnh" keep their tone where it is
_TONE_STYLE_RE = re.compile("(" + "|".join(new for new, _old in _TONE_STYLE) + r")(?![^\W\d_])")
_TONE_STYLE_MAP = dict(_TONE_STYLE)


@functools.lru_cache(maxsize=NAME_CACHE_SIZE)  # a corpus names the same few thousand bodies again and again
def canonical_org_name(name: str) -> tuple[str, str | None]:
    """(canonical name, level or None): from `graph.organisations` when it is installed, else a local rule."""
    entry, level = None, None
    try:
        from . import organisations  # the parser's gazetteer (issue 2): canonical names and levels
    except ImportError:  # pragma: no cover - the gazetteer ships with the parser
        organisations = None
    if organisations is not None:
        try:
            entry = organisations.lookup(name, prefix=False)
            level = organisations.level_of(name)
        except Exception:  # a gazetteer problem must not stop identity: fall back to the local rule
            entry, level = None, None
    if entry is not None:
        return entry.name, entry.level or level
    import unicodedata

    text = unicodedata.normalize("NFC", " ".join(name.split())).strip(" ,;.:")
    text = _TONE_STYLE_RE.sub(lambda m: _TONE_STYLE_MAP[m.group(1)], text)
    return _expand_aliases(text), level


def _expand_aliases(text: str) -> str:
    data = _identity_data()
    if data["_alias_re"] is None:
        return text
    aliases = data["org_aliases"]
    return data["_alias_re"].sub(lambda m: aliases[m.group(1)], text)


@functools.lru_cache(maxsize=NAME_CACHE_SIZE)
def organisation_id(name: str, level: str | None, scope: str) -> OrgId:
    """The organisation a name means when written in a text of ``scope`` (see `place_scope`): central bodies
    are central wherever they are named, every other name belongs to that scope."""
    canonical, known_level = canonical_org_name(name)
    level = level or known_level
    folded = fold(canonical)
    data = _identity_data()
    if level == CENTRAL or folded in data["_central_bodies"] or "trung uong" in folded:
        return OrgId(CENTRAL, canonical, CENTRAL)
    # "Ban Thường vụ Tỉnh ủy Bắc Ninh" inside Bắc Ninh's scope is its "Ban Thường vụ Tỉnh ủy"
    words = canonical.split()
    own_place = scope.split(iri.PARTIAL_MARK, 1)[0].rsplit("/", 1)[-1]
    for k in range(1, min(4, len(words) - 1) + 1):
        if slug(" ".join(words[-k:])) == own_place:
            canonical = " ".join(words[:-k])
            break
    return OrgId(scope, canonical, level)
