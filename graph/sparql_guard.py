"""Finds a SPARQL ``SERVICE`` call in query text, so that ``dkg serve`` can refuse it before Oxigraph runs it.

``SERVICE <url> { ... }`` makes the server fetch any URL it can reach (server-side request forgery), and
Oxigraph's server has no switch to turn it off. The check is a lexer, not a parser: a parser that disagrees
with Oxigraph's on one corner of the grammar is a bypass, and rdflib's refuses queries dkg itself sends
(``LATERAL``). The lexer only has to know where SPARQL text is *not* code, and it leans towards refusing:

- It looks at the query as sent and at every reading of its ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes (the SPARQL
  spec decodes them in the whole query before parsing, Oxigraph 0.5 only inside strings and IRIs, and the
  decoders disagree on ``\\\\u``): SERVICE in any reading is refused.
- It skips comments (``#`` to CR or LF, as Oxigraph does: ending one earlier is no safer, since the rest of
  the line could then open a long string that hides the next lines), strings (``'..'``, ``".."``,
  ``'''..'''``, ``\"\"\"..\"\"\"``, backslash escapes), IRIs (``<...>`` without spaces or ``<>"{}|^`\\``)
  and language tags. An unterminated string is read as code.
- ``<`` is also the less-than operator: ``FILTER(1<2)SERVICE?x#>`` then a new line and ``{...}`` is an IRI
  ``<2)SERVICE?x#>`` for a lexer and a SERVICE call for Oxigraph. The only way such an "IRI" hides a call is a
  ``)`` closing the filter and a ``#`` comment eating the ``>``, so an IRI holding both is also read as code.
- Outside those, the letters ``service`` in any case are refused wherever they stand (``xSERVICE`` and
  ``SERVICEex:a`` too: Oxigraph needs no space after a keyword), unless they belong to a variable
  (``?service``), the local part of a prefixed name or blank node label (``ex:service``, ``ex:a.service``,
  ``_:service``) or a language tag. ``ex:.SERVICE`` is a prefixed name ``ex:``, a dot and a keyword.

A query that is refused wrongly can be rewritten (``?service`` instead of a bare word); a SERVICE that is
missed is a request to whatever the server can reach.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ServiceCall", "find_service"]

KEYWORD = "service"
# SPARQL 1.1 grammar [164]-[168]: the characters of names, variables and prefixed names
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
         "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_VAR_CHAR = _BASE + "_0-9\u00b7\u0300-\u036f\u203f\u2040"
_NAME_CHAR = _VAR_CHAR + r"\-.:%"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile("|".join([
    r"(?P<comment>\#[^\r\n]*)",  # Oxigraph ends a comment at CR or LF only (tests pin it)
    r"(?P<string>'''(?:(?:''?)?(?:[^'\\]|\\[\s\S]))*'''"
    r'|"""(?:(?:""?)?(?:[^"\\]|\\[\s\S]))*"""'
    r"|'(?:[^'\\\r\n]|\\[^\r\n])*'"
    r'|"(?:[^"\\\r\n]|\\[^\r\n])*")',
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    rf"(?P<variable>[?$][{_VAR_CHAR}]*)",
    r"(?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    rf"(?P<name>(?:[{_NAME_CHAR}]|{_LOCAL_ESCAPE})+)",
    rf"(?P<other>[^{_NAME_CHAR}#'\"<?$@\\]+|[\s\S])",
]))
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PAIRED_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|[\s\S])")
_LOCAL_START = re.compile(rf"[{_BASE}_:0-9]|{_LOCAL_ESCAPE}|%[0-9A-Fa-f]{{2}}")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

@dataclass(frozen=True)
class ServiceCall:
    """Where a SERVICE keyword was found: line and column (1-based) in the reading it was found in."""

    line: int
    column: int
    decoded: bool  # found only once \\u escapes are decoded

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}"
        return where + (" once \\u escapes are decoded" if self.decoded else "")


def find_service(query: str) -> ServiceCall | None:
    """The first SERVICE keyword in any reading of ``query`` (see the module docstring), else None.

    >>> find_service("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    ServiceCall(line=1, column=18, decoded=False)
    >>> find_service("SELECT ?service WHERE { ?s <http://x/service> ?service }") is None
    True
    """
    if "\\" not in query and KEYWORD not in query.lower():
        return None  # the lexer refuses only where these letters stand
    for decoded, text in enumerate(_readings(query)):
        at = _scan(text, 0, len(text))
        if at is not None:
            line = text.count("\n", 0, at) + 1
            return ServiceCall(line, at - (text.rfind("\n", 0, at) + 1) + 1, bool(decoded))
    return None


def _readings(query: str) -> list[str]:
    """The query as sent, then decoded the way the SPARQL spec says (each ``\\uXXXX`` anywhere, repeated until
    nothing changes), then decoded as Oxigraph's decoder does (``\\\\`` is a pair and stays)."""
    readings = [query]
    if "\\" not in query:
        return readings
    text = query
    for _ in range(4):
        decoded = _ESCAPE.sub(_decode, text)
        if decoded == text:
            break
        readings.append(text := decoded)
    paired = _PAIRED_ESCAPE.sub(lambda m: _decode(m) if m.group(1) or m.group(2) else m.group(0), query)
    if paired not in readings:
        readings.append(paired)
    return readings


def _decode(match: re.Match) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def _scan(text: str, start: int, end: int) -> int | None:
    """The offset of the first SERVICE keyword in code between ``start`` and ``end``, else None."""
    at = start
    while at < end:
        m = _TOKEN.match(text, at, end)
        kind = m.lastgroup
        if kind == "name":
            found = _in_name(m.group(), 0)
            if found is not None:
                return at + found
        elif kind == "iri":
            inside = m.group()[1:-1]
            if ")" in inside and "#" in inside:  # it may be '<' as less-than: read it as code too
                found = _scan(text, at + 1, m.end() - 1)
                if found is not None:
                    return found
        at = m.end()
    return None


def _in_name(run: str, offset: int) -> int | None:
    """The offset of SERVICE in a run of name characters, unless it is in the local part of a prefixed name.

    The local part starts after the run's first ':' when its first character may start one (not '.' or '-');
    otherwise the prefixed name ends at the ':' and the rest is read again as a new run.
    """
    colon = run.find(":")
    head = run if colon < 0 else run[:colon]
    found = head.lower().find(KEYWORD)
    if found >= 0:
        return offset + found
    if colon < 0:
        return None
    local = run[colon + 1:]
    if not _LOCAL_START.match(local):
        return _in_name(local, offset + colon + 1) if local else None
    bad = _BAD_PERCENT.search(local)  # a '%' without two hex digits ends the local part
    if bad:
        return _in_name(local[bad.start() + 1:], offset + colon + 1 + bad.start() + 1)
    return None
