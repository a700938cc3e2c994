"""A lineage as one offline HTML page: vis-network (shipped by pyvis) with positions computed in Python.

The page needs no network: vis-network, the page's own script and style are in the file (or, for a static
site, in one shared local file next to it). Every text from the data is HTML-escaped in the markup and
reaches the graph only through JSON (``<`` written ``\\u003c``) and ``textContent``, never as HTML.

pyvis's own template is not used: its "in_line" mode still links Bootstrap and tom-select from a CDN
(WestHealth/pyvis#229) and it hands tooltips to vis-network as HTML strings.
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import re
import shlex
from pathlib import Path
from typing import Callable

from .layout import LEVEL_ORDER, plan_page
from .lineage_input import check_lineage

ASSETS = Path(__file__).resolve().parent / "assets"
STYLES = Path(__file__).resolve().parent / "styles.yaml"
VIS_VERSION = "9.1.2"
VIS_FILE = "vis-network.min.js"
LEVEL_COUNT_WORDS = {"central": "Trung ương", "province": "cấp tỉnh", "district": "cấp huyện",
                     "commune": "cấp xã"}
FIELDS = {"kind": "Loại nút", "code": "Số hiệu", "type": "Loại văn bản", "date": "Ngày", "issuer": "Cơ quan ban hành",
          "title": "Trích yếu / nội dung", "level": "Cấp", "jurisdiction": "Địa bàn", "source": "Tệp nguồn",
          "relation": "Quan hệ", "evidence": "Câu làm chứng", "links": "Số liên kết đã gộp", "group": "Nhóm",
          "owner": "Thuộc", "command": "Mở riêng bằng lệnh", "neighbours": "Số nút kề",
          "openGroup": "Mở trang của nhánh này", "openPage": "Mở trang dòng văn bản của nút này"}
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9., ]+\))$")


@functools.cache
def load_styles() -> dict:
    """visualize/styles.yaml, checked: colours must be plain CSS colours (they go into style attributes)."""
    import yaml

    styles = yaml.safe_load(STYLES.read_text(encoding="utf-8"))

    def walk(value, where):
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("color", "border", "font", "band") and isinstance(v, str) and not _COLOR.match(v):
                    raise ValueError(f"{STYLES}: {where}.{k}: {v!r} is not a CSS colour")
                walk(v, f"{where}.{k}")

    walk(styles, "styles")
    return styles


@functools.cache
def vis_network_js() -> str:
    """The vis-network bundle pyvis ships (found without importing pyvis, which is slow to import)."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed: it ships vis-network, which lineage pages embed")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "templates" / "lib" / f"vis-{VIS_VERSION}" / VIS_FILE
        if path.is_file():
            js = path.read_text(encoding="utf-8")
            if "</script" in js.lower():
                raise RuntimeError(f"{path}: contains '</script' and cannot be embedded in a page")
            return js
    raise RuntimeError(f"pyvis is installed but has no vis-network {VIS_VERSION} ({VIS_FILE})")


@functools.cache
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("lineage.html.j2")


def json_for_script(data) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' can close it or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def node_name(node: dict | None) -> str:
    if not node:
        return ""
    if node.get("kind") == "document" and node.get("code"):
        return f"{node.get('type') or 'Văn bản'} {node['code']}"
    return node.get("label") or node.get("code") or node.get("title") or node["id"]


def slug(node: dict) -> str:
    """A file name for a node's page: readable ASCII from its code or name, plus a short hash of its id."""
    import hashlib
    import unicodedata

    name = node.get("code") or node.get("label") or node["id"]
    ascii_ = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in ascii_ if not unicodedata.combining(c)).lower()
    ascii_ = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:60] or "node"
    return f"{ascii_}-{hashlib.sha1(node['id'].encode('utf-8')).hexdigest()[:8]}"


def view_command(node: dict) -> str:
    """The command that draws ``node``'s own lineage page (what a group node tells the reader to run)."""
    name = node.get("code") or node["id"]
    return f"dkg view {shlex.quote(name)} --down -o {slug(node)}.html"


def render_lineage_html(lineage: dict, *, title: str | None = None, max_nodes: int = 1500,
                        built: _dt.date | str | None = None, vis_src: str | None = None,
                        link_for: Callable[[str], str | None] | None = None,
                        index_href: str | None = None) -> str:
    """One HTML page drawing ``lineage`` (the dict of ``dkg lineage --format json``).

    At most ``max_nodes`` nodes are drawn; beyond that subtrees are grouped (see `visualize.layout`).
    ``vis_src`` links vis-network from a local file instead of embedding it (a static site shares one copy);
    ``link_for(node_id)`` gives the href of another page for a node (or None); ``index_href`` a link back.
    """
    lineage = check_lineage(lineage)
    styles = load_styles()
    plan = plan_page(lineage, max_nodes=max_nodes, styles=styles, command_for=view_command, link_for=link_for)
    by_id = {n["id"]: n for n in lineage["nodes"]}
    root = by_id[lineage["root"]]
    built = built or _dt.date.today()
    built = built.isoformat() if isinstance(built, _dt.date) else str(built)
    for node in plan.nodes:
        if link_for and node["kind"] != "group" and node["id"] != plan.root:
            node["href"] = link_for(node["id"])
    data = {
        "root": plan.root,
        "nodes": [_node_data(n) for n in plan.nodes],
        "edges": plan.edges,
        "bands": plan.bands,
        "styles": {k: styles[k] for k in ("kinds", "document_types", "relations", "levels")},
        "fields": FIELDS,
        "maxLabel": styles.get("layout", {}).get("max_label_chars", 42),
        "edgeLabels": len(plan.edges) <= 600,
    }
    return _template().render(
        title=title or f"Dòng văn bản: {node_name(root)}",
        version=_version(),
        css=_markup((ASSETS / "lineage.css").read_text(encoding="utf-8")),
        vis_src=vis_src,
        vis_js=_markup("" if vis_src else vis_network_js()),
        root_label=node_name(root),
        counts=_counts(lineage, plan),
        built=built,
        notices=plan.notices,
        legend=_legend(lineage, plan, styles),
        index_href=index_href,
        data_json=_markup(json_for_script(data)),
        app_js=_markup((ASSETS / "lineage.js").read_text(encoding="utf-8")),
    )


def write_lineage_html(lineage: dict, path: str | Path, **options) -> Path:
    """Render ``lineage`` and write it to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    html = render_lineage_html(lineage, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


@functools.cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dkg")
    except PackageNotFoundError:
        return "dev"


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


_NODE_KEYS = ("id", "kind", "code", "type", "level", "date", "issuer", "label", "title", "source", "jurisdiction",
              "x", "y", "band", "owner_label", "command", "href")


def _node_data(node: dict) -> dict:
    return {k: node[k] for k in _NODE_KEYS if node.get(k) is not None}


def _counts(lineage: dict, plan) -> list[str]:
    docs = {lvl: 0 for lvl in (*LEVEL_COUNT_WORDS, None)}
    tasks = orgs = 0
    for n in lineage["nodes"]:
        if n["kind"] == "document":
            docs[n["level"]] += 1
        elif n["kind"] == "task":
            tasks += 1
        else:
            orgs += 1
    parts = [f"{LEVEL_COUNT_WORDS[lvl]} {docs[lvl]}" for lvl in LEVEL_COUNT_WORDS if docs[lvl]]
    if docs[None]:
        parts.append(f"chưa rõ cấp {docs[None]}")
    out = [f"Văn bản: {', '.join(parts)}", f"{tasks} nhiệm vụ", f"{orgs} tổ chức"]
    if plan.groups:
        out.append(f"đang vẽ {len(plan.nodes)}/{plan.total_nodes} nút")
    return out


def _legend(lineage: dict, plan, styles: dict) -> dict:
    kinds_present = {n["kind"] for n in plan.nodes}
    types_present = {n.get("type") for n in plan.nodes if n["kind"] == "document"}
    relations_present = {e["relation"] for e in plan.edges}
    bands_present = {b["level"] for b in plan.bands}
    kinds = [dict(styles["kinds"][k], kind=k) for k in ("document", "task", "organisation", "group")
             if k in kinds_present]
    types = [dict(v, label=k) for k, v in styles["document_types"].items() if k in types_present]
    if types_present - set(styles["document_types"]):
        kinds_doc = styles["kinds"]["document"]
        types.append({"label": "Loại khác", "color": kinds_doc["color"], "border": kinds_doc["border"]})
    relations = [v for k, v in styles["relations"].items() if k in relations_present]
    levels = [{"label": styles["levels"][lvl]["label"], "color": styles["levels"][lvl]["band"]}
              for lvl in LEVEL_ORDER if lvl in bands_present]
    return {"kinds": kinds, "types": types, "relations": relations, "levels": levels}
