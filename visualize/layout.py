"""Where each node of a lineage page goes: what is grouped to keep the page small, and its x/y position.

Pages draw with physics off, so the positions computed here are final: one band per level from top to bottom
(central, province, district, commune), and inside a band a row per depth of documents (a document sits below
the documents of its level it implements), then a row of tasks, then a row of organisations. Each row is
ordered under its parents so that edges cross little.

Above ``max_nodes`` nodes, subtrees are collapsed into group nodes, from the bottom of the cascade upwards and
biggest first: the tasks and organisations under commune documents, then the commune documents under each
district document, then the same one level up, ... The number of nodes drawn never exceeds ``max_nodes``.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

LEVEL_ORDER = ("central", "province", "district", "commune", "unknown")
LEVEL_WORDS = {"central": "trung ương", "province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã",
               "unknown": "chưa rõ cấp"}
KIND_ORDER = {"document": 0, "group": 0, "task": 1, "organisation": 2}
# Cost of reaching a node through an edge of this relation: the spanning tree follows the cascade
# (implements, tasks, assignees) in preference to side links such as "cites".
TREE_COST = {"implements": 1, "has_task": 1, "assigns_to": 1, "lead": 1, "cooperating": 1.5, "based_on": 2,
             "guides": 2, "amends": 2, "replaces": 2, "repeals": 2, "part_of": 2, "cites": 4}
DOC_ROWS = 4          # documents of one level use at most this many rows (depth inside the level)
TASK_ROW, ORG_ROW = DOC_ROWS, DOC_ROWS + 1
MIN_MAX_NODES = 10


@dataclass
class PagePlan:
    """What a page draws: visible nodes (with x, y) and edges, the level bands, and what was grouped."""

    root: str
    nodes: list[dict]
    edges: list[dict]
    bands: list[dict]
    total_nodes: int
    grouped_nodes: int = 0                # original nodes hidden inside group nodes
    groups: int = 0
    notices: list[str] = field(default_factory=list)


def plan_page(lineage: dict, *, max_nodes: int = 1500, styles: dict, command_for=None, link_for=None) -> PagePlan:
    """Group and place a checked lineage. ``command_for(node)`` gives the shell command that draws a group's
    subtree on its own page; ``link_for(node_id)`` an href to an existing page of that node (or None)."""
    max_nodes = max(int(max_nodes), MIN_MAX_NODES)
    nodes = {n["id"]: n for n in lineage["nodes"]}
    root = lineage["root"]
    adj: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    for e in lineage["edges"]:
        adj[e["from"]].append((e["to"], e["relation"]))
        adj[e["to"]].append((e["from"], e["relation"]))
    parent, order = _spanning_tree(root, adj, nodes)
    level = _effective_levels(order, parent, nodes)
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for n in order:
        if parent[n] is not None:
            children[parent[n]].append(n)

    rep = {n: n for n in nodes}          # the visible node each original node is drawn as
    groups: dict[str, dict] = {}
    visible = len(nodes)
    notices: list[str] = []
    if visible > max_nodes:
        visible = _collapse(root, order, parent, children, level, nodes, rep, groups, visible, max_nodes,
                            command_for, link_for)
        hidden = sum(1 for n in nodes if rep[n] != n)
        notices.append(f"Dòng văn bản có {len(nodes)} nút, trang này vẽ tối đa {max_nodes}: {hidden} nút được gộp"
                       f" thành {len(groups)} nhóm (ô viền đứt). Bấm vào một nhóm để biết lệnh mở riêng trang của nó.")

    shown = [n for n in order if rep[n] == n] + list(groups)
    vis_nodes = {n: nodes[n] for n in shown if n in nodes}
    vis_nodes.update(groups)
    edges = _remap_edges(lineage["edges"], rep)
    tree_parent = {}
    for n in shown:
        p = groups[n]["parent"] if n in groups else parent[n]
        tree_parent[n] = rep[p] if p is not None else None
    row_of = _rows(shown, vis_nodes, level, groups, edges)
    x, y, bands = _positions(shown, row_of, tree_parent, vis_nodes, styles)
    placed = []
    for n in shown:
        node = dict(vis_nodes[n])
        node["x"], node["y"] = round(x[n], 1), round(y[n], 1)
        node["level"] = node.get("level") if n in groups else nodes[n].get("level")
        node["band"] = level[n] if n in level else groups[n]["level"]
        placed.append(node)
    return PagePlan(root=root, nodes=placed, edges=edges, bands=bands, total_nodes=len(nodes),
                    grouped_nodes=sum(1 for n in nodes if rep[n] != n), groups=len(groups), notices=notices)


def _spanning_tree(root, adj, nodes):
    """Cheapest-path tree from the root (see TREE_COST); nodes the root cannot reach hang from the root."""
    parent = {root: None}
    dist = {root: 0.0}
    done: set[str] = set()
    order: list[str] = []
    heap = [(0.0, 0, root)]
    tick = 0
    while heap:
        d, _, n = heapq.heappop(heap)
        if n in done:
            continue
        done.add(n)
        order.append(n)
        for m, rel in adj[n]:
            nd = d + TREE_COST.get(rel, 3)
            if m not in done and nd < dist.get(m, float("inf")):
                dist[m] = nd
                parent[m] = n
                tick += 1
                heapq.heappush(heap, (nd, tick, m))
    for n in nodes:
        if n not in done:
            parent[n] = root
            order.append(n)
    return parent, order


def _effective_levels(order, parent, nodes):
    """A node without a level sits in the band of its tree parent (a task in its document's band...)."""
    level = {}
    for n in order:
        own = nodes[n].get("level")
        level[n] = own or (level[parent[n]] if parent[n] is not None else "unknown")
    return level


def _collapse(root, order, parent, children, level, nodes, rep, groups, visible, max_nodes, command_for, link_for):
    def subtree(start):
        out, stack = [], [start]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(children[n])
        return out

    def make_group(owner, members, band, what):
        gid = f"group:{what}:{owner}"
        kinds = {"document": 0, "task": 0, "organisation": 0}
        types = set()
        for m in members:
            kinds[nodes[m]["kind"]] += 1
            if nodes[m]["kind"] == "document" and parent[m] == owner:
                types.add(nodes[m].get("type") or "văn bản")
        heads = sum(1 for m in members if parent[m] == owner and nodes[m]["kind"] == "document")
        label = _group_label(kinds, types, band, what, heads)
        owner_node = nodes.get(owner)
        groups[gid] = {"id": gid, "kind": "group", "level": band, "label": label, "parent": owner,
                       "counts": kinds, "owner_label": _name(owner_node) if owner_node else None,
                       "command": command_for(owner_node) if command_for and owner_node else None,
                       "href": link_for(owner) if link_for and owner_node else None}
        return gid

    def apply(gid, members):
        nonlocal visible
        reps = {rep[m] for m in members}
        for r in reps:
            groups.pop(r, None)           # an earlier group swallowed by this one
        for m in members:
            rep[m] = gid
        visible -= len(reps) - 1

    for band in ("commune", "district", "province", "central"):
        for what in ("tasks", "documents"):
            if visible <= max_nodes:
                return visible
            candidates = []
            for owner in order:
                if rep[owner] != owner or nodes[owner]["kind"] == "organisation":
                    continue
                if what == "tasks":
                    if nodes[owner]["kind"] != "document" or level[owner] != band:
                        continue
                    heads = [c for c in children[owner] if nodes[c]["kind"] == "task"]
                else:
                    if level[owner] == band:
                        continue
                    heads = [c for c in children[owner] if nodes[c]["kind"] == "document" and level[c] == band]
                members = [m for h in heads for m in subtree(h)]
                if len({rep[m] for m in members}) > 1:
                    candidates.append((owner, members))
            candidates.sort(key=lambda c: -len({rep[m] for m in c[1]}))
            for owner, members in candidates:
                if visible <= max_nodes:
                    break
                apply(make_group(owner, members, band, what), members)
    if visible > max_nodes:
        # Still too many (a flat lineage: hundreds of documents citing one root). Keep the nearest nodes.
        keep: set[str] = set()
        members = []
        for n in order:
            r = rep[n]
            if r in keep:
                continue
            if len(keep) < max_nodes - 1:
                keep.add(r)
            else:
                members.append(n)
        apply(make_group(root, members, "unknown", "other"), members)
    return visible


def _group_label(kinds, types, band, what, heads):
    docs, tasks, orgs = kinds["document"], kinds["task"], kinds["organisation"]
    if what == "other":
        return f"{docs + tasks + orgs} nút khác không vẽ"
    if what == "tasks" or not docs:
        return f"{tasks} nhiệm vụ · {orgs} tổ chức"
    noun = next(iter(types)).lower() if len(types) == 1 else "văn bản"
    lines = [f"{heads} {noun} {LEVEL_WORDS.get(band, '')}"]
    if docs > heads:
        lines.append(f"+ {docs - heads} văn bản cấp dưới")
    if tasks or orgs:
        lines.append(f"+ {tasks} nhiệm vụ · {orgs} tổ chức")
    return "\n".join(lines)


def _name(node):
    if node is None:
        return None
    return node.get("label") or node.get("code") or node["id"]


def _remap_edges(edges, rep):
    merged: dict[tuple[str, str], dict] = {}
    for e in edges:
        a, b = rep[e["from"]], rep[e["to"]]
        if a == b:
            continue
        m = merged.get((a, b))
        if m is None:
            merged[(a, b)] = {"from": a, "to": b, "relation": e["relation"], "evidence": e.get("evidence"),
                              "count": 1, "grouped": a != e["from"] or b != e["to"]}
        else:
            m["count"] += 1
            if m["relation"] != e["relation"]:
                m["relation"] = "grouped"
    return list(merged.values())


def _rows(shown, vis_nodes, level, groups, edges):
    """Row key (band index, row inside the band) of every visible node."""
    band = {n: LEVEL_ORDER.index(groups[n]["level"] if n in groups else level[n]) for n in shown}
    kind = {n: vis_nodes[n]["kind"] for n in shown}
    # Depth of a document inside its band: below every same-band document it points to.
    targets: dict[str, list[str]] = {}
    for e in edges:
        a, b = e["from"], e["to"]
        if kind[a] == "document" and kind[b] == "document" and band[a] == band[b]:
            targets.setdefault(a, []).append(b)
    depth: dict[str, int] = {}

    def doc_depth(n, trail=()):
        if n in depth:
            return depth[n]
        if n in trail or len(trail) >= DOC_ROWS:
            return 0
        d = max((doc_depth(t, trail + (n,)) + 1 for t in targets.get(n, ())), default=0)
        depth[n] = min(d, DOC_ROWS - 1)
        return depth[n]

    row_of = {}
    for n in shown:
        k = kind[n]
        if k == "document":
            row_of[n] = (band[n], doc_depth(n))
        elif k == "group":
            row_of[n] = (band[n], TASK_ROW if n.startswith("group:tasks:") else 0)
        elif k == "task":
            row_of[n] = (band[n], TASK_ROW)
        else:
            row_of[n] = (band[n], ORG_ROW)
    return row_of


def _positions(shown, row_of, tree_parent, vis_nodes, styles):
    lay = styles.get("layout", {})
    row_gap = float(lay.get("row_gap", 120))
    gap = float(lay.get("column_gap", 150))
    rows: dict[tuple, list[str]] = {}
    for n in shown:
        rows.setdefault(row_of[n], []).append(n)
    # Long rows of tasks or organisations are drawn on two staggered lines, so they can sit closer.
    staggered = {k for k, ns in rows.items() if len(ns) > 12 and k[1] in (TASK_ROW, ORG_ROW)}
    narrow = {n for k in staggered for n in rows[k]}
    base = {"document": gap, "group": gap * 1.3, "task": gap * 0.55, "organisation": gap}

    class _Width(dict):
        def __missing__(self, n):
            return base[vis_nodes[n]["kind"]] * (0.55 if n in narrow else 1.0)

    width = _Width()
    keys = sorted(rows)
    index = {k: i for i, k in enumerate(keys)}
    ri = {n: index[row_of[n]] for n in shown}
    kids: dict[str, list[str]] = {}
    for n, p in tree_parent.items():
        if p is not None and p != n:
            kids.setdefault(p, []).append(n)
    x: dict[str, float] = {}
    seq = {n: i for i, n in enumerate(shown)}

    def tree_neighbours(n):
        p = tree_parent.get(n)
        return ([p] if p is not None and p != n else []) + kids.get(n, [])

    def pack(row_nodes, desired):
        ordered = sorted(row_nodes, key=lambda n: (desired[n], seq[n]))
        pos, prev = {}, None
        for n in ordered:
            pos[n] = desired[n] if prev is None else max(desired[n], pos[prev] + (width[n] + width[prev]) / 2)
            prev = n
        shift = sum(desired[n] - pos[n] for n in ordered) / len(ordered)
        for n in ordered:
            x[n] = pos[n] + shift

    def sweep(row_keys, towards):
        for k in row_keys:
            desired = {}
            last = None
            for n in sorted(rows[k], key=lambda n: (x.get(n, float("inf")), seq[n])):
                near = [x[m] for m in tree_neighbours(n) if m in x and towards(ri[m], index[k])]
                if near:
                    desired[n] = sum(near) / len(near)
                elif n in x:
                    desired[n] = x[n]
                else:
                    desired[n] = (last if last is not None else 0.0) + width[n]
                last = desired[n]
            pack(rows[k], desired)

    sweep(keys, lambda other, here: other < here)
    sweep(list(reversed(keys))[1:], lambda other, here: other > here)
    sweep(keys[1:], lambda other, here: other < here)

    y = {}
    bands = []
    top = -row_gap
    for i_row, k in enumerate(keys):
        # An organisation row carries labels of several lines: leave more room before the next level.
        top += row_gap * (1.0 if i_row == 0 or keys[i_row - 1][0] == k[0] else 1.4)
        stagger = k in staggered
        for i, n in enumerate(sorted(rows[k], key=lambda n: x[n])):
            y[n] = top + (row_gap * 0.3 if stagger and i % 2 else 0.0)
        band_name = LEVEL_ORDER[k[0]]
        if bands and bands[-1]["level"] == band_name:
            bands[-1]["bottom"] = top + row_gap * 0.7
        else:
            bands.append({"level": band_name, "label": styles["levels"][band_name]["label"],
                          "color": styles["levels"][band_name]["band"], "top": top - row_gap * 0.7,
                          "bottom": top + row_gap * 0.7})
    return x, y, bands
