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
import functools
import json
import re
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


def yaml_text(data, width: int | None = None) -> str:
    """``yaml.dump(data, CSafeDumper, allow_unicode=True, sort_keys=False, width=width)`` for the plain data of a
    record (dicts, lists, str, int, bool, None), byte for byte, in well under half its time (0.4 ms a record
    against 1.1; ingest writes one record per text): written directly by `graph.yaml_writer`; what it leaves to
    PyYAML is serialised from nodes made here (instead of by PyYAML's generic representer), with scalars resolved
    without its path machinery."""
    from .yaml_writer import block_yaml

    text = block_yaml(data, width or 80)
    if text is not None:
        return text
    import yaml

    return yaml.serialize(_yaml_node(data), Dumper=_fast_dumper(), allow_unicode=True, width=width)


def _yaml_node(value):
    return _yaml_node_maker()(value)


@functools.cache
def _yaml_node_maker():
    """The node builder of `yaml_text`, with PyYAML's classes bound once (a record has a few hundred nodes)."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    str_tag, map_tag, seq_tag = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

    def node(value):
        if isinstance(value, str):
            return ScalarNode(str_tag, value)
        if value is None:
            return ScalarNode("tag:yaml.org,2002:null", "null")
        if isinstance(value, dict):
            return MappingNode(map_tag, [(ScalarNode(str_tag, k), node(v)) for k, v in value.items()],
                               flow_style=False)
        if isinstance(value, (list, tuple)):
            return SequenceNode(seq_tag, [node(v) for v in value], flow_style=not value or None)
        if isinstance(value, bool):
            return ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false")
        if isinstance(value, int):
            return ScalarNode("tag:yaml.org,2002:int", str(value))
        raise TypeError(f"not record data: {type(value).__name__}")

    return node


@functools.cache
def _fast_dumper():
    import yaml
    from yaml.nodes import ScalarNode, SequenceNode

    from .yaml_writer import implicit_resolvers

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    implicit = implicit_resolvers()
    scalar_tag, sequence_tag, mapping_tag = (base.DEFAULT_SCALAR_TAG, base.DEFAULT_SEQUENCE_TAG,
                                             base.DEFAULT_MAPPING_TAG)
    no_resolvers = ()

    def resolve(self, kind, value, implicit_flags):
        # the emitter asks twice for every scalar: keep the common answer (a plain string) cheap
        if kind is ScalarNode:
            if implicit_flags[0]:
                for tag, regexp in implicit.get(value[:1], no_resolvers):
                    if regexp.match(value):
                        return tag
            return scalar_tag
        return sequence_tag if kind is SequenceNode else mapping_tag

    return type("RecordDumper", (base,), {"resolve": resolve, "descend_resolver": lambda self, *a: None,
                                          "ascend_resolver": lambda self, *a: None})


def read_record(path: str | Path) -> Record:
    """Read a YAML or JSON record file; a malformed one raises `RecordError` naming the file and line."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RecordError(f"{path}: cannot read: {e}") from None
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=record_loader(text))
    except json.JSONDecodeError as e:
        raise RecordError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"{mark.line + 1}:" if mark else ""
        raise RecordError(f"{path}:{line} invalid YAML: {getattr(e, 'problem', e)}") from None
    except (ValueError, TypeError, RecursionError) as e:  # a value YAML cannot build, or nesting too deep
        raise RecordError(f"{path}: invalid YAML: {type(e).__name__}: {e}") from None
    return record_from_data(data, path, text=text)


def record_loader(text: str = ""):
    """The YAML loader of records: safe, and dates stay text ("date: 2026-05-15" written without quotes by a
    person is the string the record holds, and "2026-13-45" is reported as a bad date, with its line).

    libyaml (ten times faster) crashes the process (SIGSEGV) on flow collections nested some 30,000 deep
    ("[[[[..."), so a text that may nest deeply is read by the pure-Python loader, which raises RecursionError."""
    return _loader(pure=_may_nest_deeply(text) or bool(_ALIAS.search(text)))


# dkg never writes YAML aliases; one in a record is a person's doing, and a few nested aliases expand to billions
# of nodes ("billion laughs"): such a text is read by the pure-Python loader, which counts them.
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]")
MAX_ALIASES = 100


def _may_nest_deeply(text: str, depth: int = 200) -> bool:
    if text.count("[") + text.count("{") < depth:
        return False
    level = 0
    for c in text:  # brackets inside quotes count too: an overestimate only costs the slower loader
        if c in "[{":
            level += 1
            if level >= depth:
                return True
        elif c in "]}" and level:
            level -= 1
    return False


@functools.cache
def _loader(pure: bool):
    import yaml

    base = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {first: [(tag, regexp) for tag, regexp in pairs if tag != "tag:yaml.org,2002:timestamp"]
                 for first, pairs in base.yaml_implicit_resolvers.items()}
    namespace = {"yaml_implicit_resolvers": resolvers}
    if pure:
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.dkg_aliases = getattr(self, "dkg_aliases", 0) + 1
                if self.dkg_aliases > MAX_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases (a record written by dkg has none)")
            return base.compose_node(self, parent, index)

        namespace["compose_node"] = compose_node
    return type("RecordLoader", (base,), namespace)


def record_from_data(data: Any, path: str | Path = "<record>", text: str | None = None) -> Record:
    """Check the shape of a loaded record and build it; errors name the file, the line (when ``text``, the file's
    content, is given) and the field."""
    problems = record_problems(data)
    if problems:
        keys, problem = problems[0]
        line = _line_of(text, keys) if text is not None else None
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise RecordError(f"{path}:{f'{line}:' if line else ''} {_field_name(keys)}{problem}{more}")
    try:
        return Record.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise RecordError(f"{path}: malformed record: {e!r}") from None


# ---- the shape of a record, checked before it is built -------------------------------------------------------
# Field kinds: text (a string), label (a string or a number), date (YYYY-MM-DD), level, relation, int (a
# non-negative whole number), texts (a list of strings); a trailing "!" marks a required field. A value of None is
# accepted for optional fields except int and relation, which have defaults when absent.

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # as graph.normalize removes them from texts
_SIGNATORY_FIELDS = {"name": "text", "role": "text", "authority": "text"}
_DOCUMENT_FIELDS = {"id": "text!", "code": "text", "number": "text", "symbol": "text", "type": "text",
                    "type_code": "text", "issuer": "text", "jurisdiction": "text", "level": "level", "date": "date",
                    "place": "text", "subject": "text", "signatory": _SIGNATORY_FIELDS, "recipients": "texts",
                    "distribution": "texts"}
_MENTION_FIELDS = {"evidence": "text!", "start": "int!", "end": "int!"}
_REFERENCE_FIELDS = {"id": "text!", "code": "text", "number": "text", "symbol": "text", "type": "text",
                     "date": "date", "issuer": "text", "jurisdiction": "text", "level": "level", "title": "text",
                     "relation": "relation", "evidence": "text", "start": "int", "end": "int",
                     "mentions": [_MENTION_FIELDS]}
_ORGANISATION_FIELDS = {"name": "text!", "level": "level"}
_TASK_FIELDS = {"label": "label!", "text": "text", "assignees": [_ORGANISATION_FIELDS],
                "lead": [_ORGANISATION_FIELDS], "cooperating": [_ORGANISATION_FIELDS], "implements": "texts",
                "start": "int", "end": "int"}
_NESTED_FIELDS = {"from": "text!", "relation": "relation!", "to": "text!", "evidence": "text", "start": "int",
                  "end": "int"}
_RECORD_FIELDS = {"source": "text!", "document!": _DOCUMENT_FIELDS, "references": [_REFERENCE_FIELDS],
                  "tasks": [_TASK_FIELDS], "nested_relations": [_NESTED_FIELDS], "warnings": "texts"}


def record_problems(data: Any) -> list[tuple[tuple, str]]:
    """Every problem of a loaded record's shape, as (path of keys, message); [] for a sound record."""
    problems: list[tuple[tuple, str]] = []
    _check_mapping(data, _RECORD_FIELDS, (), problems)
    return problems


def _check_mapping(value, fields: dict, keys: tuple, problems: list) -> None:
    if not isinstance(value, dict):
        problems.append((keys, f"must be a mapping, found {_kind(value)}"))
        return
    for name, spec in fields.items():
        required = name.endswith("!") or (isinstance(spec, str) and spec.endswith("!"))
        name = name.rstrip("!")
        if name not in value:
            if required:
                problems.append((keys, f"missing field '{name}'"))
            continue
        _check_value(value[name], spec, keys + (name,), required, problems)


def _check_value(value, spec, keys: tuple, required: bool, problems: list) -> None:
    if isinstance(spec, dict):
        if value is not None or required:
            _check_mapping(value, spec, keys, problems)
        return
    if isinstance(spec, list):
        if value is None:
            return
        if not isinstance(value, list):
            problems.append((keys, f"must be a list, found {_kind(value)}"))
            return
        for i, item in enumerate(value):
            _check_mapping(item, spec[0], keys + (i,), problems)
        return
    kind = spec.rstrip("!")
    if value is None:
        if required or kind in ("int", "relation"):
            problems.append((keys, "must not be empty"))
        return
    if kind == "texts":
        if not isinstance(value, list):
            problems.append((keys, f"must be a list of texts, found {_kind(value)}"))
        else:
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    problems.append((keys + (i,), f"must be text, found {_kind(item)}"))
                elif bad := _CONTROL.search(item):
                    problems.append((keys + (i,), f"holds a control character ({bad.group(0)!r})"))
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append((keys, f"must be a whole number of 0 or more, found {_kind(value)}"))
    elif kind == "label":
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            problems.append((keys, f"must be a label such as \"2\" or \"II\", found {_kind(value)}"))
    elif not isinstance(value, str):
        hint = f" (quote it: '{value}')" if isinstance(value, (int, float)) else ""
        problems.append((keys, f"must be text, found {_kind(value)}{hint}"))
    elif kind == "text" and required and not value.strip():
        problems.append((keys, "must not be empty"))
    elif kind == "text" and keys != ("source",) and (bad := _CONTROL.search(value)):
        problems.append((keys, f"holds a control character ({bad.group(0)!r}): a terminal would run it"))
    elif kind == "date" and not _is_date(value):
        problems.append((keys, f"{value!r} is not a date (YYYY-MM-DD)"))
    elif kind == "level" and value not in LEVELS:
        problems.append((keys, f"{value!r} is not a level ({', '.join(LEVELS)})"))
    elif kind == "relation" and value not in RELATIONS:
        problems.append((keys, f"{value!r} is not a relation ({', '.join(RELATIONS)})"))


def _is_date(value: str) -> bool:
    import datetime

    if not _ISO_DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _kind(value) -> str:
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"[:60]


def _field_name(keys: tuple) -> str:
    name = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")
    return f"{name}: " if name else ""


def _line_of(text: str, keys: tuple) -> int | None:
    """The line of the value at ``keys`` in a YAML (or JSON) text, or of the nearest mapping holding it."""
    import yaml

    try:
        node = yaml.compose(text, Loader=record_loader(text))
    except Exception:  # the text loaded once already; a second look that fails only loses the line number
        return None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1 if node is not None else None
