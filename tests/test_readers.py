"""graph.readers.read_text: every format dkg reads and every file it refuses, from one table (fixtures_files)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import fixtures_files as ff
from graph.errors import InputError
from graph.readers import read_text


def _apply_env(monkeypatch, case: ff.Case) -> None:
    monkeypatch.delenv("DKG_MAX_INPUT_MB", raising=False)
    for key, value in (case.env or {}).items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("case", ff.case_params())
def test_case_table(case, tmp_path, monkeypatch):
    _apply_env(monkeypatch, case)
    path = case.build(tmp_path)
    if case.text is not None:
        text = read_text(path)
        assert case.text in text
        assert "\r" not in text and "\ufeff" not in text
        assert unicodedata.is_normalized("NFC", text)
    else:
        with pytest.raises(InputError) as raised:
            read_text(path)
        assert case.error in raised.value.problem
        shown = str(path).replace("\n", "\\n")
        assert str(raised.value) == f"{shown}: {raised.value.problem}"
        assert "\n" not in str(raised.value)


@pytest.mark.parametrize("build", [ff.utf8, ff.utf8_bom, ff.utf8_crlf, ff.utf16_le_bom, ff.utf16_be_bom,
                                   ff.utf16_le_no_bom, ff.utf32_bom, ff.windows_1258, ff.unknown_extension],
                         ids=lambda b: b.__name__)
def test_decoding_gives_back_the_exact_text(build, tmp_path):
    assert read_text(build(tmp_path)) == ff.BODY


def test_decomposed_unicode_stays_as_written(tmp_path):
    nfd = unicodedata.normalize("NFD", ff.BODY)
    path = tmp_path / "nfd.txt"
    path.write_text(nfd, encoding="utf-8")
    assert read_text(path) == nfd  # normalising is the parser's stage, not the reader's


def test_windows_1258_is_composed(tmp_path):
    path = ff.windows_1258(tmp_path)
    assert "\u0323" in path.read_bytes().decode("cp1258")  # the file really holds combining tones
    text = read_text(path)
    assert unicodedata.is_normalized("NFC", text) and "Nghị quyết" in text


def test_founding_texts_read_back_identical(corpus_dir):
    texts = sorted(corpus_dir.glob("*.txt"))
    assert len(texts) >= 2
    for path in texts:
        assert read_text(path) == path.read_text(encoding="utf-8-sig"), path.name


def test_real_texts_are_not_mistaken_for_legacy_encodings(real_dir):
    texts = sorted((real_dir / "raw").glob("*.txt"))
    assert texts
    for path in texts:
        assert read_text(path) == path.read_text(encoding="utf-8-sig"), path.name


# ---- legacy encodings ----------------------------------------------------------------------------------------

REFERENCE_EXAMPLES = [  # ../shared/reference/vn-directive-conventions.md §4, as the legacy text reads in Latin-1
    ("tcvn3", "§¶ng ñy", "Đảng ủy"),
    ("tcvn3", "NghÞ quyÕt", "Nghị quyết"),
    ("tcvn3", "nh©n d©n", "nhân dân"),
    ("tcvn3", "Th\xadêng vô", "Thường vụ"),
    ("tcvn3", "Uû ban nh©n d©n", "Uỷ ban nhân dân"),
    ("vni", "Ñaûng uûy", "Đảng ủy"),
    ("vni", "Nghò quyeát", "Nghị quyết"),
]


@pytest.mark.parametrize("key, legacy, unicode_text", REFERENCE_EXAMPLES)
def test_legacy_tables_decode_the_reference_examples(key, legacy, unicode_text):
    from graph.readers import _legacy_encodings

    encoding = next(e for e in _legacy_encodings() if e.key == key)
    assert encoding.decode(legacy) == unicode_text


@pytest.mark.parametrize("key, table", [("tcvn3", ff.TCVN3), ("vni", ff.VNI)])
def test_test_tables_agree_with_the_reference_and_the_reader(key, table):
    from graph.readers import _legacy_encodings

    for k, legacy, unicode_text in REFERENCE_EXAMPLES:
        if k == key and all(c.isascii() or c in table for c in unicode_text):
            assert ff.legacy_bytes(unicode_text, table).decode("latin-1") == legacy
    encoding = next(e for e in _legacy_encodings() if e.key == key)
    assert encoding.decode(ff.legacy_bytes(ff.BODY, table).decode("latin-1")) == ff.BODY


def _vietnamese_vowels() -> set[str]:
    letters = {unicodedata.normalize("NFC", base + tone)
               for base in "a â ă e ê o ô ơ u ư i y".split()
               for tone in ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")}
    return letters | {c.upper() for c in letters} | {"đ", "Đ"}


def test_vni_table_spells_every_vietnamese_letter():
    from graph.readers import _legacy_encodings

    vni = next(e for e in _legacy_encodings() if e.key == "vni")
    plain = {"a", "e", "o", "u", "i", "y", "A", "E", "O", "U", "I", "Y", "í", "ì", "Í", "Ì"}
    assert set(vni.mapping.values()) | plain == _vietnamese_vowels()
    assert len(set(vni.mapping.values())) == len(vni.mapping)  # one spelling per letter


def test_tcvn3_table_has_every_lowercase_vietnamese_letter_once():
    from graph.readers import _legacy_encodings

    tcvn3 = next(e for e in _legacy_encodings() if e.key == "tcvn3")
    values = [v for v in tcvn3.mapping.values() if not unicodedata.combining(v)]
    assert len(values) == len(set(values))
    lowercase_marked = {c for c in _vietnamese_vowels() if c.islower() and not c.isascii()}
    assert lowercase_marked - set(values) == {"ý"}  # the one letter TCVN3 keeps at its Latin-1 byte


# ---- PDF and DOCX structure ----------------------------------------------------------------------------------


def test_pdf_pages_are_joined_by_a_blank_line(tmp_path):
    text = read_text(ff.pdf_with_text(tmp_path))
    first, second = text.split("\n\n")
    assert first.startswith("TỈNH ỦY BẮC NINH\n" + ff.SENTENCE)
    assert second == "Trang hai: Đảng ủy Công an Trung ương"


def test_docx_reads_the_header_table_cell_by_cell_then_the_body(tmp_path):
    lines = read_text(ff.docx_with_header_table(tmp_path)).split("\n")
    assert lines == ff.HEADER_LEFT + ff.HEADER_RIGHT + ff.BODY.splitlines()


def test_docx_merged_cells_once_and_nested_tables_in_place(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Trước bảng")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Ô gộp ba cột"
    table.cell(1, 0).text = "Nơi nhận:"
    table.cell(1, 1).paragraphs[0].text = "T/M BAN THƯỜNG VỤ"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "BÍ THƯ"
    document.add_paragraph("Sau bảng")
    path = tmp_path / "merged.docx"
    document.save(str(path))
    text = read_text(path)
    assert text.count("Ô gộp ba cột") == 1
    order = [text.index(s) for s in ("Trước bảng", "Ô gộp ba cột", "Nơi nhận:", "T/M BAN THƯỜNG VỤ", "BÍ THƯ",
                                     "Sau bảng")]
    assert order == sorted(order)


# ---- size limit ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size, readable", [(1000, True), (1048, True), (1049, False)])
def test_size_limit_boundary(size, readable, tmp_path, monkeypatch):
    monkeypatch.setenv("DKG_MAX_INPUT_MB", "0.001")  # int(0.001 * 1024 * 1024) = 1048 bytes
    path = tmp_path / "edge.txt"
    path.write_bytes(b"Nghi quyet " + b"x" * (size - 11))
    if readable:
        assert len(read_text(path)) == size
    else:
        with pytest.raises(InputError, match="too large"):
            read_text(path)


def test_max_bytes_argument_overrides_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DKG_MAX_INPUT_MB", "0.001")
    path = tmp_path / "ok.txt"
    path.write_text(ff.BODY * 20, encoding="utf-8")
    assert read_text(path, max_bytes=10 * ff.MB) == ff.BODY * 20
    with pytest.raises(InputError, match="too large"):
        read_text(path)


def test_read_text_accepts_str_and_path(tmp_path):
    path = ff.utf8(tmp_path)
    assert read_text(str(path)) == read_text(Path(path)) == ff.BODY


def test_extract_stops_at_the_reader_for_a_bad_file(tmp_path):
    from graph import extract

    with pytest.raises(InputError, match="legacy VNI"):
        extract(ff.vni_file(tmp_path))
