"""The record: what the parser reads out of one directive text.

Its dictionary shape is a contract (``dkg extract --format json``; the YAML files in ``data/directives/``):
other tools read these field names, so they never change. New fields may be added.

    {"source": "data/corpus/x.txt",
     "document": {"id", "code", "number", "symbol", "type", "type_code", "issuer", "jurisdiction", "level",
                  "date", "place", "subject", "signatory": {"name", "role", "authority"} | null,
                  "recipients": [...], "distribution": [...],
                  "places": {"province"?, "district"?, "commune"?: place name}},
     "references": [{"id", "code", "number", "symbol", "type", "date", "issuer", "jurisdiction", "level",
                     "title", "relation", "evidence", "start", "end", "mentions": [{"evidence", "start", "end"}]}],
     "nested_relations": [{"from", "relation", "to", "evidence", "start", "end"}],
     "tasks": [{"label", "text", "assignees": [{"name", "level"}], "lead": [...], "cooperating": [...],
                "implements": ["<reference id>"], "start", "end"}],
     "warnings": [...]}

Offsets are character offsets into the normalised text (``graph.normalize``).
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RecordError

LEVELS = ("central", "province", "district", "commune")
RELATIONS = ("implements", "based_on", "cites", "guides", "amends", "replaces", "repeals", "part_of")


@dataclass
class Organisation:
    """An organisation named in a text, with its administrative level (None when unknown)."""

    name: str
    level: str | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "level": self.level}

    @classmethod
    def from_dict(cls, d: dict) -> "Organisation":
        return cls(name=d["name"], level=d.get("level"))


@dataclass
class Signatory:
    name: str | None
    role: str | None = None
    authority: str | None = None  # "T/M BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "authority": self.authority}

    @classmethod
    def from_dict(cls, d: dict) -> "Signatory":
        return cls(name=d.get("name"), role=d.get("role"), authority=d.get("authority"))


@dataclass
class Mention:
    """One place in the text where a cited document is named."""

    evidence: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"evidence": self.evidence, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict) -> "Mention":
        return cls(evidence=d["evidence"], start=int(d["start"]), end=int(d["end"]))


@dataclass
class Document:
    """The document a text is: its own header, as far as the text tells."""

    id: str
    code: str | None = None
    number: str | None = None
    symbol: str | None = None
    type: str | None = None
    type_code: str | None = None
    issuer: str | None = None
    jurisdiction: str | None = None
    level: str | None = None
    date: str | None = None  # ISO 8601, "2026-05-15"
    place: str | None = None
    subject: str | None = None
    signatory: Signatory | None = None
    recipients: list[str] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)
    # the administrative chain the header tells, level -> place name, e.g. {"district": "Giồng Trôm",
    # "commune": "Thạnh Hòa"} for "ĐẢNG BỘ HUYỆN GIỒNG TRÔM / ĐẢNG ỦY XÃ THẠNH HÒA"; `jurisdiction` is its last place
    places: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["signatory"] = self.signatory.to_dict() if self.signatory else None
        d["recipients"] = list(self.recipients)
        d["distribution"] = list(self.distribution)
        d["places"] = dict(self.places)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        kw = _known(cls, d)
        sig = d.get("signatory")
        kw["signatory"] = Signatory.from_dict(sig) if sig else None
        kw["recipients"] = list(d.get("recipients") or [])
        kw["distribution"] = list(d.get("distribution") or [])
        places = d.get("places") or {}
        if not isinstance(places, dict):
            raise ValueError(f"document.places must be a mapping of level to place name, found {places!r}"[:120])
        kw["places"] = {str(k): str(v) for k, v in places.items() if k in LEVELS and v}
        return cls(**kw)


@dataclass
class Reference:
    """A document cited by the text, once per distinct document, with every mention as evidence."""

    id: str
    code: str | None = None
    number: str | None = None
    symbol: str | None = None
    type: str | None = None
    date: str | None = None
    issuer: str | None = None
    jurisdiction: str | None = None
    level: str | None = None
    title: str | None = None
    relation: str = "cites"
    evidence: str = ""
    start: int = 0
    end: int = 0
    mentions: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["mentions"] = [m.to_dict() for m in self.mentions]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Reference":
        kw = _known(cls, d)
        kw["mentions"] = [Mention.from_dict(m) for m in d.get("mentions") or []]
        return cls(**kw)

    def __repr__(self) -> str:
        return f"Reference({self.code or self.title!r}, {self.relation})"


@dataclass
class NestedRelation:
    """A link the text states between two documents it cites ("01-HD/BTCTW ... thi hành 343-QĐ/TW")."""

    from_id: str
    relation: str
    to_id: str
    evidence: str = ""
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return {"from": self.from_id, "relation": self.relation, "to": self.to_id,
                "evidence": self.evidence, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict) -> "NestedRelation":
        return cls(from_id=d["from"], relation=d["relation"], to_id=d["to"], evidence=d.get("evidence", ""),
                   start=int(d.get("start", 0)), end=int(d.get("end", 0)))


@dataclass
class Task:
    """A numbered or bulleted item that gives work to organisations."""

    label: str
    text: str
    assignees: list[Organisation] = field(default_factory=list)
    lead: list[Organisation] = field(default_factory=list)
    cooperating: list[Organisation] = field(default_factory=list)
    implements: list[str] = field(default_factory=list)  # reference ids
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return {"label": self.label, "text": self.text,
                "assignees": [o.to_dict() for o in self.assignees],
                "lead": [o.to_dict() for o in self.lead],
                "cooperating": [o.to_dict() for o in self.cooperating],
                "implements": list(self.implements), "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict) -> "Task":
        orgs = lambda key: [Organisation.from_dict(o) for o in d.get(key) or []]  # noqa: E731
        return cls(label=str(d["label"]), text=d.get("text", ""), assignees=orgs("assignees"), lead=orgs("lead"),
                   cooperating=orgs("cooperating"), implements=list(d.get("implements") or []),
                   start=int(d.get("start", 0)), end=int(d.get("end", 0)))


@dataclass
class Record:
    """Everything read out of one text."""

    source: str
    document: Document
    references: list[Reference] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    nested_relations: list[NestedRelation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"source": self.source, "document": self.document.to_dict(),
                "references": [r.to_dict() for r in self.references],
                "nested_relations": [n.to_dict() for n in self.nested_relations],
                "tasks": [t.to_dict() for t in self.tasks], "warnings": list(self.warnings)}

    @classmethod
    def from_dict(cls, d: dict) -> "Record":
        return cls(source=d["source"], document=Document.from_dict(d["document"]),
                   references=[Reference.from_dict(r) for r in d.get("references") or []],
                   tasks=[Task.from_dict(t) for t in d.get("tasks") or []],
                   nested_relations=[NestedRelation.from_dict(n) for n in d.get("nested_relations") or []],
                   warnings=list(d.get("warnings") or []))

    def reference(self, ref_id: str) -> Reference | None:
        return next((r for r in self.references if r.id == ref_id), None)


def _known(cls, d: dict) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in d.items() if k in names}


# ---- serialisation -------------------------------------------------------------------------------------------


def to_json(record: Record, indent: int | None = 2) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False, indent=indent)


def to_yaml(record: Record) -> str:
    import yaml

    return yaml.safe_dump(record.to_dict(), allow_unicode=True, sort_keys=False, width=120)


def read_record(path: str | Path) -> Record:
    """Read a YAML or JSON record file; a malformed one raises `RecordError` naming the file and line."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RecordError(f"{path}: cannot read: {e}") from None
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as e:
        raise RecordError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"{mark.line + 1}:" if mark else ""
        raise RecordError(f"{path}:{line} invalid YAML: {getattr(e, 'problem', e)}") from None
    return record_from_data(data, path)


def record_from_data(data: Any, path: str | Path = "<record>") -> Record:
    """Check the shape of a loaded record and build it; errors name the file and the field."""
    if not isinstance(data, dict):
        raise RecordError(f"{path}: a record must be a mapping, found {type(data).__name__}")
    for key in ("source", "document"):
        if key not in data:
            raise RecordError(f"{path}: missing field '{key}'")
    if not isinstance(data["document"], dict) or not data["document"].get("id"):
        raise RecordError(f"{path}: 'document' must be a mapping with an 'id'")
    for key in ("references", "tasks", "nested_relations", "warnings"):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            raise RecordError(f"{path}: '{key}' must be a list, found {type(data[key]).__name__}")
    try:
        return Record.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise RecordError(f"{path}: malformed record: {e!r}") from None
