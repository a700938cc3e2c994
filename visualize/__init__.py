"""dkg's views for researchers: a lineage as one offline HTML page, and a static site of every document."""
from __future__ import annotations

__all__ = ["render_lineage_html", "write_lineage_html", "render_site"]


def __getattr__(name):
    # Lazy: ``import visualize`` stays cheap for the CLI; the renderers import jinja2/yaml when used.
    if name in ("render_lineage_html", "write_lineage_html"):
        from . import html

        return getattr(html, name)
    if name == "render_site":
        from . import site

        return site.render_site
    raise AttributeError(name)
