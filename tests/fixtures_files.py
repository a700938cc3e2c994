"""Input files for the reader tests, built at test time in a temporary folder: real PDFs (fpdf2), real DOCX
files (python-docx), text in every encoding dkg meets, and hostile files. Nothing binary is committed.

``CASES`` is the one table of (builder, expected outcome) that tests/test_readers.py and
tests/test_hostile_files.py run; each builder takes a folder and returns the path to read.
"""
from __future__ import annotations

import os
import random
import struct
import unicodedata
import zipfile
from pathlib import Path
from typing import Callable, NamedTuple

import pytest

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MB = 1024 * 1024

SENTENCE = "Nghị quyết số 12-NQ/TW ngày 16/3/2022 của Bộ Chính trị"
BODY = (f"{SENTENCE} về đẩy mạnh xây dựng lực lượng Công an nhân dân.\n"
        "Đảng ủy Công an Trung ương và Ban Thường vụ Tỉnh ủy lãnh đạo thực hiện, bảo đảm an ninh, trật tự ở cơ sở.\n")

# Legacy encodings of BODY's letters, written by hand from ../shared/reference/vn-directive-conventions.md §4
# (TCVN3 checked there against libiconv's table, VNI from the xvnkb table), independently of the reader's
# data/legacy_vietnamese.yaml, so a wrong table there cannot pass by agreeing with itself.
TCVN3 = {"à": "µ", "â": "©", "ã": "·", "í": "Ý", "ô": "«", "Đ": "§", "đ": "®", "ơ": "¬", "ư": "\xad",
         "ạ": "¹", "ả": "¶", "ẩ": "È", "ậ": "Ë", "ế": "Õ", "ề": "Ò", "ệ": "Ö", "ỉ": "Ø", "ị": "Þ", "ố": "è",
         "ộ": "é", "ờ": "ê", "ở": "ë", "ợ": "î", "ụ": "ô", "ủ": "ñ", "ự": "ù"}
VNI = {"à": "aø", "â": "aâ", "ã": "aõ", "í": "í", "ô": "oâ", "Đ": "Ñ", "đ": "ñ", "ơ": "ô", "ư": "ö",
       "ạ": "aï", "ả": "aû", "ẩ": "aå", "ậ": "aä", "ế": "eá", "ề": "eà", "ệ": "eä", "ỉ": "æ", "ị": "ò",
       "ố": "oá", "ộ": "oä", "ờ": "ôø", "ở": "ôû", "ợ": "ôï", "ụ": "uï", "ủ": "uû", "ự": "öï"}
WINDOWS_1258_TONES = "\u0300\u0301\u0303\u0309\u0323"

FRENCH = ("Le gouvernement a adopté mercredi un projet de loi « relatif à la protection » des données. "
          "Où en est-on ? L'été dernier, le ministre s'était engagé à présenter un texte complet; naïve idée.\n")


def legacy_bytes(text: str, table: dict[str, str]) -> bytes:
    """``text`` in a legacy font encoding: each letter spelt through ``table``, the result as Latin-1 bytes."""
    missing = {c for c in text if not c.isascii() and c not in table}
    assert not missing, f"add {sorted(missing)} to the test table"
    return "".join(table.get(c, c) for c in text).encode("latin-1")


def windows_1258_bytes(text: str) -> bytes:
    """Windows-1258 the way Windows writes it: base letters precomposed, the five tones as combining bytes."""
    out = []
    for c in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", c)
        tones = "".join(p for p in parts if p in WINDOWS_1258_TONES)
        out.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in WINDOWS_1258_TONES)) + tones)
    return "".join(out).encode("cp1258")


# ---- builders: text ------------------------------------------------------------------------------------------


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def utf8(d):
    return _write(d, "nq12.txt", BODY.encode("utf-8"))


def utf8_bom(d):
    return _write(d, "nq12-bom.txt", b"\xef\xbb\xbf" + BODY.encode("utf-8"))


def utf8_crlf(d):
    return _write(d, "nq12-crlf.txt", BODY.replace("\n", "\r\n").encode("utf-8"))


def utf16_le_bom(d):
    return _write(d, "nq12-utf16le.txt", BODY.encode("utf-16"))  # Python writes the BOM, little-endian here


def utf16_be_bom(d):
    return _write(d, "nq12-utf16be.txt", b"\xfe\xff" + BODY.encode("utf-16-be"))


def utf16_le_no_bom(d):
    return _write(d, "nq12-utf16-nobom.txt", BODY.encode("utf-16-le"))


def utf32_bom(d):
    return _write(d, "nq12-utf32.txt", BODY.encode("utf-32"))


def windows_1258(d):
    return _write(d, "nq12-cp1258.txt", windows_1258_bytes(BODY))


def markdown(d):
    return _write(d, "nq12.md", ("## TỈNH ỦY BẮC NINH\n\n" + BODY).encode("utf-8"))


def unknown_extension(d):
    return _write(d, "nq12.vbdh", BODY.encode("utf-8"))


def no_extension(d):
    return _write(d, "nq12", BODY.encode("utf-8"))


def unicode_with_latin1_symbols(d):
    # Unicode Vietnamese with the symbols and "oà" spellings that TCVN3/VNI detection must not mistake
    text = "© 2024 Cổng thông tin; § 3 Điều 5; hoà bình, khoẻ mạnh, toà án, Thuý; giá 25°C; «trích»\n" + BODY
    return _write(d, "nq12-symbols.txt", text.encode("utf-8"))


def french_utf8(d):
    return _write(d, "loi.txt", FRENCH.encode("utf-8"))


def tcvn3_file(d):
    return _write(d, "nq12-tcvn3.txt", legacy_bytes(BODY, TCVN3))


def tcvn3_pasted_into_utf8(d):
    # text copied out of a .VnTime document: the legacy letters arrive as Latin-1 characters, saved as UTF-8
    return _write(d, "nq12-tcvn3-utf8.txt", legacy_bytes(BODY, TCVN3).decode("latin-1").encode("utf-8"))


def vni_file(d):
    return _write(d, "nq12-vni.txt", legacy_bytes(BODY, VNI))


def french_cp1252(d):
    return _write(d, "loi-cp1252.txt", FRENCH.encode("cp1252"))


def damaged_utf8(d):
    data = BODY.encode("utf-8") * 3
    return _write(d, "nq12-damaged.txt", data[:100] + b"\xff" + data[100:])


def bad_utf16(d):
    return _write(d, "nq12-bad-utf16.txt", b"\xff\xfe" + "Nghị quyết".encode("utf-16-le") + b"\x00\xd8x")


def empty(d):
    return _write(d, "empty.txt", b"")


def whitespace_only(d):
    return _write(d, "blank.txt", b" \n\t\r\n  \n")


def bom_only(d):
    return _write(d, "bom.txt", b"\xef\xbb\xbf\n")


def random_binary(d):
    return _write(d, "data.txt", random.Random(12).randbytes(4096))


def nul_bytes(d):
    return _write(d, "nul.txt", BODY.encode("utf-8") + b"\x00\x00\x00" + BODY.encode("utf-8"))


def control_characters(d):
    noise = bytes(random.Random(3).choice(b"\x01\x02\x03\x04\x05\x06\x07\x0e\x0f\x10\x1b") for _ in range(200))
    return _write(d, "controls.txt", BODY.encode("utf-8") + noise)


def png_image(d):
    return _write(d, "scan.txt", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + random.Random(1).randbytes(64))


def zip_archive_as_text(d):
    path = d / "bundle.txt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", BODY)
    return path


def old_word_doc(d):
    return _write(d, "nq12.doc", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))


def too_large_for_env_limit(d):
    return _write(d, "big.txt", (BODY.encode("utf-8") * (2 * MB // len(BODY.encode("utf-8")) + 1)))


def huge_sparse(d):
    # 60 MB that occupy no disk: the default 50 MB limit must refuse it from its size, without reading it
    path = d / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(60 * MB)
    return path


# ---- builders: the file system -------------------------------------------------------------------------------


def directory(d):
    path = d / "folder.txt"
    path.mkdir()
    return path


def missing(d):
    return d / "missing.txt"


def broken_symlink(d):
    path = d / "link.txt"
    path.symlink_to(d / "gone.txt")
    return path


def symlink_loop(d):
    a, b = d / "a.txt", d / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


def fifo(d):
    path = d / "pipe.txt"
    os.mkfifo(path)  # opening it would block forever: the reader must refuse it from stat alone
    return path


def device(d):
    return Path("/dev/zero")  # endless: refused as not a regular file


def proc_file(d):
    # /proc files say size 0 to stat but have content: read on past the stated size
    path = Path("/proc/self/status")
    if not path.exists():
        pytest.skip("no /proc on this system")
    return path


def newline_in_name(d):
    return _write(d, "bad\nname.txt", random.Random(5).randbytes(512))


# ---- builders: PDF -------------------------------------------------------------------------------------------


def _fpdf(unicode_font: bool = True):
    from fpdf import FPDF

    pdf = FPDF()
    if unicode_font:
        if not FONT.exists():
            pytest.skip(f"{FONT} missing: apt-get install fonts-dejavu-core")
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.set_font("DejaVu", size=12)
    else:
        pdf.set_font("Helvetica", size=12)
    return pdf


def _pdf_pages(pdf, pages: list[str]) -> None:
    for page in pages:
        pdf.add_page()
        for line in page.splitlines():
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")


def pdf_with_text(d, name="nq12.pdf", pages=None):
    pdf = _fpdf()
    _pdf_pages(pdf, pages or ["TỈNH ỦY BẮC NINH\n" + BODY, "Trang hai: Đảng ủy Công an Trung ương"])
    path = d / name
    pdf.output(str(path))
    return path


def pdf_without_extension(d):
    return pdf_with_text(d, name="nq12-download")


def pdf_owner_password_only(d):
    # encrypted against editing only (empty user password), as many official PDFs are: it must still read
    pdf = _fpdf()
    _pdf_pages(pdf, [BODY])
    pdf.set_encryption(owner_password="owner", user_password="")
    path = d / "nq12-owner.pdf"
    pdf.output(str(path))
    return path


def pdf_encrypted(d):
    pdf = _fpdf()
    _pdf_pages(pdf, [BODY])
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = d / "nq12-locked.pdf"
    pdf.output(str(path))
    return path


def pdf_scanned(d):
    # what a scan is to a reader: a page with drawings (here rectangles) and no text layer
    pdf = _fpdf(unicode_font=False)
    pdf.add_page()
    pdf.rect(20, 20, 170, 240, style="D")
    pdf.rect(30, 30, 150, 20, style="F")
    path = d / "scan.pdf"
    pdf.output(str(path))
    return path


def pdf_truncated(d):
    data = pdf_with_text(d, name="whole.pdf").read_bytes()
    return _write(d, "cut.pdf", data[: len(data) // 2])


def pdf_garbage(d):
    return _write(d, "garbage.pdf", b"%PDF-1.7\n" + random.Random(7).randbytes(2000) + b"\n%%EOF\n")


def pdf_that_is_text(d):
    return _write(d, "nq12-really-text.pdf", BODY.encode("utf-8"))


def pdf_empty(d):
    return _write(d, "empty.pdf", b"")


def pdf_in_vni_fonts(d):
    # an old PDF set in VNI fonts: its text layer holds the VNI spelling in Latin-1 letters
    pdf = _fpdf(unicode_font=False)
    _pdf_pages(pdf, [legacy_bytes(BODY, VNI).decode("latin-1")])
    path = d / "nq12-vni.pdf"
    pdf.output(str(path))
    return path


# ---- builders: DOCX ------------------------------------------------------------------------------------------

HEADER_LEFT = ["TỈNH ỦY BẮC NINH", "*", "Số 1123-CV/TU"]
HEADER_RIGHT = ["ĐẢNG CỘNG SẢN VIỆT NAM", "Bắc Ninh, ngày 15 tháng 5 năm 2026"]


def _docx_document(body: str = BODY, left=HEADER_LEFT, right=HEADER_RIGHT):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right)):
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    for line in body.splitlines():
        document.add_paragraph(line)
    return document


def docx_with_header_table(d, name="cv1123.docx"):
    path = d / name
    _docx_document().save(str(path))
    return path


def docx_without_extension(d):
    return docx_with_header_table(d, name="cv1123-download")


def docx_in_tcvn3(d):
    text = legacy_bytes(BODY, TCVN3).decode("latin-1")
    path = d / "nq12-tcvn3.docx"
    _docx_document(text, left=["TØNH ñY"], right=["§¶NG"]).save(str(path))
    return path


def docx_empty(d):
    import docx

    path = d / "blank.docx"
    docx.Document().save(str(path))
    return path


def docx_truncated(d):
    data = docx_with_header_table(d, name="whole.docx").read_bytes()
    return _write(d, "cut.docx", data[: len(data) // 2])


def _rewrite_docx(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return target


def docx_bad_xml(d):
    source = docx_with_header_table(d, name="whole.docx")
    return _rewrite_docx(source, d / "bad-xml.docx", {"word/document.xml": b"<w:document><w:body><w:p>"})


def zip_that_is_not_docx(d):
    path = d / "not-word.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", BODY)
    return path


def doc_renamed_docx(d):
    return _write(d, "old.docx", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))


def docx_zip_bomb(d):
    """A DOCX whose word/document.xml is 300 MB of zeros, deflated (about 300 KB): written in 1 MB chunks."""
    source = docx_with_header_table(d, name="whole.docx")
    path = d / "bomb.docx"
    chunk = bytes(MB)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "word/document.xml":
                with dst.open("word/document.xml", "w", force_zip64=True) as f:
                    for _ in range(300):
                        f.write(chunk)
            else:
                dst.writestr(info.filename, src.read(info.filename))
    return path


def docx_lying_sizes(d):
    """A small DOCX whose zip directory claims word/document.xml inflates to 3 GB (a crafted header)."""
    path = docx_with_header_table(d, name="lying.docx")
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:  # central directory entries
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46: at + 46 + name_length]) == name:
            struct.pack_into("<I", data, at + 24, 3_000_000_000)  # uncompressed size
        at += 4
    path.write_bytes(bytes(data))
    return path


# ---- the table -----------------------------------------------------------------------------------------------


class Case(NamedTuple):
    build: Callable[[Path], Path]
    text: str | None = None  # the text read back contains this
    error: str | None = None  # or read_text raises InputError whose problem contains this
    env: dict[str, str] | None = None

    @property
    def id(self) -> str:
        return self.build.__name__


CASES = [
    # text that reads
    Case(utf8, text=SENTENCE),
    Case(utf8_bom, text=SENTENCE),
    Case(utf8_crlf, text=SENTENCE),
    Case(utf16_le_bom, text=SENTENCE),
    Case(utf16_be_bom, text=SENTENCE),
    Case(utf16_le_no_bom, text=SENTENCE),
    Case(utf32_bom, text=SENTENCE),
    Case(windows_1258, text=SENTENCE),
    Case(markdown, text="## TỈNH ỦY BẮC NINH"),
    Case(unknown_extension, text=SENTENCE),
    Case(no_extension, text=SENTENCE),
    Case(unicode_with_latin1_symbols, text="hoà bình, khoẻ mạnh"),
    Case(french_utf8, text="L'été dernier"),
    Case(pdf_with_text, text=SENTENCE),
    Case(pdf_without_extension, text=SENTENCE),
    Case(pdf_owner_password_only, text=SENTENCE),
    Case(docx_with_header_table, text=SENTENCE),
    Case(docx_without_extension, text="Số 1123-CV/TU"),
    Case(proc_file, text="Name:"),
    # text that is refused
    Case(tcvn3_file, error="legacy TCVN3 (ABC) encoding"),
    Case(tcvn3_pasted_into_utf8, error="legacy TCVN3 (ABC) encoding"),
    Case(vni_file, error="legacy VNI (VNI-Windows) encoding"),
    Case(french_cp1252, error="not UTF-8 (byte 0xE9 at line 1)"),
    Case(damaged_utf8, error="invalid UTF-8 (byte 0xFF at line 1; the rest is UTF-8)"),
    Case(bad_utf16, error="not valid UTF-16"),
    Case(empty, error="empty file"),
    Case(whitespace_only, error="empty file"),
    Case(bom_only, error="empty file"),
    Case(random_binary, error="not a text file"),
    Case(nul_bytes, error="not a text file (binary data: NUL bytes)"),
    Case(control_characters, error="not a text file (binary data: control characters)"),
    Case(png_image, error="not a text file (a PNG image): OCR it first"),
    Case(zip_archive_as_text, error="not a text file (a ZIP archive)"),
    Case(old_word_doc, error="not a text file (an old Word .doc (OLE) file): save it as .docx"),
    Case(too_large_for_env_limit, error="too large (2 MB; the limit is 1 MB", env={"DKG_MAX_INPUT_MB": "1"}),
    Case(huge_sparse, error="too large (60 MB; the limit is 50 MB"),
    Case(utf8, error="DKG_MAX_INPUT_MB must be a positive number", env={"DKG_MAX_INPUT_MB": "lots"}),
    Case(directory, error="is a directory"),
    Case(missing, error="no such file"),
    Case(broken_symlink, error="no such file (broken symbolic link)"),
    Case(symlink_loop, error="symbolic link loop"),
    Case(proc_file, error="too large (over 104 bytes; the limit is 104 bytes", env={"DKG_MAX_INPUT_MB": "0.0001"}),
    Case(fifo, error="not a regular file"),
    Case(device, error="not a regular file"),
    Case(newline_in_name, error="not a text file"),
    Case(pdf_scanned, error="no text layer (scanned PDF?): OCR it first"),
    Case(pdf_encrypted, error="encrypted PDF"),
    Case(pdf_truncated, error="damaged PDF: truncated"),
    Case(pdf_garbage, error="damaged PDF:"),
    Case(pdf_that_is_text, error="damaged PDF: no %PDF header"),
    Case(pdf_empty, error="empty file"),
    Case(pdf_in_vni_fonts, error="legacy VNI (VNI-Windows) encoding"),
    Case(docx_in_tcvn3, error="legacy TCVN3 (ABC) encoding"),
    Case(docx_empty, error="empty document: no text"),
    Case(docx_truncated, error="damaged DOCX: not a readable ZIP archive"),
    Case(docx_bad_xml, error="damaged DOCX:"),
    Case(zip_that_is_not_docx, error="damaged DOCX: not a Word document"),
    Case(doc_renamed_docx, error="damaged DOCX: an old Word .doc file; save it as .docx"),
    Case(docx_zip_bomb, error="refused DOCX: a zip bomb (word/document.xml would inflate to 300 MB)"),
    Case(docx_lying_sizes, error="refused DOCX: a zip bomb (word/document.xml would inflate to 2861 MB)"),
]
ERROR_CASES = [c for c in CASES if c.error]


def case_params(cases=CASES):
    return [pytest.param(c, id=f"{c.id}{'-env' if c.env else ''}") for c in cases]
