"""dkg: the command line. It parses arguments, calls ``graph`` or ``visualize``, and formats what comes back.

Heavy libraries (rdflib, pyoxigraph, networkx, pyvis) are imported inside the commands that need them, so
``dkg --help`` starts fast.
"""
from __future__ import annotations

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


@click.group(cls=DkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dkg")
def cli():
    """dkg: a knowledge graph of Party and State directives.

    Reads directive texts (.txt .md .pdf .docx), extracts documents, references, tasks and organisations,
    stores them as RDF, and answers lineage and SPARQL questions about them.
    """


def store_option(fn):
    """--store: the embedded store folder (default .dkg/ here, or $DKG_STORE)."""
    return click.option("--store", "store_path", envvar="DKG_STORE", default=".dkg", show_default=True,
                        type=click.Path(file_okay=False), help="Folder of the embedded store (or $DKG_STORE).")(fn)


def endpoint_option(fn):
    """--endpoint: a remote SPARQL 1.1 server to use instead of the embedded store (or $DKG_ENDPOINT)."""
    return click.option("--endpoint", envvar="DKG_ENDPOINT", default=None,
                        help="URL of a SPARQL 1.1 server to use instead of the embedded store (or $DKG_ENDPOINT).")(fn)


# ---- extract (issue 2) ---------------------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
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

# ---- lineage, sparql (issue 4) -------------------------------------------------------------------------------

# ---- view, site (issue 5) ------------------------------------------------------------------------------------

# ---- serve (issue 6) -----------------------------------------------------------------------------------------


if __name__ == "__main__":
    cli()
