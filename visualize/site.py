"""A static site of every document: ``index.html`` (a table, filterable with or without diacritics) and one
lineage page per document under ``docs/``. No server: it opens from disk, offline. The pages share one copy of
vis-network (``assets/vis-network.min.js``, linked by a relative path) instead of embedding it each time.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable, Iterable

from .html import _version, load_styles, render_lineage_html, slug, vis_network_js
from .layout import LEVEL_ORDER

VIS_ASSET = "assets/vis-network.min.js"


def render_site(documents: Iterable[dict], lineages: Callable[[str], dict], out_dir: str | Path, *,
                max_nodes: int = 1500, built: _dt.date | str | None = None, title: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the site into ``out_dir`` and return the path of its ``index.html``.

    ``documents`` are document dicts (``id``, ``code``, ``type``, ``date``, ``issuer``, ``level``, and
    optionally ``subject``/``title``); ``lineages(doc_id)`` returns the lineage dict drawn on that document's
    page. ``progress(done, total)`` is called after each page.
    """
    import jinja2

    documents = list(documents)
    out = Path(out_dir)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    (out / VIS_ASSET).write_text(vis_network_js(), encoding="utf-8")
    built = built or _dt.date.today()
    built = built.isoformat() if isinstance(built, _dt.date) else str(built)
    styles = load_styles()

    pages = {}
    for d in documents:
        if not d.get("id"):
            raise ValueError(f"a document without an id cannot have a page: {d!r}")
        pages[d["id"]] = f"{slug(d)}.html"

    def link_for(node_id: str) -> str | None:
        return pages.get(node_id)

    rows = []
    for i, d in enumerate(documents, 1):
        lineage = lineages(d["id"])
        html = render_lineage_html(lineage, max_nodes=max_nodes, built=built, vis_src=f"../{VIS_ASSET}",
                                   link_for=link_for, index_href="../index.html")
        (out / "docs" / pages[d["id"]]).write_text(html, encoding="utf-8")
        root = lineage["root"]
        tasks = sum(1 for e in lineage["edges"] if e["from"] == root and e["relation"] == "has_task")
        kinds = {n["id"]: n["kind"] for n in lineage["nodes"]}
        implementing = len({e["from"] for e in lineage["edges"]
                            if e["to"] == root and e["relation"] == "implements" and kinds[e["from"]] == "document"})
        level = d.get("level") or "unknown"
        rows.append({"href": f"docs/{pages[d['id']]}", "code": d.get("code") or d.get("title") or d["id"],
                     "type": d.get("type") or "", "date": d.get("date") or "", "issuer": d.get("issuer") or "",
                     "jurisdiction": d.get("jurisdiction") or "",
                     "level": styles["levels"].get(level, styles["levels"]["unknown"])["label"],
                     "level_rank": LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER),
                     "subject": d.get("subject") or d.get("title") or "", "tasks": tasks,
                     "implementing": implementing})
        if progress:
            progress(i, len(documents))
    rows.sort(key=lambda r: (r["level_rank"], r["date"], r["code"]))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "assets")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    index = env.get_template("index.html.j2").render(
        title=title or "Văn bản trong đồ thị dkg", documents=rows, built=built, version=_version())
    path = out / "index.html"
    path.write_text(index, encoding="utf-8")
    return path

