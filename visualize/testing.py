"""Lineages made up for tests and benchmarks: a cascade like the one Nghị quyết 12-NQ/TW started.

One central resolution, a central guidance that guides it, then province action programmes, district plans and
commune plans implementing the level above, each with tasks given to organisations of its level. Names are
Vietnamese with their diacritics; every id is unique; the same arguments always give the same lineage.

>>> lin = make_cascade(12)
>>> sum(n["kind"] == "document" for n in lin["nodes"])
12
>>> lin["root"]
'doc/tw/2022/nq/12'
"""
from __future__ import annotations

import random

PROVINCES = (
    "Bắc Ninh", "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
)
FIRST = ("Yên", "Tiên", "Quế", "Gia", "Lương", "Thuận", "Tân", "Phú", "Hòa", "An", "Đông", "Bình", "Xuân",
         "Quảng", "Hưng", "Đức", "Mỹ", "Phước", "Nghĩa", "Long", "Hải", "Vĩnh", "Thạch", "Cẩm", "Đại", "Ngọc")
SECOND = ("Phong", "Du", "Võ", "Bình", "Tài", "Thành", "Lộc", "Thịnh", "Hiệp", "Khánh", "Sơn", "Trung",
          "Lợi", "Đạt", "Điền", "Xuyên", "Hội", "Lâm", "Tiến", "Quang", "Thủy", "Hà", "Mỹ", "Nhuận")
TASKS = (
    "Tổ chức quán triệt, tuyên truyền sâu rộng Nghị quyết 12-NQ/TW đến cán bộ, đảng viên và nhân dân",
    "Xây dựng lực lượng Công an xã chính quy, bám cơ sở, bảo đảm an ninh, trật tự ở địa bàn",
    "Kiện toàn tổ chức bộ máy, bố trí cán bộ, bảo đảm cơ sở vật chất cho lực lượng Công an",
    "Kiểm tra, giám sát, sơ kết, tổng kết việc thực hiện; báo cáo kết quả về cấp trên",
)
ROOT_TITLE = ("về tiếp tục đẩy mạnh xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, "
              "chính quy, tinh nhuệ, hiện đại, đáp ứng yêu cầu, nhiệm vụ trong tình hình mới")
HOSTILE = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "<svg onload=alert(1)>",
           "\" onmouseover=\"alert(1)", "' + alert(1) + '", "&lt;b&gt; \u2028 {{7*7}}")


def _names(n: int, rng: random.Random) -> list[str]:
    pairs = [f"{a} {b}" for a in FIRST for b in SECOND if a != b]
    rng.shuffle(pairs)
    return [pairs[i % len(pairs)] + ("" if i < len(pairs) else f" {i // len(pairs) + 1}") for i in range(n)]


def make_cascade(n_documents: int, *, tasks_per_document: int = 2, seed: int = 0, hostile: bool = False) -> dict:
    """A lineage dict of exactly ``n_documents`` documents cascading from 12-NQ/TW down to communes.

    ``hostile=True`` puts script-like text (``<img src=x onerror=alert(1)>``, ``</script>`` ...) into titles,
    tasks, organisation names, evidence and file names, to check that pages show it and run none of it.
    """
    if n_documents < 1:
        raise ValueError("a cascade needs at least one document")
    rng = random.Random(seed)
    nodes: list[dict] = []
    edges: list[dict] = []
    orgs: dict[str, str] = {}
    evil = (lambda i: " " + HOSTILE[i % len(HOSTILE)]) if hostile else (lambda i: "")

    code_of: dict[str, str] = {}

    def document(doc_id, code, type_, level, issuer, jurisdiction, date, title, source):
        code_of[doc_id] = code
        nodes.append({"id": doc_id, "kind": "document", "code": code, "type": type_, "level": level,
                      "date": date, "issuer": issuer, "label": f"{type_} {code}", "title": title,
                      "source": source, "jurisdiction": jurisdiction})

    def organisation(name, level):
        if name not in orgs:
            orgs[name] = f"org/{len(orgs) + 1}"
            nodes.append({"id": orgs[name], "kind": "organisation", "code": None, "type": None, "level": level,
                          "date": None, "issuer": None, "label": name, "title": name, "source": None,
                          "jurisdiction": None})
        return orgs[name]

    def tasks(doc_id, level, units, source):
        for k in range(tasks_per_document):
            task_id = f"{doc_id}/task/{k + 1}"
            text = TASKS[(k + len(nodes)) % len(TASKS)] + evil(len(nodes) + k)
            nodes.append({"id": task_id, "kind": "task", "code": None, "type": None, "level": level,
                          "date": None, "issuer": None, "label": f"Nhiệm vụ {k + 1}", "title": text,
                          "source": source, "jurisdiction": None})
            edges.append({"from": doc_id, "to": task_id, "relation": "has_task", "evidence": text})
            lead = organisation(units[k % len(units)] + evil(k), level)
            edges.append({"from": task_id, "to": lead, "relation": "lead" if k % 2 else "assigns_to",
                          "evidence": f"{units[k % len(units)]} chủ trì, tham mưu thực hiện nhiệm vụ {k + 1}."})
            if k % 2 and len(units) > 1:
                helper = organisation(units[(k + 1) % len(units)], level)
                edges.append({"from": task_id, "to": helper, "relation": "cooperating",
                              "evidence": f"{units[(k + 1) % len(units)]} phối hợp thực hiện."})

    root = "doc/tw/2022/nq/12"
    document(root, "12-NQ/TW", "Nghị quyết", "central", "Bộ Chính trị", None, "2022-03-16",
             ROOT_TITLE + evil(0), "data/corpus/12-NQ-TW.txt" + evil(1))
    tasks(root, "central", ["Đảng ủy Công an Trung ương", "Ban Tuyên giáo Trung ương"], None)
    made = 1
    guide = None
    if n_documents >= 2:
        guide = "doc/tw/2022/hd/85"
        document(guide, "85-HD/BTGTW", "Hướng dẫn", "central", "Ban Tuyên giáo Trung ương", None, "2022-05-20",
                 "tuyên truyền Nghị quyết 12-NQ/TW", None)
        edges.append({"from": guide, "to": root, "relation": "guides",
                      "evidence": "Hướng dẫn tuyên truyền Nghị quyết số 12-NQ/TW của Bộ Chính trị." + evil(2)})
        made = 2
    fan = 1
    while 2 + fan + fan**2 + fan**3 < n_documents:
        fan += 1
    provinces = [PROVINCES[i % len(PROVINCES)] + ("" if i < len(PROVINCES) else f" {i // len(PROVINCES) + 1}")
                 for i in range(fan)]
    district_names = _names(fan, rng)
    commune_names = _names(fan * 3, rng)

    # Breadth first, so a small n still reaches every level before widening the lower ones.
    parents = [(root, "central", "", 0)]
    levels = (("province", "Chương trình hành động", "CTr/TU", "Tỉnh ủy"),
              ("district", "Kế hoạch", "KH/HU", "Huyện ủy"),
              ("commune", "Kế hoạch", "KH/ĐU", "Đảng ủy xã"))
    for depth, (level, type_, symbol, body) in enumerate(levels):
        children = []
        for p_index, (parent, _, place, _) in enumerate(parents):
            for c in range(fan):
                if made >= n_documents:
                    break
                made += 1
                if level == "province":
                    name = provinces[c]
                elif level == "district":
                    name = f"{district_names[(c + p_index) % fan]}"
                else:
                    name = f"{commune_names[(c * 3 + p_index) % len(commune_names)]}"
                where = name if level == "province" else f"{name}, {place}"
                number = str(10 + made % 190)
                doc_id = f"doc/{level}/{made}"
                issuer = f"Ban Thường vụ {body} {name}" if level != "commune" else f"Đảng ủy xã {name}"
                unit_place = {"province": f"tỉnh {name}", "district": f"huyện {name}", "commune": f"xã {name}"}[level]
                year = 2022 + depth // 2
                date = f"{year}-{(made % 12) + 1:02d}-{(made % 27) + 1:02d}"
                parent_code = code_of[parent]
                title = f"thực hiện {parent_code} về xây dựng lực lượng Công an ở {unit_place}" + evil(made)
                document(doc_id, f"{number}-{symbol}", type_, level, issuer, where, date, title,
                         f"data/corpus/{level}-{made}.txt" + evil(made + 1))
                edges.append({"from": doc_id, "to": parent, "relation": "implements",
                              "evidence": f"Thực hiện văn bản số {parent_code}, {issuer} ban hành {type_.lower()}"
                                          " như sau:" + evil(made + 2)})
                if guide and level == "province":
                    edges.append({"from": doc_id, "to": guide, "relation": "based_on",
                                  "evidence": "Căn cứ Hướng dẫn số 85-HD/BTGTW của Ban Tuyên giáo Trung ương."})
                if level == "district" and made % 5 == 0:
                    edges.append({"from": doc_id, "to": root, "relation": "cites",
                                  "evidence": "... theo tinh thần Nghị quyết số 12-NQ/TW ..."})
                units = {"province": [f"Đảng ủy Công an tỉnh {name}", f"Ban Tuyên giáo Tỉnh ủy {name}"],
                         "district": [f"Công an huyện {name}", f"Ủy ban nhân dân huyện {name}"],
                         "commune": [f"Công an xã {name}", f"Ủy ban nhân dân xã {name}",
                                     f"Mặt trận Tổ quốc Việt Nam xã {name}"]}[level]
                tasks(doc_id, level, [u + (f" ({where})" if level != "province" else "") for u in units], None)
                children.append((doc_id, level, where, 0))
        parents = children
    return {"root": root, "nodes": nodes, "edges": edges}


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium_missing() -> str | None:
    """Why a headless browser cannot run here (None when it can): pages are tested in Debian's Chromium."""
    import importlib.util
    import os

    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def headless_chromium(profile_dir, *, offline: bool = True, width: int = 1400, height: int = 900):
    """A selenium driver for Debian's headless Chromium with a fresh profile. ``offline`` makes every host name
    unresolvable and routes through a dead proxy, so a page that needs the network cannot draw. Before any page
    script runs, ``window.alert/confirm/prompt`` are replaced by recorders (``window.__dkgAlerts``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                f"--window-size={width},{height}", f"--user-data-dir={profile_dir}"):
        opts.add_argument(arg)
    if offline:
        opts.add_argument("--host-resolver-rules=MAP * ~NOTFOUND")
        opts.add_argument("--proxy-server=127.0.0.1:9")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "window.__dkgAlerts = [];"
        "['alert','confirm','prompt'].forEach(function (f) {"
        "  window[f] = function (m) { window.__dkgAlerts.push(f + ':' + String(m)); };"
        "});")})
    return driver


def wait_until_drawn(driver, timeout: float = 30.0) -> float:
    """Wait for ``window.dkgGraph.ready`` (set on vis-network's first afterDrawing); return the page's
    ``performance.now()`` at that moment, in milliseconds since navigation started."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return !!(window.dkgGraph && window.dkgGraph.ready)"))
    return float(driver.execute_script("return window.dkgGraph.drawnAt"))


def sub_lineage(lineage: dict, root: str) -> dict:
    """The part of a made-up lineage a page about ``root`` shows: the documents that implement or cite it,
    recursively, the documents it points to, and the tasks and organisations of all of them."""
    by_to: dict[str, list[dict]] = {}
    by_from: dict[str, list[dict]] = {}
    kind = {n["id"]: n["kind"] for n in lineage["nodes"]}
    for e in lineage["edges"]:
        by_to.setdefault(e["to"], []).append(e)
        by_from.setdefault(e["from"], []).append(e)
    keep = {root}
    stack = [root]
    while stack:
        n = stack.pop()
        below = [e["from"] for e in by_to.get(n, ()) if kind[e["from"]] == "document" and kind[n] == "document"]
        below += [e["to"] for e in by_from.get(n, ()) if kind[n] != "organisation" and kind[e["to"]] != "document"]
        for m in below:
            if m not in keep:
                keep.add(m)
                stack.append(m)
    keep.update(e["to"] for e in by_from.get(root, ()) if kind[e["to"]] == "document")
    return {"root": root, "nodes": [n for n in lineage["nodes"] if n["id"] in keep],
            "edges": [e for e in lineage["edges"] if e["from"] in keep and e["to"] in keep]}
