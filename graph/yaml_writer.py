"""A record's YAML written directly, byte for byte as libyaml writes it (``yaml.dump(data, Dumper=CSafeDumper,
allow_unicode=True, sort_keys=False, width=...)``), for the data a record holds: mappings with short text keys,
lists, text, integers, booleans and None.

Ingest writes one record per text: PyYAML spent most of its time building events and asking its resolver about
each scalar, twice (0.8 ms a record, 80 CPU-seconds at 100,000 texts; this writer takes about 0.45 ms). It does what
libyaml's emitter does for that data: the same choice of plain or single-quoted style (libyaml's
``analyze_scalar`` and ``choose_scalar_style``), the same folding of long scalars at a single space past the width,
the same line breaks in quotes, the same indentation (block mappings, sequences in mappings without indentation,
``[]`` and ``{}`` for empty ones).

What it does not cover it refuses (`block_yaml` returns None) and the caller lets PyYAML write the whole text:
tabs, a space beside a line break and the other texts libyaml writes double-quoted, characters outside the Basic
Multilingual Plane, lists directly in lists, keys that are not short ASCII text. Tested against PyYAML on the
records of real and generated texts and on generated scalars (`tests/test_yaml_writer.py`).
"""
from __future__ import annotations

import functools
import re

INDENT = 2

# characters libyaml writes as they are (printable, allow_unicode; line breaks in quotes); any other one sends the
# text to PyYAML
_PRINTABLE_BUT_QUOTE = "\x20-\x26\x28-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_UNUSUAL = re.compile(f"[^\n'{_PRINTABLE_BUT_QUOTE}]")
_BREAKS = re.compile("(\n+)")
# libyaml's block indicators (analyze_scalar): a leading indicator character, "? ", ": ", "- " or a lone one at the
# start, ": " or a final ":" anywhere, " #", a leading or trailing space, a leading "---" or "..."; and the empty text
_NOT_PLAIN = re.compile(r"""^[#,\[\]{}&*!|>'"%@`]|^[?:-](?: |$)|:(?: |$)| #|^ | $|^---|^\.\.\.|^$""")
# what sends a text off the quick path (written plain): a character not printable, a line break, a quote; a first
# character that may be an indicator; ": ", " #", a final ":" or space (checked with `in`: a regex alternation
# tried at every position of a long text took longer than PyYAML)
_CAREFUL = re.compile(f"[^{_PRINTABLE_BUT_QUOTE}]")
_CAREFUL_FIRST = frozenset("#,[]{}&*!|>'\"%@`?:-. ")
# where a long scalar may be folded: a single space between two other characters
_FOLD_AT = re.compile(r"(?<=[^ ]) (?=[^ ])")


class _Unusual(Exception):
    """Data this writer leaves to PyYAML."""


def block_yaml(data: dict, width: int = 80) -> str | None:
    """The YAML text of the mapping ``data`` as libyaml writes it with line ``width``, or None when the data holds
    something this writer leaves to PyYAML (see the module docstring)."""
    if not isinstance(data, dict):
        return None
    if not data:
        return "{}\n"
    out: list[str] = []
    try:
        _mapping(data, 0, True, out, width)
    except _Unusual:
        return None
    out.append("\n")
    return "".join(out)


def _mapping(data: dict, indent: int, inline: bool, out: list, width: int) -> None:
    """Write a non-empty mapping whose keys start at column ``indent``; ``inline``: its first key goes where the
    text is (the start of the document, after a sequence's "- "), else on a new line."""
    margin = "\n" + " " * indent
    value_indent = indent + INDENT
    first = True
    for key, value in data.items():
        if key not in _SIMPLE_KEYS and not _simple_key(key):
            raise _Unusual
        if first:
            out.append(key + ":" if inline else margin + key + ":")
            first = False
        else:
            out.append(margin + key + ":")
        if type(value) is str:  # the common case first
            out.append(" " + _text(value, indent + len(key) + 2, value_indent, width))
        elif value is None:
            out.append(" null")
        elif isinstance(value, dict):
            if value:
                _mapping(value, value_indent, False, out, width)
            else:
                out.append(" {}")
        elif isinstance(value, (list, tuple)):
            if value:
                _sequence(value, indent, out, width)
            else:
                out.append(" []")
        else:
            out.append(" " + _scalar(value, indent + len(key) + 2, value_indent, width))


def _sequence(items, indent: int, out: list, width: int) -> None:
    """Write a non-empty sequence whose dashes are at column ``indent``, each on a new line."""
    dash = "\n" + " " * indent + "- "
    value_indent = indent + INDENT
    for item in items:
        if type(item) is str:
            out.append(dash + _text(item, value_indent, value_indent, width))
        elif isinstance(item, dict):
            if item:
                out.append(dash)
                _mapping(item, value_indent, True, out, width)
            else:
                out.append(dash + "{}")
        elif isinstance(item, (list, tuple)):
            if item:
                raise _Unusual  # a list in a list: libyaml's layout is PyYAML's to write
            out.append(dash + "[]")
        else:
            out.append(dash + _scalar(item, value_indent, value_indent, width))


_SIMPLE_KEYS: set = set()


def _simple_key(key) -> bool:
    """True for a key libyaml writes plain on its line (short one-line ASCII text that reads back as text)."""
    if isinstance(key, str) and key and len(key) < 128 and key.isascii() and key.isprintable() \
            and not _NOT_PLAIN.search(key) and not _resolves(key):
        if len(_SIMPLE_KEYS) < 1000:
            _SIMPLE_KEYS.add(key)
        return True
    return False


def _text(value: str, column: int, indent: int, width: int) -> str:
    """A text starting at ``column``; its folded lines start at ``indent``. Most texts are written plain, as they
    are: that is checked first, quickly."""
    if value and value[0] not in _CAREFUL_FIRST and value[-1] not in ": " and ": " not in value \
            and " #" not in value and not _CAREFUL.search(value) and not _resolves(value):
        return _folded(value, column, indent, width)
    return _scalar(value, column, indent, width)


def _scalar(value, column: int, indent: int, width: int) -> str:
    """A scalar starting at ``column``; its folded lines start at ``indent``."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or _UNUSUAL.search(value):
        raise _Unusual
    if "\n" not in value:
        if value and not _NOT_PLAIN.search(value) and not _resolves(value):
            return _folded(value, column, indent, width)
    elif " \n" in value or "\n " in value:
        raise _Unusual  # a space beside a line break: libyaml writes it double-quoted
    if "'" in value:
        return "'" + _quoted_by_character(value, column + 1, indent, width) + "'"
    # single-quoted: a run of n line breaks is written as n + 1 of them, the next line indented
    runs = _BREAKS.split(value)
    parts = ["'", _folded(runs[0], column + 1, indent, width)]
    for i in range(1, len(runs), 2):
        parts.append(runs[i] + "\n" + " " * indent)
        parts.append(_folded(runs[i + 1], indent, indent, width))
    parts.append("'")
    return "".join(parts)


def _folded(text: str, column: int, indent: int, width: int) -> str:
    """``text`` (one line, no quote) written from ``column``: each single space between two other characters
    reached past ``width`` becomes a line break and the indentation (libyaml's write_plain and
    write_single_quoted)."""
    if column + len(text) <= width + 1:  # no space can be reached past the width
        return text
    parts = []
    start = 0
    while True:
        # the space at position i is reached at column ``column + i - start``: past the width from here on
        m = _FOLD_AT.search(text, max(start, start + width - column + 1))
        if m is None:
            parts.append(text[start:])
            return "".join(parts)
        i = m.start()
        parts.append(text[start:i])
        parts.append("\n" + " " * indent)
        column, start = indent, i + 1


def _quoted_by_character(text: str, column: int, indent: int, width: int) -> str:
    """The inside of a single-quoted scalar with quotes in it (each written twice, taking two columns), character
    by character as libyaml's write_single_quoted writes it."""
    parts = []
    last = len(text) - 1
    breaks = False
    for i, ch in enumerate(text):
        if ch == "\n":
            parts.append("\n" if breaks else "\n\n")
            breaks, column = True, 0
            continue
        if breaks:
            parts.append(" " * indent)
            breaks, column = False, indent
        if ch == " " and column > width and 0 < i < last and text[i - 1] != " " and text[i + 1] != " ":
            parts.append("\n" + " " * indent)
            column = indent
        elif ch == "'":
            parts.append("''")
            column += 2
        else:
            parts.append(ch)
            column += 1
    if breaks:
        parts.append(" " * indent)
    return "".join(parts)


def _resolves(text: str) -> bool:
    """True when PyYAML would read ``text`` written plain as something else than text (a number, a date, a
    boolean, null): it is then quoted."""
    for _tag, regexp in implicit_resolvers().get(text[:1], ()):
        if regexp.match(text):
            return True
    return False


@functools.cache
def implicit_resolvers() -> dict:
    """PyYAML's implicit resolvers of its safe dumper by first character: ``{first: [(tag, regexp)]}`` (those for
    any character added to each list)."""
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    anywhere = list(base.yaml_implicit_resolvers.get(None, []))
    return {k: list(v) + anywhere for k, v in base.yaml_implicit_resolvers.items()}
