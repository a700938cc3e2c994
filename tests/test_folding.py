"""Names as IRIs and look-ups see them: `graph.iri.slug` (IRI parts) and `graph.vocab.fold` (compared forms)
drop every diacritic, whatever the marks, punctuation or script around them."""
import pytest

from graph.iri import slug
from graph.vocab import fold

DECOMPOSED = "Nghi\u0323 quyê\u0301t"  # NFD, as some PDF text layers give it


@pytest.mark.parametrize("text, expected", [
    ("Ủy ban nhân dân tỉnh Bắc Ninh", "uy-ban-nhan-dan-tinh-bac-ninh"),
    ("ĐẢNG ỦY XÃ Thanh Hóa", "dang-uy-xa-thanh-hoa"),
    ("Kế hoạch “số 12” – năm 2022…", "ke-hoach-so-12-nam-2022"),
    (DECOMPOSED, "nghi-quyet"),
    ("Ban Tổ chức Trung ương (BTC)", "ban-to-chuc-trung-uong-btc"),
    ("ก\u0e31", "x"),  # a mark outside the Latin blocks, on a letter no slug keeps
    ("中文", "x"),
    ("---", "x"),
    ("", "x"),
    (None, "x"),
])
def test_slug(text, expected):
    assert slug(text) == expected


def test_slug_empty_value_is_the_callers():
    assert slug("…", empty="khong-so") == "khong-so"
    assert slug("12-NQ/TW", empty="khong-so") == "12-nq-tw"


@pytest.mark.parametrize("text, expected", [
    ("Nghị quyết “số 12” – về việc…", "nghi quyet “so 12” – ve viec…"),
    ("  Đảng   ủy\txã  ", "dang uy xa"),
    (DECOMPOSED, "nghi quyet"),
    ("Quyết định\u00a0số 18", "quyet dinh so 18"),
    ("ТЕСТ\u0301", "тест"),
    ("ก\u0e31 – ก", "ก – ก"),  # a Thai mark: removed by the character test, not by the Latin blocks
    ("nghi quyet 12", "nghi quyet 12"),
])
def test_fold(text, expected):
    assert fold(text) == expected
