"""Hand-built records for the graph tests: small factories, and the two founding texts as a careful reader
would record them (used until and beside the parser's own output)."""
from __future__ import annotations

from graph.records import Document, Mention, NestedRelation, Organisation, Record, Reference, Signatory, Task


def org(name, level=None):
    return Organisation(name=name, level=level)


def reference(code, type_, *, number=None, symbol=None, date=None, issuer=None, level=None, jurisdiction=None,
              relation="cites", evidence=None, start=0, end=None, title=None, ref_id=None):
    if code and number is None:
        number, symbol = _split_code(code)
    evidence = evidence or f"{type_} số {code}"
    return Reference(id=ref_id or code or title, code=code, number=number, symbol=symbol, type=type_, date=date,
                     issuer=issuer, level=level, jurisdiction=jurisdiction, title=title, relation=relation,
                     evidence=evidence, start=start, end=end if end is not None else start + len(evidence),
                     mentions=[Mention(evidence, start, end if end is not None else start + len(evidence))])


def _split_code(code):
    if "-" in code.split("/")[0]:  # Party: 12-NQ/TW
        number, symbol = code.split("-", 1)
    else:  # State: 18/QĐ-TTg
        number, symbol = code.split("/", 1)
    return number, symbol


def document(code=None, type_="Công văn", *, date=None, issuer=None, jurisdiction=None, level=None,
             subject=None, signatory=None, recipients=(), doc_id=None):
    number, symbol = _split_code(code) if code else (None, None)
    return Document(id=doc_id or code or "unnumbered", code=code, number=number, symbol=symbol, type=type_,
                    issuer=issuer, jurisdiction=jurisdiction, level=level, date=date, subject=subject,
                    signatory=signatory, recipients=list(recipients))


def record(doc, references=(), tasks=(), source="mem/x.txt", nested=(), warnings=()):
    return Record(source=source, document=doc, references=list(references), tasks=list(tasks),
                  nested_relations=list(nested), warnings=list(warnings))


def task(label, text, assignees=(), lead=(), cooperating=(), implements=(), start=0):
    return Task(label=str(label), text=text, assignees=[org(*a) if isinstance(a, tuple) else org(a) for a in assignees],
                lead=[org(*a) if isinstance(a, tuple) else org(a) for a in lead],
                cooperating=[org(*a) if isinstance(a, tuple) else org(a) for a in cooperating],
                implements=list(implements), start=start, end=start + len(text))


# ---- the founding texts, recorded by hand ---------------------------------------------------------------------


def bac_ninh_1123(source="data/corpus/1123-CV-TU-bac-ninh-2026.txt"):
    doc = document("1123-CV/TU", "Công văn", date="2026-05-15", issuer="Ban Thường vụ Tỉnh ủy Bắc Ninh",
                   jurisdiction="Bắc Ninh", level="province",
                   subject="đẩy mạnh xây dựng Công an tỉnh toàn diện, Công an xã, phường vững mạnh, hiện đại, bám cơ sở, "
                           "đáp ứng yêu cầu, nhiệm vụ trong tình hình mới",
                   signatory=Signatory("Nguyễn Hồng Thái", "Bí thư", "T/M BAN THƯỜNG VỤ"),
                   recipients=["Các cơ quan tham mưu, giúp việc Tỉnh ủy", "Đảng ủy MTTQ tỉnh",
                               "Trường Chính trị Nguyễn Văn Cừ"])
    refs = [
        reference("18/QĐ-TTg", "Quyết định", date="2026-02-14", issuer="Thủ tướng Chính phủ", level="central",
                  relation="implements", start=4100,
                  evidence="bảo đảm lộ trình Đề án “Xây dựng trụ sở làm việc của Công an cấp xã đáp ứng yêu cầu, nhiệm vụ "
                           "trong tình hình mới” ban hành theo Quyết định số 18/QĐ-TTg ngày 14/02/2026 của Thủ tướng Chính phủ"),
        reference("01-HD/BTCTW", "Hướng dẫn", date="2026-04-21", issuer="Ban Tổ chức Trung ương", level="central",
                  relation="implements", start=4700,
                  evidence="kiện toàn tổ chức đảng, đảng viên trong Đảng bộ Công an tỉnh và chi, đảng bộ Công an cấp xã theo "
                           "Hướng dẫn số 01-HD/BTCTW ngày 21/4/2026 của Ban Tổ chức Trung ương"),
        reference("343-QĐ/TW", "Quy định", date="2025-07-23", issuer="Bộ Chính trị", level="central", relation="cites",
                  start=4900, evidence="thi hành Quy định số 343-QĐ/TW ngày 23/7/2025 của Bộ Chính trị về tổ chức đảng "
                                       "trong Công an nhân dân Việt Nam"),
        reference("36-QĐ/TU", "Quyết định", date="2025-11-03", issuer="Ban Thường vụ Tỉnh ủy", level="province",
                  relation="cites", start=9100,
                  evidence="(1) Quyết định số 36-QĐ/TU ngày 03/11/2025 của Ban Thường vụ Tỉnh ủy về ban hành quy chế phối hợp"),
        reference("35-QĐ/TU", "Quyết định", date="2025-11-03", issuer="Ban Thường vụ Tỉnh ủy", level="province",
                  relation="cites", start=9400,
                  evidence="(2) Quyết định số 35-QĐ/TU ngày 03/11/2025 của Ban Thường vụ Tỉnh ủy về ban hành quy chế phối hợp"),
    ]
    nested = [NestedRelation("01-HD/BTCTW", "guides", "343-QĐ/TW",
                             "Hướng dẫn số 01-HD/BTCTW ... hướng dẫn một số vấn đề cụ thể thi hành Quy định số 343-QĐ/TW",
                             4700, 4990)]
    tasks = [
        task(1, "Các cấp ủy, cơ quan, địa phương tổ chức phổ biến, quán triệt, triển khai thực hiện nghiêm túc.",
             assignees=[("Các cấp ủy, cơ quan, địa phương", None)], start=3000),
        task(2, "Đảng ủy UBND tỉnh: Lãnh đạo UBND tỉnh chỉ đạo bố trí, hỗ trợ kinh phí. Bảo đảm lộ trình Đề án ban hành "
                "theo Quyết định số 18/QĐ-TTg ngày 14/02/2026 của Thủ tướng Chính phủ.",
             assignees=[("Đảng ủy UBND tỉnh", "province")], implements=["18/QĐ-TTg"], start=3800),
        task(3, "Ban Tổ chức Tỉnh ủy thường xuyên phối hợp với Đảng ủy Công an tỉnh, đảng ủy các xã, phường kiện toàn tổ "
                "chức đảng theo Hướng dẫn số 01-HD/BTCTW.",
             lead=[("Ban Tổ chức Tỉnh ủy", "province")],
             cooperating=[("Đảng ủy Công an tỉnh", "province"), ("Đảng ủy các xã, phường", "commune")],
             implements=["01-HD/BTCTW"], start=4600),
        task(4, "Ban Tuyên giáo và Dân vận Tỉnh ủy chỉ đạo, hướng dẫn các cơ quan thông tin, tuyên truyền.",
             assignees=[("Ban Tuyên giáo và Dân vận Tỉnh ủy", "province")], start=5200),
        task(5, "Ủy ban Kiểm tra Tỉnh ủy phối hợp hiệu quả với Đảng ủy Công an tỉnh.",
             assignees=[("Ủy ban Kiểm tra Tỉnh ủy", "province")], cooperating=[("Đảng ủy Công an tỉnh", "province")],
             start=5500),
        task(6, "Đảng ủy MTTQ tỉnh lãnh đạo Ủy ban MTTQ, các tổ chức chính trị - xã hội tỉnh.",
             assignees=[("Đảng ủy MTTQ tỉnh", "province")], start=5900),
        task(7, "Trường Chính trị Nguyễn Văn Cừ thường xuyên phối hợp với Đảng ủy Công an tỉnh.",
             assignees=[("Trường Chính trị Nguyễn Văn Cừ", "province")], cooperating=[("Đảng ủy Công an tỉnh", "province")],
             start=6500),
        task(8, "Đảng ủy các xã, phường lãnh đạo, chỉ đạo và phối hợp chặt chẽ với Đảng ủy Công an tỉnh.",
             assignees=[("Đảng ủy các xã, phường", "commune")], start=6900),
        task(9, "Đảng ủy Công an tỉnh tham mưu Ban Thường vụ Tỉnh ủy tổ chức đánh giá kết quả thực hiện Quyết định số "
                "36-QĐ/TU và Quyết định số 35-QĐ/TU.",
             assignees=[("Đảng ủy Công an tỉnh", "province")], start=8800),
    ]
    return record(doc, refs, tasks, source=source, nested=nested)


def district_letter(source="data/corpus/huyen-uy-xay-dung-cong-an-xa-2022.txt"):
    """The district letter: its header was lost, so no number, no date, no province."""
    doc = document(None, "Công văn", issuer="Ban Thường vụ Huyện ủy", level="district",
                   signatory=Signatory("Đinh Văn Tuấn", "Bí thư", "T/M BAN THƯỜNG VỤ"), doc_id="unnumbered")
    refs = [
        reference("1771-CV/TU", "Công văn", date="2022-08-25", issuer="Ban Thường vụ Tỉnh ủy", level="province",
                  relation="implements", start=2900,
                  evidence="Thực hiện Công văn số 1771-CV/TU, ngày 25/8/2022 của Ban Thường vụ Tỉnh ủy về việc tiếp tục đẩy "
                           "mạnh xây dựng lực lượng Công an xã"),
        reference("12-NQ/TW", "Nghị quyết", date="2022-03-16", issuer="Bộ Chính trị", level="central",
                  relation="implements", start=3500,
                  evidence="triển khai thực hiện hiệu quả Nghị quyết số 12-NQ/TW, ngày 16/3/2022 của Bộ Chính trị"),
        reference("12-NQ/ĐUCA", "Nghị quyết", date="2022-07-25", issuer="Đảng ủy Công an Trung ương", level="central",
                  relation="implements", start=5200,
                  evidence="Nghị quyết số 12-NQ/ĐUCA, ngày 25/7/2022 của Đảng ủy Công an Trung ương"),
    ]
    tasks = [
        task(1, "Đẩy mạnh tuyên truyền, quán triệt, triển khai thực hiện hiệu quả Nghị quyết số 12-NQ/TW.",
             implements=["12-NQ/TW"], start=3400),
        task(2, "Đảng ủy Công an huyện nêu cao tinh thần trách nhiệm; thực hiện Nghị quyết số 12-NQ/ĐUCA.",
             lead=[("Đảng ủy Công an huyện", "district")], implements=["12-NQ/TW", "12-NQ/ĐUCA"], start=4800),
        task(3, "Các tổ chức cơ sở đảng trực thuộc Huyện ủy chủ động phối hợp chặt chẽ với lực lượng Công an huyện.",
             assignees=[("Các tổ chức cơ sở đảng trực thuộc Huyện ủy", "district")],
             cooperating=[("Công an huyện", "district")], start=9000),
        task(4, "Giao Đảng ủy Công an huyện chủ trì, phối hợp với các cơ quan liên quan hướng dẫn triển khai.",
             lead=[("Đảng ủy Công an huyện", "district")], start=9600),
    ]
    return record(doc, refs, tasks, source=source)
