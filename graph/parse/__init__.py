"""Text -> `graph.records.Record`: normalise, then read the header, the tasks and the cited documents.

``parse(text, source)`` is the one public function; ``graph.extract_text`` calls it.
"""
from __future__ import annotations

import hashlib
import logging
import re

from ..normalize import normalize, match_key
from ..records import Document, Record
from .header import read_header
from .references import Context, find_references
from .tasks import find_tasks, assessment_spans, segment

__all__ = ["parse"]

log = logging.getLogger(__name__)


def parse(text: str, source: str = "<text>") -> Record:
    """Read one decoded directive text into a record (offsets point into ``normalize(text).text``)."""
    norm = normalize(text)
    body = norm.text
    header = read_header(body)
    segments = segment(body, header)
    items = find_tasks(body, header, references=None, segments=segments)
    ctx = Context(own_code=header.code, province=header.province or (header.jurisdiction if header.level == "province"
                                                                      else None),
                  level=header.level, places=dict(header.places), units=dict(header.units),
                  task_spans=[(t.start, t.end) for t in items],
                  report_spans=assessment_spans(body, header, segments))
    references, nested = find_references(body, ctx)
    tasks = find_tasks(body, header, references=references, mention_relations=ctx.mention_relations,
                       segments=segments)
    warnings = list(header.warnings)
    doc = Document(id=_document_id(header, body), code=header.code, number=header.number, symbol=header.symbol,
                   type=header.type, type_code=header.type_code, issuer=header.issuer,
                   jurisdiction=header.jurisdiction, level=header.level, date=header.date, place=header.place,
                   subject=header.subject, signatory=header.signatory, recipients=header.recipients,
                   distribution=header.distribution, places=dict(header.places))
    if header.type is None:
        warnings.append("document type not found")
    if header.issuer is None:
        warnings.append("issuer not found")
    for w in warnings:
        log.warning("%s: %s", source, w)
    return Record(source=source, document=doc, references=references, tasks=tasks, nested_relations=nested,
                  warnings=warnings)


def _document_id(header, body: str) -> str:
    """The code when the document is numbered; otherwise issuer + date + a hash of the content (stable: the same
    text gives the same id, and two unnumbered documents never share one)."""
    if header.code:
        return header.code
    digest = hashlib.sha1(match_key(body).encode("utf-8")).hexdigest()[:10]
    issuer = re.sub(r"\s+", "-", match_key(header.issuer)) if header.issuer else "unknown"
    return f"{issuer}-{header.date or 'undated'}-{digest}"
