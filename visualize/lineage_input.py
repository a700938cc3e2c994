"""The lineage a page draws: check its shape (``dkg lineage --format json``) and turn it into a DiGraph.

    {"root": "<node id>",
     "nodes": [{"id", "kind": "document|task|organisation", "code", "type", "level", "date", "issuer",
                "label", "title", "source", "jurisdiction"}],
     "edges": [{"from", "to", "relation", "evidence"}]}

Every field but ``id`` and ``kind`` may be missing or null; ``level`` is one of ``graph.records.LEVELS`` or null.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.errors import RecordError
from graph.records import LEVELS

KINDS = ("document", "task", "organisation")
NODE_FIELDS = ("code", "type", "level", "date", "issuer", "label", "title", "source", "jurisdiction")
EDGE_RELATIONS = {
    "document": {"implements", "based_on", "cites", "guides", "amends", "replaces", "repeals", "part_of",
                 "has_task"},
    "task": {"assigns_to", "lead", "cooperating", "implements"},
}


class LineageError(RecordError):
    """A lineage (dict or JSON file) does not have the shape pages are drawn from; the message names the field."""


def check_lineage(data: Any, where: str = "lineage") -> dict:
    """Return a clean copy of ``data`` (every node field present, text fields as str or None) or raise
    `LineageError` naming the first bad field, e.g. ``lineage: nodes[3].kind: 'doc' is not one of ...``."""
    if not isinstance(data, dict):
        raise LineageError(f"{where}: a lineage must be a mapping, found {type(data).__name__}")
    for key, kind in (("nodes", list), ("edges", list)):
        if not isinstance(data.get(key), kind):
            raise LineageError(f"{where}: '{key}' must be a list, found {type(data.get(key)).__name__}")
    nodes: list[dict] = []
    kind_of: dict[str, str] = {}
    for i, n in enumerate(data["nodes"]):
        at = f"{where}: nodes[{i}]"
        if not isinstance(n, dict):
            raise LineageError(f"{at}: must be a mapping, found {type(n).__name__}")
        node_id = n.get("id")
        if not isinstance(node_id, str) or not node_id:
            raise LineageError(f"{at}.id: must be a non-empty string, found {node_id!r}")
        if node_id in kind_of:
            raise LineageError(f"{at}.id: {node_id!r} appears twice")
        if n.get("kind") not in KINDS:
            raise LineageError(f"{at}.kind: {n.get('kind')!r} is not one of {', '.join(KINDS)}")
        if n.get("level") is not None and n["level"] not in LEVELS:
            raise LineageError(f"{at}.level: {n['level']!r} is not one of {', '.join(LEVELS)} or null")
        clean = {"id": node_id, "kind": n["kind"]}
        for f in NODE_FIELDS:
            v = n.get(f)
            if v is not None and not isinstance(v, str):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    v = str(v)
                else:
                    raise LineageError(f"{at}.{f}: must be text or null, found {type(v).__name__}")
            clean[f] = v
        kind_of[node_id] = n["kind"]
        nodes.append(clean)
    root = data.get("root")
    if root not in kind_of:
        raise LineageError(f"{where}: root {root!r} is not the id of any node")
    edges: list[dict] = []
    for i, e in enumerate(data["edges"]):
        at = f"{where}: edges[{i}]"
        if not isinstance(e, dict):
            raise LineageError(f"{at}: must be a mapping, found {type(e).__name__}")
        for end in ("from", "to"):
            if e.get(end) not in kind_of:
                raise LineageError(f"{at}.{end}: {e.get(end)!r} is not the id of any node")
        rel = e.get("relation")
        allowed = EDGE_RELATIONS.get(kind_of[e["from"]], set())
        if rel not in allowed:
            raise LineageError(f"{at}.relation: {rel!r} cannot leave a {kind_of[e['from']]}"
                               f" (expected one of {', '.join(sorted(allowed)) or 'nothing'})")
        ev = e.get("evidence")
        if ev is not None and not isinstance(ev, str):
            raise LineageError(f"{at}.evidence: must be text or null, found {type(ev).__name__}")
        edges.append({"from": e["from"], "to": e["to"], "relation": rel, "evidence": ev})
    return {"root": root, "nodes": nodes, "edges": edges}


def read_lineage(path: str | Path) -> dict:
    """Read a lineage JSON file (the output of ``dkg lineage ID --format json``) and check it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise LineageError(f"{path}: cannot read: {e}") from None
    except json.JSONDecodeError as e:
        raise LineageError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from None
    return check_lineage(data, str(path))


def lineage_to_digraph(lineage: dict):
    """A checked lineage as an ``nx.DiGraph``: node attributes are the node fields, edge attributes
    ``relation`` and ``evidence``; ``G.graph["root"]`` is the root id. Two edges between the same pair keep
    the first relation and list every relation in ``relations``."""
    import networkx as nx

    lineage = check_lineage(lineage)
    G = nx.DiGraph(root=lineage["root"])
    for n in lineage["nodes"]:
        G.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"})
    for e in lineage["edges"]:
        if G.has_edge(e["from"], e["to"]):
            G.edges[e["from"], e["to"]]["relations"].append(e["relation"])
            continue
        G.add_edge(e["from"], e["to"], relation=e["relation"], evidence=e["evidence"], relations=[e["relation"]])
    return G
