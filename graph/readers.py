"""Reading input files: one file (.txt .md .pdf .docx, or any text) in, decoded Unicode text out.

This is the first stage of the flow (``read_text`` -> normalize -> parse). It decodes and nothing more: the text
comes back as written, with universal newlines; PDF text and Windows-1258 text are NFC-composed because their
raw forms are decomposed. Every problem with a file is raised as `graph.errors.InputError` ("<path>: <problem>"),
never as another exception, so the CLI can print one line for it.

Refused on purpose: binary files, legacy 8-bit Vietnamese font encodings (TCVN3, VNI: converting them is
UniKey's job, and a wrong guess would silently corrupt names and codes), PDFs without a text layer, encrypted
PDFs, files over ``DKG_MAX_INPUT_MB`` and DOCX zip bombs (checked from the zip directory before inflating).
"""
from __future__ import annotations

import codecs
import functools
import io
import os
import re
import stat
import unicodedata
from pathlib import Path

from .errors import InputError

__all__ = ["read_text", "max_input_bytes", "DEFAULT_MAX_INPUT_MB"]

DEFAULT_MAX_INPUT_MB = 50
MB = 1024 * 1024

# A DOCX is a zip: its directory says how big each entry inflates to, and zipfile never inflates past that
# size (a lying entry fails its CRC), so the directory alone can refuse a bomb before python-docx reads it.
MAX_ZIP_ENTRY_BYTES = 200 * MB
MAX_ZIP_TOTAL_BYTES = 200 * MB
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 10_000

# Detection looks at the start of a text only: a directive shows its encoding in its first lines.
DETECTION_SAMPLE_CHARS = 200_000
# A text is "plausible Vietnamese" when at least this share of its letters exist only in Vietnamese
# (ạ...ỹ, ă, đ, ơ, ư, ĩ, ũ); real texts have 10-25 %, French or German text decoded the same way under 1 %.
MIN_VIETNAMESE_SHARE = 0.03
MIN_VIETNAMESE_LETTERS = 2
# Each legacy encoding also needs its tell-tale, at least this share of the letters: TCVN3 read as Latin-1 has
# symbols inside words ("nh©n"), VNI has vowels followed by mark letters ("quyeát"). Real legacy texts have
# 8-18 %, Unicode Vietnamese, French, German and Spanish under 0.7 %.
MIN_TELLTALE_SHARE = 0.02
# Control characters (other than tab, newlines, form feed) above this share mean binary data.
MAX_CONTROL_SHARE = 0.01
MAX_CONTROL_CHARS = 3

# The control characters that mean binary data: C0 other than tab, newlines, vertical tab, form feed and the DOS
# end-of-file mark (\x1a), DEL and C1.
_BINARY_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")
_VIETNAMESE_ONLY = re.compile("[\u1ea0-\u1ef9\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u0128\u0129\u0168\u0169]")
_NON_LETTER = re.compile(r"[\W\d_]")   # one character that is not a letter (a letter is [^\W\d_])


def read_text(path, *, max_bytes: int | None = None) -> str:
    """Return the text of one input file, decoded to Unicode.

    ``max_bytes`` overrides the size limit (default ``$DKG_MAX_INPUT_MB`` megabytes, else 50).
    Raises `InputError` for anything that is not readable directive text.
    """
    shown = _shown_path(path)
    limit = max_input_bytes(shown) if max_bytes is None else max_bytes
    data = _read_bytes(path, shown, limit)
    if not data:
        raise InputError(shown, "empty file")
    suffix = Path(os.fsdecode(path)).suffix.lower()
    if suffix == ".pdf" or _is_pdf(data):
        text = _pdf_text(shown, data)
    elif suffix == ".docx" or _zip_names(data).get("word/document.xml"):
        text = _docx_text(shown, data)
    else:
        text = _decoded_text(shown, data)
    if not text.strip():
        raise InputError(shown, "empty file" if suffix not in (".pdf", ".docx") else "empty document: no text")
    _refuse_legacy_encoding(shown, text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def max_input_bytes(shown_path: str = "<input>") -> int:
    """The size limit for one input file, from ``$DKG_MAX_INPUT_MB`` (default 50)."""
    raw = os.environ.get("DKG_MAX_INPUT_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT_MB * MB
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        raise InputError(shown_path, f"DKG_MAX_INPUT_MB must be a positive number of megabytes, not {raw!r}")
    return int(megabytes * MB)


# ---- the file itself -----------------------------------------------------------------------------------------


def _shown_path(path) -> str:
    """The path as it goes into a one-line message: control characters escaped, undecodable bytes as \\xNN."""
    try:
        s = os.fsdecode(path)
    except TypeError:
        s = str(path)
    if s.isprintable():
        return s
    out = []
    for c in s:
        if "\udc80" <= c <= "\udcff":
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        elif c.isprintable():
            out.append(c)
        else:
            out.append(c.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _read_bytes(path, shown: str, limit: int) -> bytes:
    """Stat, then read at most ``limit + 1`` bytes, so a huge file or an endless device is never read whole."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(shown, "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(shown, "not a regular file (a device, pipe or socket)")
        if st.st_size > limit:
            raise InputError(shown, _too_large(st.st_size, limit))
        with open(path, "rb") as f:
            data = _read_at_most(f, st.st_size, limit)
    except InputError:
        raise
    except OSError as e:
        raise InputError(shown, _os_problem(path, e)) from None
    except (ValueError, TypeError) as e:  # embedded NUL in the name, or not a path at all
        raise InputError(shown, f"invalid file name ({e})") from None
    if len(data) > limit:  # the file grew, or stat cannot tell its size (/proc)
        raise InputError(shown, _too_large(limit, limit, at_least=True))
    return data


def _read_at_most(f, expected: int, limit: int) -> bytes:
    """Read the file's size as stat told it (one allocation of the right size), then on in chunks while it
    turns out longer (a growing file, or /proc where stat says 0), stopping one byte past ``limit``."""
    data = f.read(min(expected, limit) + 1)
    if len(data) <= expected or len(data) > limit:
        return data
    parts, total = [data], len(data)
    while total <= limit:
        chunk = f.read(min(MB, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    more = "over " if at_least else ""
    return f"too large ({more}{_size(size)}; the limit is {_size(limit)}, set DKG_MAX_INPUT_MB to change it)"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    unit, scale = ("KB", 1024) if n < MB else ("MB", MB)
    return f"{n / scale:.1f}".rstrip("0").rstrip(".") + f" {unit}"


def _os_problem(path, e: OSError) -> str:
    import errno

    if e.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(e, FileNotFoundError):
        return "no such file (broken symbolic link)" if os.path.islink(path) else "no such file"
    if isinstance(e, NotADirectoryError):
        return "no such file (a folder in its path is a file)"
    if isinstance(e, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read: {e.strerror or e}"


def _one_line(e: BaseException) -> str:
    """A library's exception as a short single line (some carry newlines or whole objects)."""
    message = " ".join(str(e).split()) or type(e).__name__
    return message if len(message) <= 160 else message[:157] + "..."


@functools.cache
def _signatures() -> tuple[tuple[bytes, str, str | None], ...]:
    import yaml

    from .resources import data_path

    rows = yaml.safe_load(data_path("file_signatures.yaml").read_text(encoding="utf-8"))
    return tuple((bytes.fromhex(r["magic"]), r["what"], r.get("hint")) for r in rows)


def _is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]  # the specification lets junk precede the header


def _zip_names(data: bytes) -> dict[str, bool]:
    """Names in a zip's directory ({} when it is not a zip); reading the directory inflates nothing."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return {}
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {name: True for name in zf.namelist()}
    except Exception:  # a damaged zip is refused later, as "not a text file"
        return {}


# ---- plain text ----------------------------------------------------------------------------------------------

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _decoded_text(shown: str, data: bytes) -> str:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(shown, f"not valid {name} although it starts with a {name} byte-order mark "
                                        f"(bad bytes at offset {e.start})") from None
            _refuse_binary(shown, text)
            return text
    _refuse_known_binary(shown, data)
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise InputError(shown, "not a text file (binary data: NUL bytes)")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            text = _non_utf8_text(shown, data, e)
    _refuse_binary(shown, text)
    return text


def _refuse_known_binary(shown: str, data: bytes) -> None:
    for magic, what, hint in _signatures():
        if data.startswith(magic):
            raise InputError(shown, f"not a text file ({what})" + (f": {hint}" if hint else ""))
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = _zip_names(data)
        if "mimetype" in names and any(n.startswith("content.xml") for n in names):
            raise InputError(shown, "not a text file (an OpenDocument file): save it as .docx")
        if any(n.startswith("xl/") for n in names):
            raise InputError(shown, "not a text file (an Excel workbook)")
        raise InputError(shown, "not a text file (a ZIP archive)")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: the NULs of ASCII characters fall on every other byte."""
    if len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) >= 0.3 * len(high) and low.count(0) <= 0.01 * len(low):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return None if "\x00" in text else text
    return None


def _refuse_binary(shown: str, text: str) -> None:
    sample = text[:DETECTION_SAMPLE_CHARS]
    if "\x00" in sample:
        raise InputError(shown, "not a text file (binary data: NUL characters)")
    # a regex, not a loop over the characters: this runs on every text read
    controls = len(_BINARY_CONTROL.findall(sample)) if _BINARY_CONTROL.search(sample) else 0
    if controls > MAX_CONTROL_CHARS and controls > MAX_CONTROL_SHARE * len(sample):
        raise InputError(shown, "not a text file (binary data: control characters)")


def _non_utf8_text(shown: str, data: bytes, error: UnicodeDecodeError) -> str:
    """Bytes that are not UTF-8: Windows-1258 is converted; TCVN3 and VNI are refused; the rest is refused
    with the place of the first bad byte. Each candidate decoding is scored by its Vietnamese-only letters."""
    line = data.count(b"\n", 0, error.start) + 1
    where = f"byte 0x{data[error.start]:02X} at line {line}"
    # More valid multi-byte sequences than bad bytes: damaged UTF-8. Legacy 8-bit Vietnamese almost never forms
    # one (none in TCVN3, VNI or Windows-1258 copies of the real texts), and read as Latin-1 UTF-8 looks like TCVN3.
    damaged_utf8 = data[:4 * DETECTION_SAMPLE_CHARS].decode("utf-8", "replace")
    bad = damaged_utf8.count("\ufffd")
    if sum(1 for c in damaged_utf8 if c > "\x7f") - bad > bad:
        raise InputError(shown, f"invalid UTF-8 ({where}; the rest is UTF-8): fix or re-save it as UTF-8")
    latin = data.decode("latin-1")
    letters = _letter_count(latin[:DETECTION_SAMPLE_CHARS])
    scores: dict[str, int] = {}
    try:
        cp1258 = unicodedata.normalize("NFC", data.decode("cp1258"))
        scores["cp1258"] = _vietnamese_count(cp1258[:DETECTION_SAMPLE_CHARS])
    except UnicodeDecodeError:
        cp1258 = ""
    legacy = _legacy_encoding(latin)
    if legacy is not None:
        scores[legacy[0].key] = legacy[1]
    best = max(scores, key=lambda k: scores[k], default=None)  # a tie keeps cp1258
    if best is None or scores[best] < max(MIN_VIETNAMESE_LETTERS, MIN_VIETNAMESE_SHARE * letters):
        raise InputError(shown, f"not UTF-8 ({where}) and not recognisably Windows-1258, TCVN3 or VNI: "
                                "save it as UTF-8")
    if best == "cp1258":
        return cp1258
    raise InputError(shown, legacy[0].problem)


# ---- legacy Vietnamese encodings -----------------------------------------------------------------------------


class _Legacy:
    """One legacy 8-bit Vietnamese encoding, as its bytes read in Latin-1, and how to decode that."""

    def __init__(self, key: str, name: str, fonts: str, mapping: dict[str, str], telltale: re.Pattern):
        self.key, self.name, self.fonts = key, name, fonts
        self.mapping = mapping
        self.telltale = telltale
        keys = sorted(mapping, key=len, reverse=True)  # VNI: a base letter with its mark before the mark alone
        self.pattern = re.compile("|".join(re.escape(k) for k in keys))

    def decode(self, text: str) -> str:
        return unicodedata.normalize("NFC", self.pattern.sub(lambda m: self.mapping[m.group()], text))

    @property
    def problem(self) -> str:
        return (f"text is in the legacy {self.name} encoding ({self.fonts} fonts), not Unicode: "
                "convert it to Unicode first (e.g. with UniKey's converter)")


@functools.cache
def _legacy_encodings() -> tuple[_Legacy, ...]:
    import yaml

    from .resources import data_path

    tables = yaml.safe_load(data_path("legacy_vietnamese.yaml").read_text(encoding="utf-8"))
    t, v = tables["tcvn3"], tables["vni"]
    tcvn3_map = {chr(int(b)): u for b, u in t["bytes"].items()}
    # Latin-1 symbols (0xA1-0xBF, × ÷) that TCVN3 uses as letters, where they sit inside a word.
    symbols = re.escape("".join(c for c in tcvn3_map if "\xa1" <= c <= "\xbf" or c in "\xd7\xf7"))
    word = rf"(?:[^\W\d_]|[{symbols}])"
    # a symbol between two letters; the symbol first (its look-behind after it), so the regex engine skips to
    # the rare symbols instead of trying a look-behind at every character
    tcvn3_telltale = re.compile(rf"[{symbols}](?<={word}[{symbols}])(?={word})")
    vni_map = dict(v["sequences"])
    vni_telltale = re.compile("|".join(re.escape(k) for k in vni_map if len(k) == 2))
    return (_Legacy("tcvn3", t["name"], t["fonts"], tcvn3_map, tcvn3_telltale),
            _Legacy("vni", v["name"], v["fonts"], vni_map, vni_telltale))


def _letter_count(text: str) -> int:
    # counted as the characters that are not letters: a text is mostly letters, so the list is 4 times shorter
    return len(text) - len(_NON_LETTER.findall(text))


def _vietnamese_count(text: str) -> int:
    return len(_VIETNAMESE_ONLY.findall(text))


def _legacy_encoding(text: str) -> tuple[_Legacy, int] | None:
    """The legacy encoding ``text`` is written in and its score (Vietnamese-only letters once decoded), or None.

    A text counts as legacy when it shows the encoding's tell-tale and decoding it through the encoding's table
    yields plausible Vietnamese, more than twice the Vietnamese-only letters it already had (so Unicode
    Vietnamese with a stray "©" or "hoà" is left alone). The tell-tale matters because the tables turn any
    accented Latin-1 letter into a Vietnamese one: French "été" would decode as TCVN3 "ộtộ".
    """
    sample = text[:DETECTION_SAMPLE_CHARS]
    if sample.isascii():
        return None
    # every text read comes here: the counts are taken only as far as a decision needs them (fewer than two
    # tell-tales never qualify, whatever the number of letters)
    telltales = [(encoding, len(encoding.telltale.findall(sample))) for encoding in _legacy_encodings()]
    most = max(count for _, count in telltales)
    if most < 2:
        return None
    # Unicode Vietnamese written with the old tone placement ("hoà") shows a few VNI tell-tales in every text: the
    # letters of a prefix (never more than the sample's) already show them too rare, without counting them all
    prefix = sample[:int(4 * most / MIN_TELLTALE_SHARE)]
    if len(prefix) < len(sample) and most < MIN_TELLTALE_SHARE * _letter_count(prefix):
        return None
    letters = _letter_count(sample)
    needed = None
    best = None
    for encoding, count in telltales:
        if count < max(2, MIN_TELLTALE_SHARE * letters):
            continue
        if needed is None:
            already = _vietnamese_count(unicodedata.normalize("NFC", sample))  # decomposed Unicode counts too
            needed = max(MIN_VIETNAMESE_LETTERS, MIN_VIETNAMESE_SHARE * letters, 2 * already + 1)
        score = _vietnamese_count(encoding.decode(sample))
        if score >= needed and (best is None or score > best[1]):
            best = (encoding, score)
    return best


def _refuse_legacy_encoding(shown: str, text: str) -> None:
    legacy = _legacy_encoding(text)
    if legacy is not None:
        raise InputError(shown, legacy[0].problem)


# ---- PDF -----------------------------------------------------------------------------------------------------


def _pdf_text(shown: str, data: bytes) -> str:
    """The text layer of a PDF, pages joined by a blank line, NFC-composed."""
    if not _is_pdf(data):
        raise InputError(shown, "damaged PDF: no %PDF header (not a PDF file?)")
    if b"%%EOF" not in data[-4096:]:
        raise InputError(shown, "damaged PDF: truncated (no %%EOF at the end)")
    _quiet_library_loggers()
    import warnings

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _opens_without_password(reader):
                raise InputError(shown, "encrypted PDF: it needs a password; save a copy without one")
            pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (FileNotDecryptedError, DependencyError) as e:
        raise InputError(shown, f"encrypted PDF: {_one_line(e)}") from None
    except Exception as e:  # pypdf raises many types (PdfReadError, KeyError, ValueError, ...) on bad files
        raise InputError(shown, f"damaged PDF: {_one_line(e)}") from None
    if not pages:
        raise InputError(shown, "damaged PDF: no pages")
    text = "\n\n".join(pages)
    if not text.strip():
        raise InputError(shown, "no text layer (scanned PDF?): OCR it first")
    return unicodedata.normalize("NFC", text)


def _opens_without_password(reader) -> bool:
    """Many official PDFs are encrypted only against editing, with an empty user password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


@functools.cache
def _quiet_library_loggers() -> None:
    """pypdf logs repairs of slightly bad files as warnings; with no handler they would reach stderr and
    break the CLI's one-line errors. A NullHandler keeps them out unless the application configures logging."""
    import logging

    logging.getLogger("pypdf").addHandler(logging.NullHandler())


# ---- DOCX ----------------------------------------------------------------------------------------------------


def _docx_text(shown: str, data: bytes) -> str:
    """Paragraphs and tables of a DOCX body in order; a table row by row, each cell's paragraphs in turn."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
    except Exception as e:
        old_doc = data.startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
        raise InputError(shown, "damaged DOCX: " + ("an old Word .doc file; save it as .docx" if old_doc
                                                    else f"not a readable ZIP archive ({_one_line(e)})")) from None
    _refuse_zip_bomb(shown, entries)
    if not any(info.filename == "word/document.xml" for info in entries):
        raise InputError(shown, "damaged DOCX: not a Word document (no word/document.xml)")
    import docx
    from docx.table import Table

    lines: list[str] = []

    def add(container) -> None:
        from docx.table import _Cell

        for block in container.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    # physical cells, each once: a merged cell is one w:tc, row.cells would repeat it
                    for tc in row._tr.tc_lst:
                        add(_Cell(tc, block))
            else:
                lines.append(block.text)

    try:
        add(docx.Document(io.BytesIO(data)))
    except Exception as e:  # python-docx / lxml / zipfile errors on a damaged package
        raise InputError(shown, f"damaged DOCX: {_one_line(e)}") from None
    return "\n".join(lines)


def _refuse_zip_bomb(shown: str, entries) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputError(shown, f"refused DOCX: {len(entries)} zip entries (a zip bomb?)")
    for info in entries:
        if info.file_size > MAX_ZIP_ENTRY_BYTES:
            raise InputError(shown, f"refused DOCX: a zip bomb ({info.filename} would inflate to "
                                    f"{_size(info.file_size)})")
    total = sum(info.file_size for info in entries)
    packed = sum(info.compress_size for info in entries)
    if total > MAX_ZIP_TOTAL_BYTES and total > MAX_ZIP_RATIO * max(packed, 1):
        raise InputError(shown, f"refused DOCX: a zip bomb ({_size(packed)} would inflate to {_size(total)})")
