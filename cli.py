"""dkg: the command line. It parses arguments, calls ``graph`` or ``visualize``, and formats what comes back.

Heavy libraries (rdflib, pyoxigraph, networkx, pyvis) are imported inside the commands that need them, so
``dkg --help`` starts fast.
"""
from __future__ import annotations

import os
import re
import sys

import click

from graph.errors import AmbiguousName, DkgError

__version__ = "0.1.0"


class DkgGroup(click.Group):
    """Turns the library's typed errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AmbiguousName as e:
            click.echo(f"Error: {e}", err=True)
            for c in e.candidates:
                click.echo(f"  {c}", err=True)
            ctx.exit(e.exit_code)
        except DkgError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # the reader went away (dkg lineage ... | head): stop quietly, as cat does
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(141)
        except Exception as e:  # a bug: still one line for the user; DKG_DEBUG=1 shows the traceback
            if os.environ.get("DKG_DEBUG"):
                raise
            click.echo(f"Error: unexpected {type(e).__name__}: {e} (a dkg bug: please report it; "
                       "DKG_DEBUG=1 shows the traceback)", err=True)
            ctx.exit(1)


@click.group(cls=DkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dkg")
def cli():
    """dkg: a knowledge graph of Party and State directives.

    Reads directive texts (.txt .md .pdf .docx), extracts documents, references, tasks and organisations,
    stores them as RDF, and answers lineage and SPARQL questions about them.
    """


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences hidden in a file name or a text) become U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def store_option(fn):
    """--store: the embedded store folder (default .dkg/ here, or $DKG_STORE)."""
    return click.option("--store", "store_path", envvar="DKG_STORE", default=".dkg", show_default=True,
                        type=click.Path(file_okay=False), help="Folder of the embedded store (or $DKG_STORE).")(fn)


def endpoint_option(fn):
    """--endpoint: a remote SPARQL 1.1 server to use instead of the embedded store (or $DKG_ENDPOINT)."""
    return click.option("--endpoint", envvar="DKG_ENDPOINT", default=None,
                        help="Query URL of a SPARQL 1.1 server to use instead of the embedded store (or $DKG_ENDPOINT; "
                             "see the README: 'A shared triplestore').")(fn)


# ---- extract (issue 2) ---------------------------------------------------------------------------------------


@cli.command()
# no click path checks: they print a usage block; the reader reports each bad file in one line
@click.argument("files", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
def extract(files, fmt):
    """Read directive texts and print their records (document, references, tasks, organisations).

    Example:

    \b
        dkg extract data/corpus/1123-CV-TU-bac-ninh-2026.txt --format json
    """
    from graph import extract as extract_file
    from graph.records import to_json, to_yaml

    failures = 0
    records = []
    for path in files:
        try:
            records.append(extract_file(path))
        except DkgError as e:
            click.echo(f"Error: {e}", err=True)
            failures += 1
    if fmt == "json":
        import json

        if len(files) == 1:
            if records:
                click.echo(to_json(records[0]))
        else:
            click.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
    else:
        click.echo("---\n".join(to_yaml(r) for r in records), nl=False)
    if failures:
        sys.exit(1)


# ---- graph commands: ingest, build, show, stats, export, validate (issue 3) -----------------------------------


def records_option(fn):
    return click.option("--records", "records_dir", default="data/directives", show_default=True,
                        type=click.Path(file_okay=False),
                        help="Folder of the reviewable records (one YAML per document).")(fn)


def jobs_option(fn):
    return click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                        help="Worker processes that read texts and make quads (default: one per CPU).")(fn)


def _print_load_report(report, verb: str) -> None:
    click.echo(f"{verb} {report.documents} document(s) from {report.files} file(s): "
               f"{report.references} references, {report.tasks} tasks, {report.organisations} organisation mentions; "
               f"{len(report.unresolved)} unresolved reference(s), {len(report.warnings)} warning(s); "
               f"{report.triples} quads in the store.")
    for path in report.kept:
        click.echo(f"  kept hand-edited record {path}")
    for problem in report.unresolved:
        click.echo(f"  unresolved: {problem}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@endpoint_option
@records_option
@jobs_option
def ingest(paths, store_path, endpoint, records_dir, jobs):
    """Read directive texts (files or folders, recursively: .txt .md .pdf .docx) into the store.

    Each document's record is written to the records folder (hand-edited records are kept: see
    README), then loaded into the store in one atomic step. A bad file is reported on one line and
    the others go on; the exit code is 1 if any file failed.

    Example:

    \b
        dkg ingest data/corpus
        dkg ingest --store /tmp/dkg --records /tmp/records some/letter.pdf
        dkg ingest --jobs 4 corpus/
    """
    from graph.load import find_inputs, ingest as ingest_files

    files = find_inputs(paths, [])
    show_bar = len(files) > 20 and sys.stderr.isatty()
    bar = click.progressbar(length=len(files), label="Reading", file=sys.stderr) if show_bar else None
    try:
        if bar is not None:
            bar.__enter__()
        report = ingest_files(paths, store_path, records_dir, on_file=(lambda _p: bar.update(1)) if bar else None,
                              endpoint=endpoint, jobs=jobs)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for failure in report.failures:
        click.echo(f"Error: {failure}", err=True)
    _print_load_report(report, "Ingested")
    if report.failures:
        click.echo(f"{len(report.failures)} file(s) failed:", err=True)
        for failure in report.failures:
            click.echo(f"  {failure.split(': ', 1)[0]}", err=True)
        sys.exit(1)


@cli.command()
@store_option
@endpoint_option
@records_option
@click.option("--curated", type=click.Path(dir_okay=False), default=None,
              help="Curated facts (default: data/curated.yaml).")
@jobs_option
def build(store_path, endpoint, records_dir, curated, jobs):
    """Rebuild the store from the records folder and the curated facts.

    The new store is written beside the old one and swapped in only when complete; a malformed
    record (reported with file and line) stops the build and leaves the old store as it was.

    Example:

    \b
        dkg build
        dkg build --store /tmp/dkg --records data/directives
    """
    from graph.load import build as build_store

    _print_load_report(build_store(store_path, records_dir, curated, endpoint=endpoint, jobs=jobs), "Built")


@cli.command()
@click.argument("name")
@store_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show(name, store_path, endpoint, fmt):
    """Show one document's card (or an organisation's): metadata, links with their evidence, tasks.

    NAME is written as on paper: 12-NQ/TW, 12-nq/tw, "Nghị quyết 12", "nghi quyet 12 2022",
    an organisation name, or an IRI. An ambiguous name lists the candidates (exit code 2).

    Example:

    \b
        dkg show 1123-CV/TU
        dkg show "Đảng ủy Công an tỉnh" --format json
    """
    from graph.card import card
    from graph.names import resolve_name
    from graph.store import connect

    store = connect(store_path, endpoint)
    data = card(store, resolve_name(store, name))
    if fmt == "json":
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(terminal_safe(_format_card(data)))


def _format_card(c: dict) -> str:
    lines = []
    if c["kind"] == "organisation":
        lines.append(f"{c['name']}  [{c['level'] or 'level unknown'}]")
        lines.append(f"  {c['iri']}")
        lines.append(f"Tasks assigned ({len(c['tasks'])}):")
        lines += [f"  {t['code']} task {t['task']}  ({t['role']})" for t in c["tasks"]]
        if c["documents"]:
            lines.append("Documents:")
            lines += [f"  {d['role']}: {d['code']}" for d in c["documents"]]
        return "\n".join(lines)
    title = " ".join(p for p in (c["type"], ", ".join(c["codes"]) or "(no number)") if p)
    lines.append(title + (f"  ({c['date']})" if c["date"] else ""))
    lines.append(f"  {c['iri']}")
    for label, value in (("Title", c["title"]), ("Issuer", c["issuer"]), ("Jurisdiction", c["jurisdiction"]),
                         ("Level", c["level"])):
        if value:
            lines.append(f"  {label}: {value}")
    if c["signatory"]:
        lines.append(f"  Signed by: {c['signatory']['name']}" + (f", {c['signatory']['role']}" if c['signatory']['role'] else ""))
    lines.append("  Source: " + (", ".join(c["sources"]) if c["sources"] else "none (known only by citation)"))
    for heading, links in (("Links from this document", c["outgoing"]), ("Links to this document", c["incoming"])):
        lines.append(f"{heading} ({len(links)}):")
        for link in links:
            lines.append(f"  {link['relation']} {link['code'] or link['label'] or link['iri']}")
            for ev in link["evidence"]:
                tag = "" if ev["provenance"] == "extracted" else f" [{ev['provenance']}]"
                lines.append(f"      “{ev['sentence']}”{tag}")
    lines.append(f"Tasks ({len(c['tasks'])}):")
    for t in c["tasks"]:
        text = " ".join((t["text"] or "").split())
        if text.startswith(f"{t['label']}. ") or text.startswith(f"{t['label']} "):
            text = text[len(t["label"]):].lstrip(". ")
        lines.append(f"  {t['label']}. {text[:160]}{'…' if len(text) > 160 else ''}")
        for a in t["assignees"]:
            lines.append(f"      {a['role']}: {a['name']} [{a['level'] or '?'}]")
    return "\n".join(lines)


@cli.command()
@store_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(store_path, endpoint, fmt):
    """Count what the store holds: documents, tasks, organisations, links by kind.

    Example:

    \b
        dkg stats
        dkg stats --format json
    """
    from graph.card import stats as store_stats
    from graph.store import connect

    data = store_stats(connect(store_path, endpoint))
    if fmt == "json":
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for name, value in data.items():
        if name != "links":
            click.echo(f"{name}: {value}")
    click.echo("links: " + ", ".join(f"{k} {v}" for k, v in data["links"].items()))


@cli.command()
@store_option
@endpoint_option
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv"]),
              default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
def export(store_path, endpoint, fmt, output):
    """Export the store: RDF (ttl nt nq trig jsonld), or the document/task/organisation network
    (graphml and gexf for Gephi, csv with one edge per row).

    Example:

    \b
        dkg export --format ttl -o dkg.ttl
        dkg export --format graphml -o dkg.graphml
    """
    from graph.export import export_bytes
    from graph.store import connect

    data = export_bytes(connect(store_path, endpoint), fmt)
    if output:
        with open(output, "wb") as f:
            f.write(data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@cli.command()
@store_option
@endpoint_option
def validate(store_path, endpoint):
    """Check the store against the SHACL shapes (ontology/shapes.ttl) and referential rules.

    Prints one line per violation (focus node, property, message) and exits 1 if there is any.

    Example:

    \b
        dkg validate --store .dkg
    """
    from graph.store import connect
    from graph.validate import validate as check

    violations = check(connect(store_path, endpoint))
    if violations:
        for v in violations:
            click.echo(str(v))
        click.echo(f"{len(violations)} violation(s).", err=True)
        sys.exit(1)
    click.echo("The store conforms to the shapes and the referential rules.")


# ---- lineage, sparql (issue 4) -------------------------------------------------------------------------------

_LINEAGE_RELATIONS = ("implements", "based_on", "cites", "guides", "amends", "replaces", "repeals", "part_of")
_LEVELS = ("central", "province", "district", "commune")


def _relation_list(ctx, param, value):
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    unknown = [n for n in names if n not in _LINEAGE_RELATIONS]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing given'}: expected some of "
                                 f"{', '.join(_LINEAGE_RELATIONS)}, comma-separated")
    return tuple(names)


@cli.command()
@click.argument("name")
@click.option("--down", "direction", flag_value="down", default=True,
              help="What implements, is based on or cites it, with tasks and organisations (default).")
@click.option("--up", "direction", flag_value="up", help="What it implements, is based on or cites, up to the centre.")
@click.option("--depth", type=click.IntRange(min=1), default=None, help="At most this many document steps.")
@click.option("--relations", default="implements,based_on,cites", show_default=True, callback=_relation_list,
              help="Document relations to follow, comma-separated (implements also follows guides).")
@click.option("--level", type=click.Choice(_LEVELS), default=None,
              help="Keep only the paths that end in tasks or organisations of this level.")
@click.option("--evidence/--no-evidence", default=None,
              help="Add the sentence behind each link (default: on for json and csv, off for tree).")
@click.option("--format", "fmt", type=click.Choice(["tree", "json", "csv"]), default="tree", show_default=True)
@store_option
@endpoint_option
def lineage(name, direction, depth, relations, level, evidence, fmt, store_path, endpoint):
    """Show a document's lineage: the documents that carry it out, their tasks and who the tasks go to
    (--down, the default), or what it carries out, up to the central resolution (--up).

    NAME is written as on paper (12-NQ/TW, "nghi quyet 12", 1123-CV/TU) or is an IRI (a task IRI works
    with --up). An ambiguous name lists the candidates (exit code 2).

    Example:

    \b
        dkg lineage 12-NQ/TW
        dkg lineage 12-NQ/TW --level commune
        dkg lineage 1123-CV/TU --up --evidence
        dkg lineage 12-NQ/TW --format json > lineage.json
    """
    from graph.lineage import csv_rows, lineage as walk, lineage_json, render_tree
    from graph.store import connect

    if evidence is None:
        evidence = fmt != "tree"
    store = connect(store_path, endpoint)
    options = dict(direction=direction, depth=depth, relations=relations, level=level, evidence=evidence)
    if fmt == "json":
        from graph.bulk import widen_pipe

        out = click.get_binary_stream("stdout")
        widen_pipe(out)  # a 200 MB answer read by another program: a tenth of the time went to wake-ups
        out.writelines(lineage_json(store, name, **options))
        out.flush()
        return
    data = walk(store, name, **options)
    if fmt == "csv":
        import csv

        writer = csv.writer(click.get_text_stream("stdout"), lineterminator="\n")
        writer.writerows(csv_rows(data))
    else:
        click.echo(terminal_safe(render_tree(data, evidence=evidence)))


def _params(ctx, param, values):
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r}: expected name=value")
        out[name.strip().lstrip("?$")] = value
    return out


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False), default=None,
              help="Read the query from a file.")
@click.option("--param", "params", multiple=True, callback=_params, metavar="NAME=VALUE",
              help="Bind ?NAME (a named query's parameter: a document name is resolved; "
                   "otherwise <iri>, prefix:local or a plain literal). Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]), default="table",
              show_default=True, help="SELECT: W3C results format or an aligned table. CONSTRUCT/DESCRIBE: Turtle.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
@store_option
@endpoint_option
def sparql(query, query_file, params, fmt, list_queries, store_path, endpoint):
    """Run a SPARQL query, or a named query of ontology/queries, on the store.

    The prefixes dkg: eli: org: prov: skos: dcterms: rdfs: rdf: xsd: owl: are predeclared, and the
    default graph is the union of all named graphs. Parameters are bound by the engine, never pasted
    into the query.

    Example:

    \b
        dkg sparql --list
        dkg sparql lineage-down --param doc=12-NQ/TW
        dkg sparql "SELECT ?d ?code WHERE { ?d dkg:code ?code }" --format csv
        dkg sparql -f my-query.rq --format json
    """
    from graph.errors import QueryError
    from graph.sparql import bind, format_result, list_text, looks_like_name, named_query, run

    if list_queries:
        click.echo(list_text())
        return
    if (query is None) == (query_file is None):
        raise QueryError("give a query (text or a name from 'dkg sparql --list') or -f FILE, not both")
    named = None
    if query_file is not None:
        try:
            text = open(query_file, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"{query_file}: cannot read: {e}") from None
    elif looks_like_name(query):
        named = named_query(query.strip())
        text = named.text
    else:
        text = query
    from graph.store import connect

    store = connect(store_path, endpoint)
    result = run(store, text, bind(store, named, params))
    out = format_result(result, fmt)
    click.echo(out.decode("utf-8"), nl=not out.endswith(b"\n"))


# ---- view, site (issue 5) ------------------------------------------------------------------------------------


@cli.command()
@click.argument("name", required=False)
@click.option("--all", "whole", is_flag=True, help="Draw the whole graph instead of one lineage.")
@click.option("--down", "direction", flag_value="down", default=True, help="What carries it out (default).")
@click.option("--up", "direction", flag_value="up", help="What it carries out, up to the centre.")
@click.option("--depth", type=click.IntRange(min=1), default=None, help="At most this many document steps.")
@click.option("--level", type=click.Choice(_LEVELS), default=None,
              help="Keep only the paths that end in tasks or organisations of this level.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="The HTML file to write (default: <name>.html here).")
@click.option("--max-nodes", type=click.IntRange(min=10), default=1500, show_default=True,
              help="Above this many nodes the page groups what it cannot show, and says so.")
@store_option
@endpoint_option
def view(name, whole, direction, depth, level, output, max_nodes, store_path, endpoint):
    """Write an interactive, offline HTML page of a lineage (or of the whole graph with --all).

    Levels run top to bottom (central, province, district, commune); hover a node or a link for its details
    and the sentence behind it; click a node to highlight its neighbourhood; search by code or name, with or
    without diacritics.

    Example:

    \b
        dkg view 12-NQ/TW -o lineage.html
        dkg view 1123-CV/TU --up
        dkg view --all -o graph.html
    """
    from graph.store import connect
    from visualize import write_lineage_html

    if bool(name) == bool(whole):
        raise click.UsageError("give a document NAME or --all, not both")
    store = connect(store_path, endpoint)
    if whole:
        from graph.overview import whole_graph

        data = whole_graph(store)
        title = "Toàn bộ đồ thị"
    else:
        from graph.lineage import lineage as walk

        data = walk(store, name, direction=direction, depth=depth, level=level, evidence=True)
        title = None
    if output is None:
        from visualize.html import slug

        output = "graph.html" if whole else f"{slug(next(n for n in data['nodes'] if n['id'] == data['root']))}.html"
    path = write_lineage_html(data, output, title=title, max_nodes=max_nodes)
    click.echo(f"Wrote {path} ({len(data['nodes'])} nodes, {len(data['edges'])} links)")


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--max-nodes", type=click.IntRange(min=10), default=1500, show_default=True,
              help="Above this many nodes a page groups what it cannot show.")
@store_option
@endpoint_option
def site(out_dir, max_nodes, store_path, endpoint):
    """Write a static, offline site: an index of every document (filterable with or without diacritics) and
    one lineage page per document. Open OUT_DIR/index.html in a browser; no server is needed.

    Example:

    \b
        dkg site site/
    """
    from graph.lineage import lineage as walk
    from graph.overview import all_documents
    from graph.store import connect
    from visualize import render_site

    store = connect(store_path, endpoint)
    documents = all_documents(store)
    with click.progressbar(length=len(documents), label="Pages", file=sys.stderr) as bar:
        index = render_site(documents, lambda doc_id: walk(store, doc_id, evidence=True), out_dir,
                            max_nodes=max_nodes, progress=lambda done, total: bar.update(1))
    click.echo(f"Wrote {index} ({len(documents)} documents)")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="lineage.html", show_default=True,
              help="Where to write the 12-NQ/TW page.")
@store_option
@click.pass_context
def demo(ctx, output, store_path):
    """The main job on the bundled corpus: ingest data/corpus into the store, print the lineage of
    Nghị quyết 12-NQ/TW, and write its interactive page.

    Example:

    \b
        dkg demo
    """
    from graph.resources import data_path

    corpus = data_path("corpus")
    click.echo(f"== dkg ingest {corpus}", err=True)
    ctx.invoke(ingest, paths=(str(corpus),), store_path=store_path)
    click.echo("== dkg lineage 12-NQ/TW", err=True)
    ctx.invoke(lineage, name="12-NQ/TW", relations=("implements", "based_on", "cites"), store_path=store_path)
    click.echo(f"== dkg view 12-NQ/TW -o {output}", err=True)
    ctx.invoke(view, name="12-NQ/TW", output=output, store_path=store_path)

# ---- serve (issue 6) -----------------------------------------------------------------------------------------


@cli.command()
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT",
              help="Address to listen on; a non-loopback address also needs --public.")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(min=1), metavar="SECONDS",
              help="Query time limit: the client gets 504, and a query that computes longer restarts the server "
                   "(queries in flight fail).")
@click.option("--max-result-mb", default=100.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="MB", help="Answer size limit: 507 before the first byte, or the answer is cut (an error "
                                 "for the client, never a short document) when it passes the limit later.")
@click.option("--cors", is_flag=True, help="Allow cross-origin requests (a YASGUI page on another origin).")
@click.option("--public", is_flag=True, help="Allow a --bind address other than loopback (0.0.0.0, a LAN address).")
@click.option("--get", "get_path", default=None, metavar="PATH",
              help="Answer one GET of PATH on a free loopback port, print the body, exit 0 on 200 else 1.")
@store_option
def serve(bind, timeout, max_result_mb, cors, public, get_path, store_path):
    """Serve the store as a read-only SPARQL 1.1 endpoint (Oxigraph's server, behind a filter) until Ctrl-C.

    The default graph is the union of all named graphs. Updates are refused (403), and so are queries that
    call other servers with SERVICE (400). The database served is the one current at start: restart after
    'dkg build' or 'dkg ingest' to see the new one.

    Example:

    \b
        dkg serve
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
             http://127.0.0.1:7878/query
        dkg serve --max-result-mb 20 --timeout 10
        dkg serve --get '/query?query=ASK%20%7B%7D'
    """
    from graph import serve as endpoint

    if get_path is not None:
        status, body = endpoint.get(store_path, get_path, timeout=timeout, max_result_mb=max_result_mb)
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        sys.exit(0 if status == 200 else 1)
    endpoint.serve(store_path, bind=bind, timeout=timeout, cors=cors, public=public, max_result_mb=max_result_mb,
                   echo=lambda line: click.echo(line), warn=lambda line: click.echo(line, err=True))


def main():
    """The ``dkg`` program: `cli`, with jemalloc for the long writes where the system has it (`graph.allocator`)."""
    from graph.allocator import restart_with_jemalloc

    restart_with_jemalloc()
    cli()


if __name__ == "__main__":
    main()
