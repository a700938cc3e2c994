"""Generate a synthetic cascade corpus of Party plans with its ground truth (issue 4 item 4, feeds issue 7).

A cascade starts at a central document (a Nghị quyết, Chỉ thị or Kết luận "/TW") and flows down: a Kế hoạch or
Chương trình hành động of every provincial Ban Thường vụ, then (before 1/7/2025) a Kế hoạch of every district
committee, then a Kế hoạch of every commune Party committee, with the odd provincial UBND plan and Công văn.
Small codes recur everywhere ("25-KH/TU" in many provinces, "05-KH/ĐU" in many communes) because that is how
real numbering works: only the jurisdiction in the header tells two such documents apart.

Library use::

    import sys; sys.path.insert(0, "bench")          # bench/ is a folder of scripts, not a package
    from generate_cascade import generate, descendants, load_ground_truth
    summary = generate("/tmp/corpus", era="pre2025", roots=2, seed=1)
    gt = load_ground_truth("/tmp/corpus")
    descendants(gt, gt["roots"][0])

Command line::

    python bench/generate_cascade.py OUT_DIR --documents 10000 [--era pre2025] [--roots 3] [--seed 0]

Texts are written one by one as they are made (never all held in memory); ``ground_truth.json`` is streamed too.
Everything is decided by ``random.Random`` instances seeded with strings built from ``seed`` and the place of a
document in the cascade, so one seed gives the same bytes on every run and platform.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

PLACES_FILE = Path(__file__).with_name("vn_places.yaml")
GROUND_TRUTH = "ground_truth.json"
REFORM_DATE = date(2025, 7, 1)          # two-level local government: no districts from this day
MERGED_PROPAGANDA = date(2025, 2, 1)     # Ban Tuyên giáo + Ban Dân vận -> Ban Tuyên giáo và Dân vận
NO_DISTRICT_POLICE = date(2025, 3, 1)    # district police units ended
ERAS = ("pre2025", "post2025")

# --------------------------------------------------------------------------------------------------------------
# Central roots. Codes, dates, issuers and subjects are those of real documents as far as the project's reference
# notes and public copies show; the TEXTS generated for them are synthetic.

@dataclass(frozen=True)
class RootSpec:
    number: int
    type_code: str          # NQ | CT | KL
    type: str               # Nghị quyết | Chỉ thị | Kết luận
    issuer: str             # real author (Bộ Chính trị, Ban Bí thư, Ban Chấp hành Trung ương)
    day: date
    subject: str            # "về ..." as printed after the code
    topic: str              # noun phrase for body sentences
    key: str                # selects topic-specific organisations and phrases
    title_lines: tuple      # lines under the type word, before the subject
    authority: str          # signature authority line
    role: str | None

    @property
    def code(self) -> str:
        return f"{self.number:02d}-{self.type_code}/TW"


_BCT = ("CỦA BỘ CHÍNH TRỊ",)
_BBT = ("CỦA BAN BÍ THƯ",)
_HNTW = "BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHÓA XIII"

ROOTS = {
    "pre2025": (
        RootSpec(12, "NQ", "Nghị quyết", "Bộ Chính trị", date(2022, 3, 16),
                 "về đẩy mạnh xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, chính quy, tinh nhuệ, "
                 "hiện đại, đáp ứng yêu cầu, nhiệm vụ trong tình hình mới",
                 "xây dựng lực lượng Công an nhân dân", "police", _BCT, "T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ"),
        RootSpec(21, "CT", "Chỉ thị", "Ban Bí thư", date(2023, 1, 20),
                 "về tiếp tục đổi mới, nâng cao chất lượng công tác phụ nữ trong tình hình mới",
                 "công tác phụ nữ", "women", _BBT, "T/M BAN BÍ THƯ", None),
        RootSpec(21, "KL", "Kết luận", "Ban Chấp hành Trung ương", date(2021, 10, 25),
                 "về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị; kiên quyết ngăn chặn, đẩy lùi, xử lý "
                 "nghiêm cán bộ, đảng viên suy thoái về tư tưởng chính trị, đạo đức, lối sống, biểu hiện \"tự diễn "
                 "biến\", \"tự chuyển hóa\"",
                 "xây dựng, chỉnh đốn Đảng và hệ thống chính trị", "party",
                 ("HỘI NGHỊ LẦN THỨ TƯ", _HNTW), "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ"),
        RootSpec(21, "NQ", "Nghị quyết", "Ban Chấp hành Trung ương", date(2022, 6, 16),
                 "về tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên trong "
                 "giai đoạn mới",
                 "củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên", "party",
                 ("HỘI NGHỊ LẦN THỨ NĂM", _HNTW), "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ"),
        RootSpec(19, "NQ", "Nghị quyết", "Ban Chấp hành Trung ương", date(2022, 6, 16),
                 "về nông nghiệp, nông dân, nông thôn đến năm 2030, tầm nhìn đến năm 2045",
                 "phát triển nông nghiệp, nông dân, nông thôn", "agri",
                 ("HỘI NGHỊ LẦN THỨ NĂM", _HNTW), "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ"),
        RootSpec(27, "NQ", "Nghị quyết", "Ban Chấp hành Trung ương", date(2022, 11, 9),
                 "về tiếp tục xây dựng và hoàn thiện Nhà nước pháp quyền xã hội chủ nghĩa Việt Nam trong giai đoạn mới",
                 "xây dựng và hoàn thiện Nhà nước pháp quyền xã hội chủ nghĩa", "law",
                 ("HỘI NGHỊ LẦN THỨ SÁU", _HNTW), "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ"),
        RootSpec(14, "KL", "Kết luận", "Bộ Chính trị", date(2021, 9, 22),
                 "về chủ trương khuyến khích và bảo vệ cán bộ năng động, sáng tạo vì lợi ích chung",
                 "khuyến khích và bảo vệ cán bộ năng động, sáng tạo vì lợi ích chung", "party", _BCT,
                 "T/M BỘ CHÍNH TRỊ", None),
        RootSpec(43, "NQ", "Nghị quyết", "Ban Chấp hành Trung ương", date(2023, 11, 24),
                 "về tiếp tục phát huy truyền thống, sức mạnh đại đoàn kết toàn dân tộc, xây dựng đất nước ta ngày "
                 "càng phồn vinh, hạnh phúc",
                 "phát huy sức mạnh đại đoàn kết toàn dân tộc", "unity",
                 ("HỘI NGHỊ LẦN THỨ TÁM", _HNTW), "T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ"),
        RootSpec(35, "CT", "Chỉ thị", "Bộ Chính trị", date(2024, 6, 14),
                 "về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
                 "chuẩn bị và tổ chức đại hội đảng bộ các cấp", "congress", _BCT, "T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ"),
    ),
    "post2025": (
        RootSpec(71, "NQ", "Nghị quyết", "Bộ Chính trị", date(2025, 8, 22),
                 "về đột phá phát triển giáo dục và đào tạo",
                 "phát triển giáo dục và đào tạo", "education", _BCT, "T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ"),
        RootSpec(50, "CT", "Chỉ thị", "Ban Bí thư", date(2025, 7, 23),
                 "về tiếp tục đổi mới và nâng cao chất lượng sinh hoạt chi bộ trong giai đoạn mới",
                 "đổi mới và nâng cao chất lượng sinh hoạt chi bộ", "party", _BBT, "T/M BAN BÍ THƯ", None),
        RootSpec(221, "KL", "Kết luận", "Bộ Chính trị, Ban Bí thư", date(2025, 11, 28),
                 "về tình hình, kết quả hoạt động của bộ máy hệ thống chính trị và chính quyền địa phương 2 cấp",
                 "vận hành bộ máy hệ thống chính trị và chính quyền địa phương 2 cấp", "twolevel",
                 ("CỦA BỘ CHÍNH TRỊ, BAN BÍ THƯ",), "T/M BỘ CHÍNH TRỊ", None),
        RootSpec(72, "NQ", "Nghị quyết", "Bộ Chính trị", date(2025, 9, 9),
                 "về một số giải pháp đột phá, tăng cường bảo vệ, chăm sóc và nâng cao sức khỏe Nhân dân",
                 "bảo vệ, chăm sóc và nâng cao sức khỏe Nhân dân", "health", _BCT, "T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ"),
        RootSpec(70, "NQ", "Nghị quyết", "Bộ Chính trị", date(2025, 8, 20),
                 "về bảo đảm an ninh năng lượng quốc gia đến năm 2030, tầm nhìn đến năm 2045",
                 "bảo đảm an ninh năng lượng quốc gia", "energy", _BCT, "T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ"),
    ),
}
CATALOGUE_BASE_YEAR = {"pre2025": 2022, "post2025": 2025}

# Unrelated documents a plan may cite plainly ("Căn cứ" or "gắn với"); real codes, cited as real texts cite them.
BASIS_LINES = (
    "Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
    "Căn cứ Quy định số 24-QĐ/TW, ngày 30/7/2021 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;",
    "Căn cứ Quy định số 22-QĐ/TW, ngày 28/7/2021 của Ban Chấp hành Trung ương về công tác kiểm tra, giám sát và "
    "kỷ luật của Đảng;",
    "Căn cứ Quy chế làm việc của {committee_full}, nhiệm kỳ 2020 - 2025;",
)
BASIS_CODES = {1: ("24-QĐ/TW", "Quy định"), 2: ("22-QĐ/TW", "Quy định")}
PLAIN_CITES = (
    ("05-CT/TW", "Chỉ thị số 05-CT/TW, ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, "
                 "đạo đức, phong cách Hồ Chí Minh"),
    ("01-KL/TW", "Kết luận số 01-KL/TW, ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số 05-CT/TW"),
    ("08-QĐi/TW", "Quy định số 08-QĐi/TW, ngày 25/10/2018 của Ban Chấp hành Trung ương về trách nhiệm nêu gương của "
                  "cán bộ, đảng viên"),
    ("35-NQ/TW", "Nghị quyết số 35-NQ/TW, ngày 22/10/2018 của Bộ Chính trị về tăng cường bảo vệ nền tảng tư tưởng "
                 "của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới"),
)

# --------------------------------------------------------------------------------------------------------------
# Organisations, by level. "{C}" is the committee of the issuing unit (Tỉnh ủy, Huyện ủy, Đảng ủy ...), "{u}" its
# unit word (tỉnh, huyện, xã ...). A condition limits an organisation to the dates when it existed.

TOPIC_LEADS = {
    "police": {"province": "Đảng ủy Công an {u}", "district": "Đảng ủy Công an {u}", "commune": "Công an {u}"},
    "women": {"province": "Ban Dân vận {C}", "district": "Ban Dân vận {C}", "commune": "Hội Liên hiệp Phụ nữ {u}"},
    "party": {"province": "Ban Tổ chức {C}", "district": "Ban Tổ chức {C}", "commune": "Các chi bộ trực thuộc Đảng ủy"},
    "agri": {"province": "Ban cán sự đảng Ủy ban nhân dân {u}", "district": "Ủy ban nhân dân {u}",
             "commune": "Hội Nông dân {u}"},
    "law": {"province": "Ban Nội chính {C}", "district": "Ủy ban nhân dân {u}", "commune": "Ủy ban nhân dân {u}"},
    "unity": {"province": "Đảng đoàn Ủy ban Mặt trận Tổ quốc Việt Nam {u}",
              "district": "Ủy ban Mặt trận Tổ quốc Việt Nam {u}", "commune": "Ủy ban Mặt trận Tổ quốc Việt Nam {u}"},
    "congress": {"province": "Ban Tổ chức {C}", "district": "Ban Tổ chức {C}", "commune": "Văn phòng Đảng ủy"},
    "education": {"province": "Đảng ủy Ủy ban nhân dân {u}", "district": "Ủy ban nhân dân {u}",
                  "commune": "Ủy ban nhân dân {u}"},
    "health": {"province": "Đảng ủy Ủy ban nhân dân {u}", "district": "Ủy ban nhân dân {u}",
               "commune": "Trạm Y tế {u}"},
    "energy": {"province": "Đảng ủy Ủy ban nhân dân {u}", "district": "Ủy ban nhân dân {u}",
               "commune": "Ủy ban nhân dân {u}"},
    "twolevel": {"province": "Ban Tổ chức {C}", "district": "Ban Tổ chức {C}", "commune": "Ủy ban nhân dân {u}"},
}

ORGS = {
    "province": (
        ("Ban Tổ chức {C}", None), ("Ban Tuyên giáo {C}", "pre_tg"), ("Ban Dân vận {C}", "pre_tg"),
        ("Ban Tuyên giáo và Dân vận {C}", "post_tg"), ("Ủy ban Kiểm tra {C}", None), ("Ban Nội chính {C}", None),
        ("Văn phòng {C}", None), ("Đảng đoàn Hội đồng nhân dân {u}", "pre2025"),
        ("Ban cán sự đảng Ủy ban nhân dân {u}", "pre2025"),
        ("Đảng đoàn Ủy ban Mặt trận Tổ quốc Việt Nam {u}", "pre2025"), ("Đảng ủy Ủy ban nhân dân {u}", "post2025"),
        ("Đảng ủy Mặt trận Tổ quốc, các đoàn thể {u}", "post2025"), ("Đảng ủy Công an {u}", None),
        ("Đảng ủy Quân sự {u}", None),
    ),
    "district": (
        ("Ban Tổ chức {C}", None), ("Ban Tuyên giáo {C}", "pre_tg"), ("Ban Dân vận {C}", "pre_tg"),
        ("Ban Tuyên giáo và Dân vận {C}", "post_tg"), ("Ủy ban Kiểm tra {C}", None), ("Văn phòng {C}", None),
        ("Đảng ủy Công an {u}", "district_police"), ("Đảng ủy Quân sự {u}", None), ("Ủy ban nhân dân {u}", None),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam {u}", None), ("Trung tâm Chính trị {u}", None),
    ),
    "commune": (
        ("Công an {u}", None), ("Ủy ban nhân dân {u}", None), ("Ủy ban Mặt trận Tổ quốc Việt Nam {u}", None),
        ("Đoàn Thanh niên {u}", None), ("Hội Liên hiệp Phụ nữ {u}", None), ("Hội Nông dân {u}", None),
        ("Hội Cựu chiến binh {u}", None), ("Ban Chỉ huy Quân sự {u}", None), ("Văn phòng Đảng ủy", None),
        ("Ban Xây dựng Đảng", "post2025"), ("Các chi bộ trực thuộc Đảng ủy", None),
    ),
}
STATE_ORGS = ("Công an {u}", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Giáo dục và Đào tạo", "Sở Y tế",
              "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Bộ Chỉ huy Quân sự {u}")

# --------------------------------------------------------------------------------------------------------------
# Sentences. Placeholders: {doc} short name of the implemented document, {topic}, {area} "trên địa bàn xã",
# {report_to} the body reports go to, {unit} "xã"/"huyện"/"tỉnh".

VERB_PHRASES = (
    "tổ chức quán triệt, tuyên truyền sâu rộng nội dung {doc} đến cán bộ, đảng viên và Nhân dân {area}",
    "tham mưu cụ thể hóa các mục tiêu, nhiệm vụ, giải pháp về {topic} phù hợp với điều kiện thực tế của địa phương",
    "thường xuyên theo dõi, đôn đốc, kiểm tra việc triển khai thực hiện; kịp thời phát hiện, tháo gỡ khó khăn, "
    "vướng mắc phát sinh",
    "đẩy mạnh công tác tuyên truyền, vận động đoàn viên, hội viên và Nhân dân tích cực tham gia {topic}",
    "rà soát, bổ sung quy chế phối hợp, bảo đảm sự lãnh đạo, chỉ đạo thống nhất, đồng bộ của cấp ủy đối với {topic}",
    "bố trí nguồn lực, kinh phí, cơ sở vật chất cần thiết để thực hiện có hiệu quả các nhiệm vụ được giao",
    "định kỳ 6 tháng, hằng năm sơ kết, đánh giá kết quả thực hiện, báo cáo {report_to}",
    "phát hiện, nhân rộng các mô hình hay, cách làm hiệu quả; kịp thời biểu dương, khen thưởng tập thể, cá nhân có "
    "thành tích tiêu biểu",
    "gắn việc thực hiện {doc} với việc thực hiện nhiệm vụ chính trị của địa phương, cơ quan, đơn vị",
    "tăng cường công tác kiểm tra, giám sát việc thực hiện {doc} đối với tổ chức đảng và đảng viên",
    "nâng cao chất lượng sinh hoạt chi bộ, phát huy vai trò tiên phong, gương mẫu của cán bộ, đảng viên trong "
    "{topic}",
    "chủ động nắm chắc tình hình, tham mưu cấp ủy giải quyết kịp thời những vấn đề phát sinh ngay từ cơ sở",
    "xây dựng kế hoạch công tác cụ thể, phân công rõ người, rõ việc, rõ thời gian, rõ trách nhiệm, rõ kết quả",
    "phối hợp giám sát, phản biện xã hội, tập hợp ý kiến, kiến nghị của Nhân dân liên quan đến {topic}",
    "đưa nội dung {doc} vào sinh hoạt chi bộ thường kỳ và sinh hoạt chuyên đề",
    "tham mưu ban hành văn bản hướng dẫn, chỉ đạo thực hiện bảo đảm đúng quy định, kịp thời, thống nhất",
    "đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số trong lãnh đạo, chỉ đạo, điều hành {topic}",
    "làm tốt công tác đào tạo, bồi dưỡng, nâng cao năng lực, trình độ cho đội ngũ cán bộ trực tiếp tham mưu {topic}",
    "tổ chức các hoạt động hưởng ứng thiết thực, phù hợp với đặc điểm của từng đối tượng, từng địa bàn",
    "kịp thời biểu dương những tập thể, cá nhân làm tốt; chấn chỉnh những nơi triển khai chậm, hình thức",
    "chủ động tham mưu giải pháp tháo gỡ những khó khăn, hạn chế kéo dài {area}",
    "bảo đảm các điều kiện cần thiết để triển khai thực hiện đúng tiến độ, chất lượng, hiệu quả",
)
TOPIC_PHRASES = {
    "police": ("xây dựng lực lượng Công an xã, phường, thị trấn chính quy, vững mạnh, bám cơ sở",
               "xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc gắn với xây dựng thế trận an ninh nhân dân",
               "bố trí quỹ đất, đầu tư xây dựng trụ sở làm việc, trang bị phương tiện phục vụ công tác của Công an "
               "cấp xã",
               "nắm chắc tình hình an ninh chính trị, trật tự an toàn xã hội, giải quyết các vụ việc từ sớm, từ xa"),
    "women": ("phát huy vai trò của phụ nữ trong phát triển kinh tế - xã hội, xây dựng gia đình no ấm, tiến bộ, "
              "hạnh phúc",
              "quan tâm đào tạo, bồi dưỡng, quy hoạch, bố trí cán bộ nữ, bảo đảm tỷ lệ nữ tham gia cấp ủy",
              "hỗ trợ phụ nữ khởi nghiệp, tiếp cận nguồn vốn vay, chuyển giao khoa học - kỹ thuật"),
    "party": ("rà soát, củng cố các chi bộ, tổ chức cơ sở đảng yếu kém, nâng cao năng lực lãnh đạo, sức chiến đấu",
              "nâng cao chất lượng công tác phát triển đảng viên, nhất là trong đoàn viên thanh niên ưu tú",
              "đổi mới nội dung, phương thức sinh hoạt chi bộ, bảo đảm tính lãnh đạo, tính giáo dục, tính chiến đấu",
              "kiên quyết đưa ra khỏi Đảng những người không còn đủ tư cách đảng viên"),
    "agri": ("phát triển nông nghiệp sinh thái, nông thôn hiện đại, nông dân văn minh",
             "đẩy mạnh xây dựng nông thôn mới nâng cao, nông thôn mới kiểu mẫu",
             "hỗ trợ hình thành chuỗi liên kết sản xuất, tiêu thụ nông sản, phát triển sản phẩm OCOP"),
    "law": ("nâng cao chất lượng công tác xây dựng, ban hành và kiểm tra văn bản quy phạm pháp luật",
            "đẩy mạnh cải cách hành chính, công khai, minh bạch trong hoạt động công vụ",
            "tăng cường công tác phổ biến, giáo dục pháp luật, hòa giải ở cơ sở"),
    "unity": ("phát huy quyền làm chủ của Nhân dân, thực hiện tốt quy chế dân chủ ở cơ sở",
              "tổ chức tốt Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
              "vận động các tầng lớp Nhân dân chung sức xây dựng nông thôn mới, đô thị văn minh"),
    "congress": ("chuẩn bị chu đáo văn kiện, công tác nhân sự đại hội đảng bộ nhiệm kỳ 2025 - 2030",
                 "thực hiện đúng quy trình giới thiệu nhân sự cấp ủy, bảo đảm dân chủ, khách quan, công tâm",
                 "bảo đảm an ninh, trật tự, an toàn trước, trong và sau đại hội"),
    "education": ("rà soát, sắp xếp mạng lưới trường, lớp học, bảo đảm đủ phòng học, giáo viên",
                  "huy động trẻ em trong độ tuổi đến trường, duy trì phổ cập giáo dục",
                  "đẩy mạnh xã hội hóa, huy động nguồn lực đầu tư cơ sở vật chất trường học"),
    "health": ("nâng cao chất lượng khám, chữa bệnh ban đầu tại trạm y tế",
               "triển khai quản lý sức khỏe người dân theo hồ sơ sức khỏe điện tử",
               "chủ động phòng, chống dịch bệnh, bảo đảm vệ sinh an toàn thực phẩm"),
    "energy": ("sử dụng năng lượng tiết kiệm và hiệu quả trong cơ quan, đơn vị và Nhân dân",
               "bảo vệ an toàn hành lang lưới điện, các công trình năng lượng trên địa bàn",
               "khuyến khích phát triển điện mặt trời mái nhà tự sản, tự tiêu"),
    "twolevel": ("bảo đảm bộ máy chính quyền cấp xã vận hành thông suốt, hiệu lực, hiệu quả",
                 "giải quyết thủ tục hành chính cho người dân, doanh nghiệp nhanh chóng, đúng quy định",
                 "bố trí, sử dụng cán bộ, công chức đúng vị trí việc làm, tiêu chuẩn chức danh"),
}
PURPOSE_LINES = (
    "Quán triệt sâu sắc, đầy đủ quan điểm, mục tiêu, nhiệm vụ, giải pháp nêu trong {doc}; tạo sự thống nhất cao về "
    "nhận thức và hành động trong cấp ủy, tổ chức đảng, chính quyền, Mặt trận Tổ quốc, các đoàn thể, cán bộ, đảng "
    "viên và Nhân dân {area}.",
    "Xác định cụ thể nhiệm vụ, giải pháp và trách nhiệm của từng cơ quan, đơn vị, địa phương trong triển khai thực "
    "hiện, bảo đảm sát thực tế, khả thi, hiệu quả.",
    "Việc triển khai thực hiện phải được tiến hành nghiêm túc, thường xuyên, gắn với việc thực hiện nhiệm vụ chính "
    "trị của địa phương; có sơ kết, đánh giá, rút kinh nghiệm.",
    "Nâng cao vai trò lãnh đạo của cấp ủy, sự quản lý, điều hành của chính quyền, sự phối hợp của Mặt trận Tổ quốc "
    "và các tổ chức chính trị - xã hội đối với {topic}.",
    "Phát huy vai trò nêu gương của người đứng đầu, cán bộ, đảng viên; khắc phục tình trạng triển khai chậm, hình "
    "thức, chung chung.",
)
SITUATION_LINES = (
    "Thời gian qua, cấp ủy, chính quyền các cấp {area} luôn quan tâm lãnh đạo, chỉ đạo {topic} và đạt được nhiều "
    "kết quả tích cực; nhận thức, trách nhiệm của cán bộ, đảng viên và Nhân dân từng bước được nâng lên.",
    "Tuy nhiên, bên cạnh những kết quả đạt được vẫn còn những tồn tại, hạn chế: công tác phối hợp giữa các cơ quan, "
    "đơn vị có lúc chưa chặt chẽ; việc bố trí nguồn lực còn khó khăn; một số nơi triển khai còn chậm, chưa sâu sát.",
    "Nguyên nhân của những hạn chế trên chủ yếu là do nhận thức của một bộ phận cán bộ, đảng viên chưa đầy đủ; công "
    "tác kiểm tra, đôn đốc có lúc chưa thường xuyên.",
)
ROOT_SECTIONS = (
    ("I. TÌNH HÌNH VÀ NGUYÊN NHÂN",
     ("Sau nhiều năm thực hiện các chủ trương của Đảng về {topic}, nhận thức của cấp ủy, tổ chức đảng, chính quyền "
      "và Nhân dân có chuyển biến tích cực; nhiều mục tiêu, chỉ tiêu cơ bản đạt và vượt.",
      "Tuy nhiên, việc thực hiện ở một số nơi còn hạn chế, chưa đồng đều; cơ chế, chính sách chậm được hoàn thiện; "
      "nguồn lực đầu tư chưa đáp ứng yêu cầu.")),
    ("II. QUAN ĐIỂM, MỤC TIÊU",
     ("Bảo đảm sự lãnh đạo tuyệt đối, trực tiếp về mọi mặt của Đảng, sự quản lý thống nhất của Nhà nước đối với "
      "{topic}.",
      "Phát huy sức mạnh tổng hợp của cả hệ thống chính trị và toàn dân; lấy con người làm trung tâm, chủ thể.",
      "Đến năm 2030, tạo chuyển biến căn bản, toàn diện về {topic}, đáp ứng yêu cầu, nhiệm vụ trong tình hình mới.")),
)
ROOT_TASKS = (
    ("Các tỉnh ủy, thành ủy, đảng ủy trực thuộc Trung ương", "province",
     "tổ chức học tập, quán triệt, xây dựng chương trình hành động, kế hoạch thực hiện {doc}; thường xuyên kiểm tra, "
     "giám sát, định kỳ sơ kết, tổng kết"),
    ("Ban Tuyên giáo Trung ương", "central",
     "chủ trì, phối hợp với các cơ quan liên quan hướng dẫn việc học tập, quán triệt và tuyên truyền {doc}"),
    ("Ban Tổ chức Trung ương", "central",
     "chủ trì, phối hợp với Văn phòng Trung ương Đảng theo dõi, đôn đốc, kiểm tra, giám sát việc thực hiện {doc}, "
     "định kỳ báo cáo Bộ Chính trị, Ban Bí thư"),
    ("Đảng đoàn Quốc hội, Ban cán sự đảng Chính phủ", "central",
     "lãnh đạo thể chế hóa các chủ trương của {doc}; bố trí nguồn lực bảo đảm thực hiện"),
    ("Đảng đoàn Mặt trận Tổ quốc Việt Nam và các đoàn thể chính trị - xã hội", "central",
     "tăng cường tuyên truyền, vận động đoàn viên, hội viên và Nhân dân thực hiện; tham gia giám sát việc thực hiện"),
)
ROOT_TASKS_POST = {"Ban Tuyên giáo Trung ương": "Ban Tuyên giáo và Dân vận Trung ương",
                   "Đảng đoàn Quốc hội, Ban cán sự đảng Chính phủ": "Đảng ủy Quốc hội, Đảng ủy Chính phủ",
                   "Đảng đoàn Mặt trận Tổ quốc Việt Nam và các đoàn thể chính trị - xã hội":
                       "Đảng ủy Mặt trận Tổ quốc, các đoàn thể Trung ương"}
ROOT_TOPIC_LEAD = {"police": "Đảng ủy Công an Trung ương", "women": "Đoàn Chủ tịch Trung ương Hội Liên hiệp Phụ nữ "
                   "Việt Nam", "agri": "Ban Kinh tế Trung ương", "law": "Ban Nội chính Trung ương",
                   "education": "Đảng ủy Chính phủ", "health": "Đảng ủy Chính phủ", "energy": "Đảng ủy Chính phủ"}

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
         "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI")

# --------------------------------------------------------------------------------------------------------------
# Places


@dataclass
class Commune:
    name: str
    kind: str               # xã | phường | thị trấn | đặc khu


@dataclass
class District:
    name: str
    kind: str               # huyện | quận | thị xã | thành phố
    communes: list = field(default_factory=list)


@dataclass
class Province:
    name: str
    kind: str               # tỉnh | thành phố
    display: str
    districts: list = field(default_factory=list)   # pre2025
    communes: list = field(default_factory=list)    # post2025


DISTRICT_COMMITTEE = {"huyện": ("Huyện ủy", "HU"), "quận": ("Quận ủy", "QU"), "thị xã": ("Thị ủy", "TU"),
                      "thành phố": ("Thành ủy", "TU")}


@cache
def places() -> dict:
    import yaml  # only the generator needs it, and only once

    with open(PLACES_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _combined_names() -> tuple:
    data = places()
    return tuple(f"{a} {b}" for a in data["place_syllables_first"] for b in data["place_syllables_second"] if a != b)


def _unique_names(rng: random.Random, n: int, whole: tuple, whole_share: float, numbered: str) -> list:
    """n distinct names: a share from `whole` (ready-made names), the rest two-syllable combinations; when the
    pools run dry, numbered names as cities have ("Phường 12")."""
    combined = _combined_names()
    names: list = []
    seen: set = set()
    budget = 4 * n + 50
    while len(names) < n and budget:
        budget -= 1
        name = rng.choice(whole) if whole and rng.random() < whole_share else rng.choice(combined)
        if name not in seen:
            seen.add(name)
            names.append(name)
    names += [f"{numbered} {i}" for i in range(1, n - len(names) + 1)]
    return names


def _draw(rng: random.Random, bounds) -> int:
    lo, hi = (bounds, bounds) if isinstance(bounds, int) else bounds
    return rng.randint(int(lo), int(hi))


def build_geography(era: str, provinces, districts_per_province, communes_per_district, communes_per_province,
                    seed) -> list:
    entries = places()[f"provinces_{era}"]
    if provinces is not None:
        wanted = list(provinces)
        known = {e["name"]: e for e in entries}
        missing = [p for p in wanted if p not in known]
        if missing:
            raise ValueError(f"unknown province(s) for {era}: {', '.join(missing)}")
        entries = [known[p] for p in wanted]
    result = []
    for e in entries:
        rng = random.Random(f"{seed}|geo|{era}|{e['name']}")
        prov = Province(e["name"], e["kind"], e.get("display", e["name"]))
        if era == "pre2025":
            n = _draw(rng, districts_per_province)
            names = _unique_names(rng, n, tuple(places()["district_names"]), 0.6, "Quận")
            for name in names:
                kind = _district_kind(rng, prov.kind)
                d = District(name, kind)
                for cname in _unique_names(rng, _draw(rng, communes_per_district), (), 0, "Phường"):
                    d.communes.append(Commune(cname, _commune_kind(rng, kind)))
                prov.districts.append(d)
        else:
            for cname in _unique_names(rng, _draw(rng, communes_per_province), (), 0, "Phường"):
                r = rng.random()
                prov.communes.append(Commune(cname, "xã" if r < 0.78 else "phường" if r < 0.995 else "đặc khu"))
        result.append(prov)
    return result


def _district_kind(rng, province_kind):
    r = rng.random()
    if province_kind == "thành phố":
        return "quận" if r < 0.55 else "huyện" if r < 0.9 else "thị xã"
    return "huyện" if r < 0.8 else "thị xã" if r < 0.9 else "thành phố"


def _commune_kind(rng, district_kind):
    r = rng.random()
    if district_kind == "quận":
        return "phường"
    if district_kind == "huyện":
        return "xã" if r < 0.9 else "thị trấn"
    return "phường" if r < 0.6 else "xã"


# --------------------------------------------------------------------------------------------------------------
# Small text helpers


def slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_ = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii").lower()
    out, dash = [], False
    for ch in ascii_:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "x"


def header_date(d: date) -> str:
    """"ngày 05 tháng 7 năm 2022": day below 10 and months 1-2 with a leading zero (36-HD/VPTW, ND 30)."""
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}" if d.month <= 2 else \
        f"ngày {d.day:02d} tháng {d.month} năm {d.year}"


def inline_date(d: date, style: str) -> str:
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    if style == "slash":
        return f"{d.day:02d}/{month}/{d.year}"
    if style == "slash_bare":
        return f"{d.day}/{d.month}/{d.year}"
    if style == "dash":
        return f"{d.day:02d}-{d.month}-{d.year}"
    return f"{d.day:02d} tháng {month} năm {d.year}"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def upper_name(s: str) -> str:
    return s.upper()


def person(rng: random.Random) -> str:
    data = places()
    return f"{rng.choice(data['person_family'])} {rng.choice(data['person_middle'])} {rng.choice(data['person_given'])}"


def join_orgs(names: list) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " và " + names[-1]


# --------------------------------------------------------------------------------------------------------------
# The documents


@dataclass
class Doc:
    """What the generator knows about one document while the cascade is built (text excluded)."""

    id: str
    code: str | None                 # as printed in the header; None when lost
    cited_code: str                  # what children and the ground truth's lineage use
    type: str
    type_code: str
    issuer: str                      # full, with place
    issuer_short: str                # as other documents cite it ("Ban Thường vụ Tỉnh ủy")
    level: str
    day: date
    jurisdiction: dict
    parent: "Doc | None"
    root_id: str
    file: str = ""
    subject: str = ""


class Unit:
    """The issuing unit of a plan: its names at one level."""

    def __init__(self, level, province: Province, district: District | None = None, commune: Commune | None = None):
        self.level, self.province, self.district, self.commune = level, province, district, commune
        pk = province.kind
        self.prov_committee = "Thành ủy" if pk == "thành phố" else "Tỉnh ủy"
        if level == "province":
            self.committee, self.suffix, self.unit_word = self.prov_committee, "TU", pk
            self.place = province.display
            self.name = province.display
        elif level == "district":
            self.committee, self.suffix = DISTRICT_COMMITTEE[district.kind]
            self.unit_word, self.place, self.name = district.kind, district.name, district.name
        else:
            self.committee, self.suffix, self.unit_word = "Đảng ủy", "ĐU", commune.kind
            self.place, self.name = commune.name, commune.name

    @property
    def committee_full(self) -> str:        # "Tỉnh ủy Quảng Nam", "Huyện ủy Núi Thành", "Đảng ủy xã Tân Phú"
        if self.level == "commune":
            return f"Đảng ủy {self.unit_word} {self.name}"
        return f"{self.committee} {self.name}"

    def header_lines(self, rng) -> list:
        """The issuer column: superior line (if any) then the issuer, in capitals."""
        p = self.province
        if self.level == "province":
            if rng.random() < 0.3:
                return [f"ĐẢNG BỘ {p.kind.upper()} {upper_name(p.display if p.kind == 'tỉnh' else p.name)}"]
            return [f"{self.committee.upper()} {upper_name(p.display)}"]
        if self.level == "district":
            return [f"ĐẢNG BỘ {p.kind.upper()} {upper_name(p.name)}",
                    f"{self.committee.upper()} {upper_name(self.district.name)}"]
        if self.district is not None:
            sup = f"ĐẢNG BỘ {self.district.kind.upper()} {upper_name(self.district.name)}"
        else:
            sup = f"ĐẢNG BỘ {p.kind.upper()} {upper_name(p.name)}"
        return [sup, f"ĐẢNG ỦY {self.commune.kind.upper()} {upper_name(self.commune.name)}"]

    def jurisdiction(self) -> dict:
        return {"province": self.province.name, "district": self.district.name if self.district else None,
                "commune": self.commune.name if self.commune else None}

    def fill(self, template: str) -> str:
        return template.replace("{C}", self.committee).replace("{u}", self.unit_word)


def _allowed(cond, day: date, era: str) -> bool:
    if cond is None:
        return True
    return {"pre_tg": day < MERGED_PROPAGANDA, "post_tg": day >= MERGED_PROPAGANDA,
            "district_police": day < NO_DISTRICT_POLICE, "pre2025": era == "pre2025",
            "post2025": era == "post2025"}[cond]


def _org_pool(unit: Unit, day: date, era: str) -> list:
    return [unit.fill(t) for t, cond in ORGS[unit.level] if _allowed(cond, day, era)]


def _lower_collective(unit: Unit) -> tuple[str, str] | None:
    """The collective assignee one level down ("Đảng ủy các xã, thị trấn"), or None at commune level."""
    if unit.level == "province":
        if unit.province.districts:
            if unit.province.kind == "thành phố":
                return "Các quận ủy, huyện ủy, thị ủy, đảng ủy trực thuộc Thành ủy", "district"
            return f"Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc {unit.committee}", "district"
        return ("Đảng ủy các phường, xã" if unit.province.kind == "thành phố" else "Đảng ủy các xã, phường"), "commune"
    if unit.level == "district":
        words = {"huyện": "Đảng ủy các xã, thị trấn", "quận": "Đảng ủy các phường"}
        return words.get(unit.district.kind, "Đảng ủy các xã, phường"), "commune"
    return None


@dataclass
class Options:
    era: str
    seed: int
    wrap_fraction: float
    markdown_fraction: float
    lost_number_fraction: float


class Writer:
    """Streams texts to disk and documents to ground_truth.json."""

    def __init__(self, out: Path, opts: Options, total_hint: int):
        self.out, self.opts = out, opts
        self.width = max(6, len(str(total_hint)))
        self.count = 0
        self.bytes = 0
        self.edges: list = []
        self.roots: list = []
        self.by_level: dict = {}
        self.by_type: dict = {}
        self.made_dirs: set = set()
        out.mkdir(parents=True, exist_ok=True)
        self.gt = open(out / GROUND_TRUTH, "w", encoding="utf-8")
        self.gt.write('{"era": %s, "seed": %s, "documents": [\n' % (json.dumps(opts.era), json.dumps(opts.seed)))

    def next_id(self) -> str:
        self.count += 1
        return f"doc-{self.count:0{self.width}d}"

    def emit(self, doc: Doc, folder: str, text: str, extra: dict) -> None:
        name = f"{doc.id}_{slug(doc.cited_code)}.txt"
        rel = f"{folder}/{name}"
        doc.file = rel
        if folder not in self.made_dirs:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(folder)
        data = text.encode("utf-8")
        with open(self.out / rel, "wb") as fh:
            fh.write(data)
        self.bytes += len(data)
        record = {
            "id": doc.id, "file": rel, "code": doc.code, "cited_code": doc.cited_code,
            "lost_number": doc.code is None, "type": doc.type, "type_code": doc.type_code, "issuer": doc.issuer,
            "jurisdiction": doc.jurisdiction, "level": doc.level, "date": doc.day.isoformat(),
            "parent": doc.parent.id if doc.parent else None, "root": doc.root_id, "subject": doc.subject,
        }
        record.update(extra)
        self.gt.write(("" if self.count == 1 else ",\n") + json.dumps(record, ensure_ascii=False,
                                                                        separators=(",", ":")))
        if doc.parent is not None:
            self.edges.append((doc.id, doc.parent.id))
        else:
            self.roots.append(doc.id)
        self.by_level[doc.level] = self.by_level.get(doc.level, 0) + 1
        self.by_type[doc.type] = self.by_type.get(doc.type, 0) + 1

    def close(self) -> None:
        self.gt.write('\n], "roots": %s, "edges": [\n' % json.dumps(self.roots))
        self.gt.write(",\n".join(json.dumps({"from": a, "to": b, "relation": "implements"}) for a, b in self.edges))
        self.gt.write("\n]}\n")
        self.gt.close()


# --------------------------------------------------------------------------------------------------------------
# Text assembly. A document is first a list of blocks; a layout then renders them (plain, PDF-wrapped,
# double-spaced PDF, Markdown).


class Text:
    def __init__(self):
        self.blocks: list = []

    def add(self, kind, *payload):
        self.blocks.append((kind, *payload))


def _cite(doc: Doc, date_style: str, rng, with_issuer=True) -> str:
    comma = "," if rng.random() < 0.6 else ""
    issuer = f" của {doc.issuer_short}" if with_issuer else ""
    return f"{doc.type} số {doc.cited_code}{comma} ngày {inline_date(doc.day, date_style)}{issuer}"


def _root_cite(root: Doc, spec: RootSpec, date_style, rng) -> str:
    return f"{_cite(root, date_style, rng)} {spec.subject}"


def _fmt(template: str, ctx: dict) -> str:
    for k, v in ctx.items():
        template = template.replace("{" + k + "}", v)
    return template


def _task(section: str, label: str, lead: list, cooperating: list) -> dict:
    """Ground truth of one task: each assignee with its level and role (lead or cooperating)."""
    return {"section": section, "label": label,
            "assignees": [{**o, "role": "lead"} for o in lead] + [{**o, "role": "cooperating"} for o in cooperating]}


def _mid(org: str) -> str:
    """An organisation name as written inside a sentence: a leading collective "Các" is lower-cased."""
    return "các" + org[3:] if org.startswith("Các ") else org


def _tasks_block(t: Text, rng, unit: Unit, spec: RootSpec, day: date, era: str, ctx: dict, n_tasks: int) -> list:
    """Numbered tasks of section II; returns their ground truth."""
    pool = _org_pool(unit, day, era)
    lead = unit.fill(TOPIC_LEADS[spec.key][unit.level])
    if spec.key == "police" and unit.level == "district" and day >= NO_DISTRICT_POLICE:
        lead = unit.fill("Ủy ban nhân dân {u}")
    if unit.level == "province" and era == "post2025":
        lead = lead.replace("Ban cán sự đảng Ủy ban nhân dân", "Đảng ủy Ủy ban nhân dân").replace(
            "Đảng đoàn Ủy ban Mặt trận Tổ quốc Việt Nam", "Đảng ủy Mặt trận Tổ quốc, các đoàn thể")
    if unit.level == "province" and day >= MERGED_PROPAGANDA:
        lead = lead.replace("Ban Dân vận", "Ban Tuyên giáo và Dân vận")
    if unit.level == "district" and day >= MERGED_PROPAGANDA:
        lead = lead.replace("Ban Dân vận", "Ban Tuyên giáo và Dân vận")
    others = [o for o in pool if o != lead]
    rng.shuffle(others)
    leads = [lead] + others
    collective = _lower_collective(unit)
    phrases = list(VERB_PHRASES)
    rng.shuffle(phrases)
    topic_phrases = list(TOPIC_PHRASES[spec.key])
    rng.shuffle(topic_phrases)
    phrases = topic_phrases + phrases
    pi = 0

    def vp():
        nonlocal pi
        p = phrases[pi % len(phrases)]
        pi += 1
        return _fmt(p, ctx)

    truth = []
    level = unit.level
    for i in range(n_tasks):
        label = str(i + 1)
        if collective and i == n_tasks - 1:
            name, lvl = collective
            head = name
            rest = f"căn cứ {ctx.get('self', 'Kế hoạch')} này, xây dựng kế hoạch cụ thể và tổ chức triển khai thực hiện; {vp()}."
            t.add("task", label, head, rest, "lead")
            truth.append(_task("II", label, [{"name": name, "level": lvl}], []))
            continue
        org = leads[i % len(leads)]
        ncoop = rng.choice((0, 1, 1, 2))
        coops = [_mid(o) for o in leads[i + 1:i + 1 + 6] if o != org][:ncoop] if ncoop else []
        form = rng.random()
        bullets = []
        if coops and form < 0.45:
            head, rest, shape = org, f"chủ trì, phối hợp với {join_orgs(coops)} {vp()}; {vp()}.", "lead"
        elif form < 0.6:
            org = _mid(org)
            head, rest, shape = f"Giao {org}", f"{vp()}; {vp()}." + (
                f" Phối hợp với {join_orgs(coops)} {vp()}." if coops else ""), "giao"
        elif form < 0.8:
            head, rest, shape = org, f"{vp()}." + (f" Phối hợp chặt chẽ với {join_orgs(coops)} {vp()}."
                                                   if coops else f" Đồng thời, {vp()}."), "lead"
        else:
            head, rest, shape = org, "", "colon"
            bullets = [cap(vp()) + ("." if k == 2 else ";") for k in range(3)]
            if coops:
                bullets.append(f"Phối hợp với {join_orgs(coops)} {vp()}.")
        t.add("task", label, head, rest, shape)
        for b in bullets:
            t.add("bullet", b)
        truth.append(_task("II", label, [{"name": org, "level": level}],
                           [{"name": c, "level": level} for c in coops]))
    return truth


def _organise_block(t: Text, rng, unit: Unit, report_to: str, self_word: str) -> list:
    office = "Văn phòng Đảng ủy" if unit.level == "commune" else f"Văn phòng {unit.committee}"
    t.add("sec", "III. TỔ CHỨC THỰC HIỆN")
    truth = []
    items = [
        (office, f"chủ trì, phối hợp với các cơ quan liên quan theo dõi, đôn đốc, kiểm tra việc thực hiện {self_word}; "
                 f"định kỳ tổng hợp, báo cáo Ban Thường vụ {unit.committee if unit.level != 'commune' else 'Đảng ủy'} "
                 f"và {report_to} theo quy định."),
    ]
    if rng.random() < 0.5:
        t.add("para", "1. Các cơ quan, đơn vị, địa phương căn cứ chức năng, nhiệm vụ được giao chủ động xây dựng kế "
                      "hoạch, tổ chức triển khai thực hiện nghiêm túc, hiệu quả "
                      f"{self_word} này.")
        label0 = 2
    else:
        label0 = 1
    for k, (org, rest) in enumerate(items):
        label = str(label0 + k)
        t.add("task", label, org, rest, "lead")
        truth.append(_task("III", label, [{"name": org, "level": unit.level}], []))
    t.add("para", f"{label0 + len(items)}. {self_word} này được phổ biến đến chi bộ và đảng viên.")
    return truth


def _signature(t: Text, rng, unit: Unit, btv: bool, recipients: list):
    if unit.level == "commune" and not btv:
        authority = "T/M ĐẢNG ỦY"
    else:
        authority = "T/M BAN THƯỜNG VỤ"
    role = "BÍ THƯ" if rng.random() < 0.65 else "PHÓ BÍ THƯ"
    t.add("signature", recipients, [authority, role], person(rng), rng.random() < 0.75)


def build_plan(doc: Doc, unit: Unit, spec: RootSpec, root: Doc, opts: Options, rng) -> tuple[Text, dict]:
    """A Kế hoạch / Chương trình hành động of a provincial, district or commune Party committee."""
    t = Text()
    era = opts.era
    date_style = rng.choice(("slash", "slash", "slash", "dash", "words", "slash_bare"))
    parent = doc.parent
    number_line = _number_line(doc, rng, party=True)
    t.add("header", unit.header_lines(rng), number_line, f"{unit.place}, {header_date(doc.day)}", None)
    is_ctr = doc.type_code == "CTr"
    type_word = "CHƯƠNG TRÌNH HÀNH ĐỘNG" if is_ctr else "KẾ HOẠCH"
    root_short = f"{spec.type} số {spec.code}"
    if rng.random() < 0.25:
        title = [f"THỰC HIỆN {spec.type.upper()} SỐ {spec.code}, NGÀY {inline_date(root.day, 'slash')} CỦA "
                 f"{spec.issuer.upper()}", spec.subject.upper()]
    elif rng.random() < 0.5:
        title = [f"thực hiện {spec.type} số {spec.code}, ngày {inline_date(root.day, date_style)} của "
                 f"{spec.issuer}", spec.subject]
    else:
        title = [f"triển khai thực hiện {root_short} của {spec.issuer}", spec.subject]
    t.add("title", type_word, title)
    doc.subject = " ".join(title)

    refs = []
    area = {"province": "trên địa bàn tỉnh", "district": f"trên địa bàn {unit.unit_word}",
            "commune": f"trên địa bàn {unit.unit_word}"}[unit.level]
    if unit.level == "province" and unit.province.kind == "thành phố":
        area = "trên địa bàn thành phố"
    self_short = ("Ban Thường vụ Đảng ủy" if doc.issuer.startswith("Ban Thường vụ Đảng ủy") else "Đảng ủy") \
        if unit.level == "commune" else f"Ban Thường vụ {unit.committee}"

    # "Căn cứ" lines, rare
    r = rng.random()
    if r < 0.15:
        idx = rng.randrange(len(BASIS_LINES))
        t.add("para", BASIS_LINES[idx].replace("{committee_full}", f"Ban Chấp hành Đảng bộ {unit.unit_word} "
                                                                   f"{unit.name}"))
        if idx in BASIS_CODES:
            refs.append({"code": BASIS_CODES[idx][0], "relation": "based_on", "role": "other"})
    if rng.random() < 0.35:
        t.add("para", _fmt(SITUATION_LINES[0], {"area": area, "topic": spec.topic}))
        if rng.random() < 0.6:
            t.add("para", SITUATION_LINES[1])

    cue = rng.choice(("Thực hiện", "Thực hiện", "Thực hiện", "Triển khai thực hiện", "Để cụ thể hóa",
                      "Để triển khai thực hiện có hiệu quả"))
    if parent.level == "central":
        alias = f" (sau đây gọi tắt là {root_short})" if rng.random() < 0.4 else ""
        opening = f"{cue} {_root_cite(root, spec, date_style, rng)}{alias}"
        refs.append({"code": root.cited_code, "relation": "implements", "role": "parent"})
    else:
        opening = f"{cue} {_cite(parent, date_style, rng)}"
        refs.append({"code": parent.cited_code, "relation": "implements", "role": "parent"})
        grand = parent.parent
        if grand is not None and grand.level != "central" and rng.random() < 0.3:
            opening += f" về thực hiện {_cite(grand, date_style, rng)} và {_root_cite(root, spec, date_style, rng)}"
            refs.append({"code": grand.cited_code, "relation": "mentioned", "role": "ancestor"})
        else:
            opening += f" về thực hiện {_root_cite(root, spec, date_style, rng)}"
        refs.append({"code": root.cited_code, "relation": "mentioned", "role": "ancestor"})
    doc_word = "Chương trình hành động" if is_ctr else "Kế hoạch"
    verb = rng.choice(("ban hành", "xây dựng", "ban hành"))
    tail = rng.choice((f"{self_short} {verb} {doc_word} thực hiện như sau:",
                       f"{self_short} {verb} {doc_word} triển khai thực hiện {area} như sau:",
                       f"{self_short} {verb} {doc_word} thực hiện, cụ thể như sau:"))
    t.add("para", f"{opening}, {tail}")

    ctx = {"doc": root_short if rng.random() < 0.7 else f"{doc_word} này", "topic": spec.topic, "area": area,
           "report_to": parent.issuer_short if parent.level != "central" else f"Ban Thường vụ {unit.committee}",
           "unit": unit.unit_word, "self": doc_word}

    t.add("sec", "I. MỤC ĐÍCH, YÊU CẦU")
    lines = list(PURPOSE_LINES)
    rng.shuffle(lines)
    k = rng.randint(2, 4)
    if rng.random() < 0.5:
        for i, line in enumerate(lines[:k]):
            t.add("para", f"{i + 1}. {_fmt(line, ctx)}")
    else:
        for line in lines[:k]:
            t.add("bullet", "- " + _fmt(line, ctx))

    t.add("sec", rng.choice(("II. NHIỆM VỤ, GIẢI PHÁP", "II. NHIỆM VỤ, GIẢI PHÁP", "II. NỘI DUNG",
                             "II. NHIỆM VỤ TRỌNG TÂM")))
    if rng.random() < 0.3:
        code, cite = rng.choice(PLAIN_CITES)
        t.add("para", f"Gắn việc thực hiện {doc_word} này với việc tiếp tục thực hiện {cite}.")
        refs.append({"code": code, "relation": "cites", "role": "other"})
    tasks = _tasks_block(t, rng, unit, spec, doc.day, era, ctx, rng.randint(4, 8))
    tasks += _organise_block(t, rng, unit, parent.issuer_short if parent.level != "central" else "Bộ Chính trị",
                             doc_word)

    recipients = [f"- {parent.issuer_short} (để báo cáo),"] if parent.level != "central" else \
        ["- Văn phòng Trung ương Đảng (để báo cáo),"]
    recipients += {"province": ["- Các đồng chí Tỉnh ủy viên,", "- Các ban đảng, đảng đoàn, ban cán sự đảng,",
                                "- Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc,",
                                f"- Lưu Văn phòng {unit.committee}."],
                   "district": ["- Thường trực " + unit.committee + ",", "- Các đồng chí ủy viên Ban Chấp hành,",
                                "- Các tổ chức cơ sở đảng,", f"- Lưu Văn phòng {unit.committee}."],
                   "commune": ["- Các đồng chí Đảng ủy viên,", "- Các chi bộ trực thuộc,", "- Lưu Văn phòng Đảng ủy."]
                   }[unit.level]
    _signature(t, rng, unit, btv=self_short.startswith("Ban Thường vụ"), recipients=recipients)
    return t, {"tasks": tasks, "references": refs}


def _number_line(doc: Doc, rng, party: bool) -> str | None:
    colon = ":" if (not party or rng.random() < 0.1) else ""
    if doc.code is None:
        if rng.random() < 0.5:
            return None
        sep = "-" if party else "/"
        return f"Số{colon}      {sep}{doc.cited_code.split(sep, 1)[1]}"
    return f"Số{colon} {doc.code}"


def build_root(doc: Doc, spec: RootSpec, era: str, rng) -> tuple[Text, dict]:
    t = Text()
    t.add("header", ["BAN CHẤP HÀNH TRUNG ƯƠNG"], f"Số {doc.code}", f"Hà Nội, {header_date(doc.day)}", None)
    t.add("title", spec.type.upper(), list(spec.title_lines) + [spec.subject.upper()])
    doc.subject = spec.subject
    ctx = {"topic": spec.topic, "doc": f"{spec.type} số {spec.code}"}
    task_no = 0
    truth = []
    for heading, paras in ROOT_SECTIONS:
        t.add("sec", heading)
        for p in paras:
            t.add("para", _fmt(p, ctx))
    t.add("sec", "III. NHIỆM VỤ, GIẢI PHÁP")
    phrases = list(TOPIC_PHRASES[spec.key]) + list(VERB_PHRASES[:8])
    for i, p in enumerate(phrases[:rng.randint(5, 7)]):
        t.add("para", f"{i + 1}. {cap(_fmt(p, {**ctx, 'area': 'trong cả nước', 'report_to': 'Bộ Chính trị'}))}.")
    t.add("sec", "IV. TỔ CHỨC THỰC HIỆN")
    tasks = list(ROOT_TASKS)
    if spec.key in ROOT_TOPIC_LEAD:
        tasks.insert(1, (ROOT_TOPIC_LEAD[spec.key], "central",
                         "chủ trì, phối hợp với các cơ quan liên quan cụ thể hóa và tổ chức thực hiện các nhiệm vụ, "
                         "giải pháp về {topic}"))
    for org, level, rest in tasks:
        if era == "post2025":
            org = ROOT_TASKS_POST.get(org, org)
        task_no += 1
        t.add("task", str(task_no), org, _fmt(rest, ctx) + ".", "lead")
        truth.append(_task("IV", str(task_no), [{"name": org, "level": level}], []))
    t.add("para", f"{spec.type} này được phổ biến đến chi bộ.")
    recipients = ["- Các tỉnh ủy, thành ủy,", "- Các ban đảng, đảng ủy trực thuộc Trung ương,",
                  "- Các đồng chí Ủy viên Ban Chấp hành Trung ương Đảng,", "- Lưu Văn phòng Trung ương Đảng."]
    t.add("signature", recipients, [spec.authority] + ([spec.role] if spec.role else []), person(rng), True)
    return t, {"tasks": truth, "references": []}


def build_ubnd_plan(doc: Doc, unit: Unit, spec: RootSpec, root: Doc, rng) -> tuple[Text, dict]:
    """A provincial UBND plan (state form "123/KH-UBND") implementing the provincial Party plan."""
    t = Text()
    p = unit.province
    word = "TỈNH" if p.kind == "tỉnh" else "THÀNH PHỐ"
    date_style = rng.choice(("slash", "slash", "words"))
    t.add("header", ["ỦY BAN NHÂN DÂN", f"{word} {upper_name(p.name)}"], _number_line(doc, rng, party=False),
          f"{unit.place}, {header_date(doc.day)}", "state")
    t.add("title", "KẾ HOẠCH", [f"Triển khai thực hiện {doc.parent.type} số {doc.parent.cited_code} của "
                                f"{doc.parent.issuer_short} về thực hiện {spec.type} số {spec.code}"])
    doc.subject = f"Triển khai thực hiện {doc.parent.type} số {doc.parent.cited_code}"
    ubnd = "Ủy ban nhân dân tỉnh" if p.kind == "tỉnh" else "Ủy ban nhân dân Thành phố"
    t.add("para", f"Thực hiện {_cite(doc.parent, date_style, rng)} về thực hiện "
                  f"{_root_cite(root, spec, date_style, rng)}; {ubnd} ban hành Kế hoạch triển khai thực hiện như sau:")
    refs = [{"code": doc.parent.cited_code, "relation": "implements", "role": "parent"},
            {"code": root.cited_code, "relation": "mentioned", "role": "ancestor"}]
    t.add("sec", "I. MỤC ĐÍCH, YÊU CẦU")
    ctx = {"doc": f"Kế hoạch số {doc.parent.cited_code}", "topic": spec.topic, "area": "trên địa bàn tỉnh",
           "report_to": ubnd, "unit": "tỉnh"}
    for line in PURPOSE_LINES[1:4]:
        t.add("bullet", "- " + _fmt(line, ctx))
    t.add("sec", "II. NHIỆM VỤ, GIẢI PHÁP")
    orgs = [o.replace("{u}", "tỉnh" if p.kind == "tỉnh" else "thành phố") for o in STATE_ORGS]
    rng.shuffle(orgs)
    truth = []
    phrases = list(TOPIC_PHRASES[spec.key]) + list(VERB_PHRASES)
    rng.shuffle(phrases)
    n = rng.randint(5, 8)
    for i in range(n):
        org = orgs[i % len(orgs)]
        rest = f"chủ trì, {_fmt(phrases[2 * i], ctx)}; {_fmt(phrases[2 * i + 1], ctx)}."
        t.add("task", str(i + 1), org, rest, "lead")
        truth.append(_task("II", str(i + 1), [{"name": org, "level": "province"}], []))
    lower = "Ủy ban nhân dân các huyện, thị xã, thành phố" if p.districts else "Ủy ban nhân dân các xã, phường"
    lvl = "district" if p.districts else "commune"
    t.add("task", str(n + 1), lower, f"căn cứ Kế hoạch này, xây dựng kế hoạch và tổ chức triển khai thực hiện "
                                     f"trên địa bàn; định kỳ báo cáo kết quả về Sở Nội vụ để tổng hợp./.", "lead")
    truth.append(_task("II", str(n + 1), [{"name": lower, "level": lvl}], []))
    recipients = ["- Thường trực Tỉnh ủy (b/c);", "- Thường trực HĐND tỉnh;", "- CT, các PCT UBND tỉnh;",
                  "- Các Sở, ban, ngành;", "- Lưu: VT, NC."]
    sig = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] if rng.random() < 0.7 else \
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    t.add("signature", recipients, sig, person(rng), True)
    return t, {"tasks": truth, "references": refs}


def build_letter(doc: Doc, unit: Unit, spec: RootSpec, root: Doc, opts: Options, rng) -> tuple[Text, dict]:
    """A Công văn of a district or commune committee asking its units to carry out the parent plan."""
    t = Text()
    parent = doc.parent
    date_style = rng.choice(("slash", "slash", "dash"))
    vv = f"V/v tiếp tục đẩy mạnh {spec.topic}"
    t.add("header", unit.header_lines(rng), _number_line(doc, rng, party=True),
          f"{unit.place}, {header_date(doc.day)}", vv)
    doc.subject = vv[4:]
    collective = _lower_collective(unit)
    kinh_gui = [f"- {unit.fill('Ủy ban nhân dân {u}')},", f"- {unit.fill('Ủy ban Mặt trận Tổ quốc Việt Nam {u}')},"]
    if collective:
        kinh_gui.append(f"- {collective[0]}.")
    else:
        kinh_gui.append("- Các chi bộ trực thuộc.")
    t.add("kinhgui", kinh_gui)
    area = f"trên địa bàn {unit.unit_word}"
    self_short = f"Ban Thường vụ {unit.committee}" if unit.level != "commune" else "Ban Thường vụ Đảng ủy"
    t.add("para", _fmt(SITUATION_LINES[0], {"area": area, "topic": spec.topic}))
    t.add("para", SITUATION_LINES[1])
    t.add("para", f"Thực hiện {_cite(parent, date_style, rng)} về thực hiện {_root_cite(root, spec, date_style, rng)}; "
                  f"{self_short} yêu cầu các cấp ủy, chính quyền, Mặt trận Tổ quốc, các tổ chức chính trị - xã hội "
                  f"triển khai thực hiện tốt một số nhiệm vụ trọng tâm sau:")
    refs = [{"code": parent.cited_code, "relation": "implements", "role": "parent"},
            {"code": root.cited_code, "relation": "mentioned", "role": "ancestor"}]
    ctx = {"doc": f"{spec.type} số {spec.code}", "topic": spec.topic, "area": area,
           "report_to": self_short, "unit": unit.unit_word, "self": "Công văn"}
    tasks = _tasks_block(t, rng, unit, spec, doc.day, opts.era, ctx, rng.randint(4, 6))
    recipients = ["- Như trên;", f"- Thường trực {unit.committee if unit.level != 'commune' else 'Đảng ủy'},",
                  f"- Lưu Văn phòng {unit.committee if unit.level != 'commune' else 'Đảng ủy'}."]
    _signature(t, rng, unit, btv=True, recipients=recipients)
    return t, {"tasks": tasks, "references": refs}


# --------------------------------------------------------------------------------------------------------------
# Layouts


def _header_lines(blk, rng, layout: str, md: bool) -> list:
    _, issuer_lines, number_line, place_date, extra = blk
    state = extra == "state"
    right_head = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"] if state else \
        ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    rule = "-------" if state else "*"
    left = list(issuer_lines) + [rule]
    if number_line:
        left.append(number_line)
    if extra and not state:
        left.append(extra)      # Công văn subject under the number
    if md:
        out = [f"## {issuer_lines[0]}"] + [f"**{x}**" for x in issuer_lines[1:]] + ["\\*"]
        out += left[len(issuer_lines) + 1:]
        out += [f"## {right_head[0]}"] + right_head[1:] + [f"*{place_date}*"]
        return out
    if layout == "table":
        pd = place_date
        if rng.random() < 0.6 and " tháng " in pd:
            i = pd.index(" tháng ")
            pd = pd[:i] + "\n" + pd[i + 1:]
        out = ["|"] + list(issuer_lines) + [rule, "|"] + right_head + ["---------------", "|", "|"]
        if number_line:
            out.append(number_line)
        if extra and not state:
            out.append(extra)
        out += ["|", f"*{pd}*", "|"]
        return out
    if layout == "side":
        # pdftotext -layout: the two header columns side by side
        rights = right_head + ["---------------"]
        top = list(issuer_lines) + [rule]
        rows = []
        for i in range(max(len(top), len(rights))):
            l_ = top[i].center(36) if i < len(top) else " " * 36
            r_ = rights[i] if i < len(rights) else ""
            rows.append((l_ + "      " + r_).rstrip())
        rows.append((number_line or "").ljust(42) + place_date)
        if extra and not state:
            rows.append(extra)
        return rows
    if layout == "right_first":
        return right_head + [place_date] + left
    return left + right_head + [place_date]


def render(t: Text, rng, style: str, split_target: str | None = None) -> tuple[str, bool]:
    """Render blocks; style in plain | pdf | pdf-double | markdown | markdown-wrapped.

    Returns (text, split): `split` tells whether a code was broken across lines (always so when wrapped: the
    first mention of `split_target`, or of any code when it is None, is broken after its first separator).
    """
    md = style.startswith("markdown")
    layout = "md" if md else rng.choice(("left_first", "left_first", "right_first", "side", "table"))
    heading_tasks = md and rng.random() < 0.5
    header: list = []
    paras: list = []                      # body paragraphs (wrappable)
    for blk in t.blocks:
        kind = blk[0]
        if kind == "header":
            header = _header_lines(blk, rng, layout, md)
        elif kind == "title":
            _, word, lines = blk
            paras.append(("fixed", f"**{word}**" if md else word))
            for ln in lines:
                paras.append(("para", ln))
            if rng.random() < 0.4:
                paras.append(("fixed", "-----"))
        elif kind == "kinhgui":
            lines = blk[1]
            paras.append(("fixed", ("*Kính gửi:* " if md else "Kính gửi: ") + lines[0]))
            for ln in lines[1:]:
                paras.append(("fixed", ln))
        elif kind == "sec":
            paras.append(("fixed", f"**{blk[1]}**" if md else blk[1]))
        elif kind == "para":
            paras.append(("para", blk[1]))
        elif kind == "bullet":
            text = blk[1] if blk[1].startswith("- ") else "- " + blk[1]
            paras.append(("para", text))
        elif kind == "task":
            _, label, head, rest, shape = blk
            if shape == "colon":
                paras.append(("fixed", f"#### {label}. {head}" if heading_tasks else
                              (f"**{label}.** {head}:" if md else f"{label}. {head}:")))
            elif heading_tasks and shape == "lead":
                paras.append(("fixed", f"#### {label}. {head}"))
                paras.append(("para", "- " + cap(rest)))
            else:
                lab = f"**{label}.**" if md else f"{label}."
                paras.append(("para", f"{lab} {head} {rest}".rstrip()))
        elif kind == "signature":
            _, recipients, auth_lines, name, recipients_first = blk
            sig = [f"**{ln}**" for ln in auth_lines] if md else list(auth_lines)
            sig_block = sig + [""] * rng.choice((1, 2, 4)) + [f"**{name}**" if md else name]
            recv_block = [("*Nơi nhận:*" if md else "Nơi nhận:")] + recipients
            if recipients_first:
                block = recv_block + [""] + sig_block
            else:
                block = sig_block + [""] + recv_block
            paras.append(("fixed", "\n".join(block)))
    wrapped = style in ("pdf", "pdf-double", "markdown-wrapped")
    sep = "\n\n" if (md or rng.random() < 0.5) else "\n"
    if not wrapped:
        body = sep.join(p for _, p in paras)
        return "\n".join(header) + "\n\n" + body + "\n", False
    width = rng.randint(70, 85)
    out_lines: list = []
    forced = [False]
    for kind, p in paras:
        if kind == "fixed":
            out_lines.extend(p.split("\n"))
        else:
            out_lines.extend(_hard_wrap(p, width, rng, forced, split_target))
    if style == "pdf-double":
        body = "\n\n".join(ln + " " for ln in out_lines)
    else:
        body = "\n".join(out_lines)
    return "\n".join(header) + "\n\n" + body + "\n", forced[0]


def _hard_wrap(paragraph: str, width: int, rng, forced: list, target: str | None) -> list:
    """Break a paragraph into lines of about `width` characters the way PDF text layers do.

    Tokens that carry a "-" or "/" (codes, dates) may be broken just after the separator; the first mention of
    `target` (or the first code, when target is None) is always broken there, so every wrapped text has at least
    one split code.
    """
    lines, cur = [], ""
    w = width + rng.randint(-3, 3)
    for tok in paragraph.split(" "):
        if not forced[0] and (target in tok if target else _is_code(tok)) and len(tok) > 3:
            start = tok.find(target) if target else 0
            cut = start + min(i for i in (tok.find("-", start) - start, tok.find("/", start) - start) if i > 0) + 1
            lines.append((cur + " " + tok[:cut]).lstrip())
            cur = tok[cut:]
            forced[0] = True
            continue
        if not cur:
            cur = tok
        elif len(cur) + 1 + len(tok) <= w:
            cur += " " + tok
        else:
            room = w - len(cur) - 1
            cut = max(tok.rfind("-", 0, room), tok.rfind("/", 0, room))
            if cut > 0 and len(tok) > 4 and rng.random() < 0.5:
                lines.append(cur + " " + tok[:cut + 1])
                cur = tok[cut + 1:]
            else:
                lines.append(cur)
                cur = tok
            w = width + rng.randint(-3, 3)
    if cur:
        lines.append(cur)
    return lines


def _is_code(tok: str) -> bool:
    """A Party code token like "25-KH/TU," (digits, hyphen, letters, slash)."""
    i = tok.find("-")
    return 0 < i <= 4 and tok[:i].isdigit() and "/" in tok[i:] and tok[i + 1:i + 2].isalpha()


_TONE_OLD_TO_NEW = (("ủy", "uỷ"), ("Ủy", "Uỷ"), ("ỦY", "UỶ"), ("hòa", "hoà"), ("Hòa", "Hoà"), ("HÒA", "HOÀ"),
                    ("hóa", "hoá"), ("Hóa", "Hoá"), ("HÓA", "HOÁ"), ("thủy", "thuỷ"), ("Thủy", "Thuỷ"))


def _new_tone_style(text: str) -> str:
    for a, b in _TONE_OLD_TO_NEW:
        text = text.replace(a, b)
    return text


# --------------------------------------------------------------------------------------------------------------
# The cascade


def _issuer_number(seed, issuer_key: str, type_code: str, lo: int, hi: int, n_roots: int, rank: int) -> int:
    """The number an issuer gives its document for the root of date rank `rank`: distinct per issuer and type,
    increasing with the root's date, drawn from a small range so that other issuers reuse it."""
    rng = random.Random(f"{seed}|num|{issuer_key}|{type_code}")
    return sorted(rng.sample(range(lo, hi + 1), n_roots))[rank]


NUMBER_RANGES = {"province": (1, 40), "district": (1, 60), "commune": (1, 30), "ubnd": (80, 260),
                 "letter_district": (100, 400), "letter_commune": (20, 120)}


def generate(out_dir, *, era="pre2025", provinces=None, districts_per_province=(8, 14), communes_per_district=(10, 20),
             communes_per_province=(60, 120), roots=1, seed=0, wrap_fraction=0.2, markdown_fraction=0.05,
             lost_number_fraction=0.01, ubnd_fraction=0.15, letter_fraction=0.03, start_year=None) -> dict:
    """Write a cascade corpus to `out_dir` and return a summary (counts, bytes, seconds).

    `provinces`: list of province names (default all 63 / 34 of the era). `districts_per_province`,
    `communes_per_district` (pre2025) and `communes_per_province` (post2025) are (low, high) ranges or ints.
    `start_year` moves the catalogue of central roots by whole years (its base years are 2022 and 2025).
    """
    t0 = time.perf_counter()
    if era not in ERAS:
        raise ValueError(f"era must be one of {', '.join(ERAS)}, not {era!r}")
    catalogue = ROOTS[era]
    if not 1 <= roots <= len(catalogue):
        raise ValueError(f"roots must be between 1 and {len(catalogue)} for {era}, not {roots}")
    for name, frac in (("wrap_fraction", wrap_fraction), ("markdown_fraction", markdown_fraction),
                       ("lost_number_fraction", lost_number_fraction), ("ubnd_fraction", ubnd_fraction),
                       ("letter_fraction", letter_fraction)):
        if not 0 <= frac <= 1:
            raise ValueError(f"{name} must be between 0 and 1, not {frac}")
    shift = 0 if start_year is None else int(start_year) - CATALOGUE_BASE_YEAR[era]
    specs = [_shift_spec(s, shift) for s in catalogue[:roots]]
    for s in specs:
        if era == "pre2025" and s.day + timedelta(days=120 + 60 + 45 + 90) >= REFORM_DATE:
            raise ValueError(f"start_year {start_year} puts the {s.code} cascade past 1/7/2025; pre2025 needs "
                             f"districts")
        if era == "post2025" and s.day < REFORM_DATE:
            raise ValueError(f"start_year {start_year} puts {s.code} before 1/7/2025; post2025 has no districts")
    rank = {s.code: i for i, s in enumerate(sorted(specs, key=lambda s: s.day))}
    geo = build_geography(era, provinces, districts_per_province, communes_per_district, communes_per_province, seed)
    opts = Options(era, seed, wrap_fraction, markdown_fraction, lost_number_fraction)
    out = Path(out_dir)
    total_hint = roots * (1 + sum(1 + len(p.communes) + sum(1 + len(d.communes) for d in p.districts) for p in geo))
    w = Writer(out, opts, int(total_hint * 1.1) + 10)
    n_roots = len(specs)

    for spec in specs:
        root_key = f"{seed}|{spec.code}|{spec.day.isoformat()}"
        root_folder = f"{slug(spec.code)}-{spec.day.year}"
        rng = random.Random(f"{root_key}|root")
        root = Doc(w.next_id(), spec.code, spec.code, spec.type, spec.type_code, spec.issuer, spec.issuer, "central",
                   spec.day, {"province": None, "district": None, "commune": None}, None, "")
        root.root_id = root.id
        text, truth = build_root(root, spec, era, rng)
        _emit(w, root, root_folder, text, truth, rng, opts)
        r = rank[spec.code]
        for prov in geo:
            pfolder = f"{root_folder}/{slug(prov.name)}"
            punit = Unit("province", prov)
            prng = random.Random(f"{root_key}|{prov.name}")
            pdoc = _plan_doc(w, punit, root, root, spec, prng, opts, n_roots, r, days=(15, 120))
            text, truth = build_plan(pdoc, punit, spec, root, opts, prng)
            _emit(w, pdoc, pfolder, text, truth, prng, opts)
            if prng.random() < ubnd_fraction:
                _emit_ubnd(w, punit, pdoc, root, spec, prng, opts, n_roots, r, pfolder)
            if era == "pre2025":
                for dist in prov.districts:
                    dunit = Unit("district", prov, dist)
                    dfolder = f"{pfolder}/{slug(dist.kind + ' ' + dist.name)}"
                    drng = random.Random(f"{root_key}|{prov.name}|{dist.name}")
                    ddoc = _plan_doc(w, dunit, pdoc, root, spec, drng, opts, n_roots, r, days=(7, 60))
                    text, truth = build_plan(ddoc, dunit, spec, root, opts, drng)
                    _emit(w, ddoc, dfolder, text, truth, drng, opts)
                    if drng.random() < letter_fraction:
                        _emit_letter(w, dunit, pdoc, root, spec, drng, opts, n_roots, r, dfolder, "letter_district")
                    for com in dist.communes:
                        cunit = Unit("commune", prov, dist, com)
                        crng = random.Random(f"{root_key}|{prov.name}|{dist.name}|{com.name}")
                        cdoc = _plan_doc(w, cunit, ddoc, root, spec, crng, opts, n_roots, r, days=(5, 45))
                        text, truth = build_plan(cdoc, cunit, spec, root, opts, crng)
                        _emit(w, cdoc, dfolder, text, truth, crng, opts)
            else:
                for com in prov.communes:
                    cunit = Unit("commune", prov, None, com)
                    crng = random.Random(f"{root_key}|{prov.name}|{com.name}")
                    cdoc = _plan_doc(w, cunit, pdoc, root, spec, crng, opts, n_roots, r, days=(7, 60))
                    text, truth = build_plan(cdoc, cunit, spec, root, opts, crng)
                    _emit(w, cdoc, pfolder, text, truth, crng, opts)
                    if crng.random() < letter_fraction:
                        _emit_letter(w, cunit, pdoc, root, spec, crng, opts, n_roots, r, pfolder, "letter_commune")
    w.close()
    return {"out_dir": str(out), "era": era, "seed": seed, "documents": w.count, "roots": list(w.roots),
            "provinces": len(geo), "districts": sum(len(p.districts) for p in geo),
            "communes": sum(len(p.communes) + sum(len(d.communes) for d in p.districts) for p in geo),
            "by_level": dict(w.by_level), "by_type": dict(w.by_type), "bytes": w.bytes,
            "seconds": round(time.perf_counter() - t0, 3), "ground_truth": str(out / GROUND_TRUTH)}


def _shift_spec(spec: RootSpec, years: int) -> RootSpec:
    if not years:
        return spec
    from dataclasses import replace
    day = spec.day
    try:
        day = day.replace(year=day.year + years)
    except ValueError:                      # 29 February
        day = day.replace(year=day.year + years, day=28)
    return replace(spec, day=day)


def _plan_doc(w: Writer, unit: Unit, parent: Doc, root: Doc, spec: RootSpec, rng, opts: Options, n_roots: int,
              rank: int, days) -> Doc:
    level = unit.level
    ctr_share = {"province": 0.35, "district": 0.1, "commune": 0.05}[level]
    is_ctr = rng.random() < ctr_share
    type_code = "CTr" if is_ctr else "KH"
    lo, hi = NUMBER_RANGES[level]
    key = f"{unit.province.name}|{unit.district.name if unit.district else ''}|{unit.commune.name if unit.commune else ''}"
    number = _issuer_number(opts.seed, key, type_code, lo, hi, n_roots, rank)
    code = f"{number:02d}-{type_code}/{unit.suffix}"
    day = parent.day + timedelta(days=rng.randint(*days))
    if level == "commune":
        btv = rng.random() < 0.3
        issuer = f"{'Ban Thường vụ ' if btv else ''}Đảng ủy {unit.unit_word} {unit.name}"
        short = "Ban Thường vụ Đảng ủy" if btv else "Đảng ủy"
    else:
        issuer = f"Ban Thường vụ {unit.committee_full}"
        short = f"Ban Thường vụ {unit.committee}"
    lost = rng.random() < opts.lost_number_fraction
    return Doc(w.next_id(), None if lost else code, code, "Chương trình" if is_ctr else "Kế hoạch", type_code,
               issuer, short, level, day, unit.jurisdiction(), parent, root.id)


def _emit_ubnd(w, punit, pdoc, root, spec, prng, opts, n_roots, r, folder):
    rng = random.Random(f"{opts.seed}|{root.cited_code}|{punit.province.name}|ubnd")
    lo, hi = NUMBER_RANGES["ubnd"]
    number = _issuer_number(opts.seed, punit.province.name + "|UBND", "KH", lo, hi, n_roots, r)
    code = f"{number}/KH-UBND"
    word = "tỉnh" if punit.province.kind == "tỉnh" else "thành phố"
    lost = rng.random() < opts.lost_number_fraction
    doc = Doc(w.next_id(), None if lost else code, code, "Kế hoạch", "KH", f"Ủy ban nhân dân {word} "
              f"{punit.province.display}", f"Ủy ban nhân dân {word}", "province",
              pdoc.day + timedelta(days=rng.randint(7, 45)), punit.jurisdiction(), pdoc, root.id)
    text, truth = build_ubnd_plan(doc, punit, spec, root, rng)
    _emit(w, doc, folder, text, truth, rng, opts)


def _emit_letter(w, unit, parent, root, spec, prng, opts, n_roots, r, folder, kind):
    rng = random.Random(f"{opts.seed}|{root.cited_code}|{unit.jurisdiction()}|letter")
    lo, hi = NUMBER_RANGES[kind]
    key = f"{unit.province.name}|{unit.district.name if unit.district else ''}|" \
          f"{unit.commune.name if unit.commune else ''}|CV"
    number = _issuer_number(opts.seed, key, "CV", lo, hi, n_roots, r)
    code = f"{number:02d}-CV/{unit.suffix}"
    if unit.level == "commune":
        issuer, short = f"Ban Thường vụ Đảng ủy {unit.unit_word} {unit.name}", "Ban Thường vụ Đảng ủy"
    else:
        issuer, short = f"Ban Thường vụ {unit.committee_full}", f"Ban Thường vụ {unit.committee}"
    lost = rng.random() < opts.lost_number_fraction
    doc = Doc(w.next_id(), None if lost else code, code, "Công văn", "CV", issuer, short, unit.level,
              parent.day + timedelta(days=rng.randint(10, 90)), unit.jurisdiction(), parent, root.id)
    text, truth = build_letter(doc, unit, spec, root, opts, rng)
    _emit(w, doc, folder, text, truth, rng, opts)


def _emit(w: Writer, doc: Doc, folder: str, t: Text, truth: dict, rng, opts: Options) -> None:
    r = rng.random()
    if r < opts.wrap_fraction:
        style = rng.choice(("pdf", "pdf", "pdf-double", "markdown-wrapped"))
    elif r < opts.wrap_fraction + opts.markdown_fraction:
        style = "markdown"
    else:
        style = "plain"
    text, split_code = render(t, rng, style, doc.parent.cited_code if doc.parent else None)
    tone = "old"
    if rng.random() < 0.15:
        text, tone = _new_tone_style(text), "new"
    wrapped = style in ("pdf", "pdf-double", "markdown-wrapped")
    extra = {"layout": style, "wrapped": wrapped, "split_code": split_code, "tone_marks": tone}
    extra.update(truth)
    w.emit(doc, folder, text, extra)


# --------------------------------------------------------------------------------------------------------------
# Reading the ground truth back


def load_ground_truth(path) -> dict:
    p = Path(path)
    if p.is_dir():
        p = p / GROUND_TRUTH
    with open(p, encoding="utf-8") as fh:
        return json.load(fh)


def descendants(ground_truth: dict, root_id: str) -> set:
    """Ids of every document below `root_id` through implements edges (the root itself excluded)."""
    children: dict = {}
    for e in ground_truth["edges"]:
        children.setdefault(e["to"], []).append(e["from"])
    seen, stack = set(), [root_id]
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


# --------------------------------------------------------------------------------------------------------------
# Fan-out for a wanted number of documents

COMMUNES_PER_DISTRICT_RATIO = 1.4      # about 10,000 communes / 700 districts, over 11 districts a province


def plan_fanout(documents: int, era: str = "pre2025", roots: int = 1, ubnd_fraction: float = 0.15,
                letter_fraction: float = 0.03) -> dict:
    """Keyword arguments for generate() that give about `documents` documents."""
    if documents < roots * 3:
        raise ValueError(f"--documents {documents} is too small for {roots} root(s)")
    all_provinces = [p["name"] for p in places()[f"provinces_{era}"]]
    per_root = documents / roots - 1
    if era == "pre2025":
        def per_province(d, c):
            return 1 + ubnd_fraction + d * (1 + letter_fraction + c)
        k = COMMUNES_PER_DISTRICT_RATIO
        n_prov = len(all_provinces)
        b = per_root / n_prov - 1 - ubnd_fraction
        if b < per_province(2, 2) - 1 - ubnd_fraction:
            d, c = 1, 1
            if per_root >= per_province(1, 1):
                c = max(1, round(per_root / 3 - 1 - ubnd_fraction - 1 - letter_fraction)) if per_root < 30 else 3
                d = 2 if per_root >= per_province(2, 2) * 2 else 1
                c = max(1, min(c, 3))
        else:
            d = (-(1 + letter_fraction) + math.sqrt((1 + letter_fraction) ** 2 + 4 * k * b)) / (2 * k)
            d = max(1, round(d))
            c = max(1, b / d - 1 - letter_fraction)
            c = round(c)
        n_prov = max(1, min(len(all_provinces), round(per_root / per_province(d, c))))
        spread_d = 0 if d < 4 else max(1, round(d * 0.2))
        spread_c = 0 if c < 4 else max(1, round(c * 0.25))
        return {"era": era, "roots": roots, "provinces": _spread_pick(all_provinces, n_prov),
                "districts_per_province": (d - spread_d, d + spread_d),
                "communes_per_district": (c - spread_c, c + spread_c),
                "ubnd_fraction": ubnd_fraction, "letter_fraction": letter_fraction}
    n_prov = len(all_provinces)
    c = (per_root / n_prov - 1 - ubnd_fraction) / (1 + letter_fraction)
    if c < 2:
        c = 2
        n_prov = max(1, min(n_prov, round(per_root / (1 + ubnd_fraction + 2 * (1 + letter_fraction)))))
    c = round(c)
    spread = 0 if c < 4 else max(1, round(c * 0.25))
    return {"era": era, "roots": roots, "provinces": _spread_pick(all_provinces, n_prov),
            "communes_per_province": (c - spread, c + spread), "ubnd_fraction": ubnd_fraction,
            "letter_fraction": letter_fraction}


def _spread_pick(names: list, n: int) -> list | None:
    if n >= len(names):
        return None
    step = len(names) / n
    return [names[int(i * step)] for i in range(n)]


# --------------------------------------------------------------------------------------------------------------
# Command line


def _human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n} B"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Generate a synthetic cascade corpus of Vietnamese Party plans with "
                                             "its ground truth.")
    ap.add_argument("out_dir", help="folder to write (texts + ground_truth.json)")
    ap.add_argument("--documents", type=int, default=1000, help="about how many documents (default 1000)")
    ap.add_argument("--era", choices=ERAS, default="pre2025")
    ap.add_argument("--roots", type=int, default=1, help="number of central root documents")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wrap-fraction", type=float, default=0.2, help="share of texts hard-wrapped like PDF output")
    ap.add_argument("--start-year", type=int, default=None, help="move the catalogue of roots to this year")
    ap.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    try:
        if out.exists() and not out.is_dir():
            raise ValueError(f"{out}: not a folder")
        if out.is_dir() and any(out.iterdir()) and not args.force:
            raise ValueError(f"{out}: folder is not empty (use --force to write into it)")
        if args.force and (out / GROUND_TRUTH).is_file():
            _remove_previous(out)
        kwargs = plan_fanout(args.documents, args.era, args.roots)
        summary = generate(out, seed=args.seed, wrap_fraction=args.wrap_fraction, start_year=args.start_year,
                           **kwargs)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    levels = ", ".join(f"{k} {v:,}" for k, v in summary["by_level"].items())
    types = ", ".join(f"{k} {v:,}" for k, v in summary["by_type"].items())
    print(f"{summary['documents']:,} documents ({levels}; {types}) from {len(summary['roots'])} root(s), "
          f"{summary['provinces']} provinces, {summary['districts']:,} districts, {summary['communes']:,} communes")
    print(f"{_human_bytes(summary['bytes'])} of text in {summary['seconds']:.1f} s -> {summary['ground_truth']}")
    return 0


def _remove_previous(out: Path) -> None:
    """Delete the texts a previous run listed in its ground truth (and nothing else)."""
    gt = load_ground_truth(out)
    for d in gt["documents"]:
        f = out / d["file"]
        if f.is_file():
            f.unlink()
    (out / GROUND_TRUTH).unlink()


if __name__ == "__main__":
    sys.exit(main())
