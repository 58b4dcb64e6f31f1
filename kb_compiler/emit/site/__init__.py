"""The static reference site: ``build_site(graph, out, options) -> BuildReport``.

The emitter is a pipeline of small modules: ``context`` (the published view: privacy,
file names, where references land), ``render`` with ``rules_inline``/``rules_core``
(markdown-it and our syntax rules), ``linker``/``embeds``/``body``/``outline`` (page
content), ``pages``/``metamodel``/``backlinks``/``properties`` (what surrounds it),
``sitewide``/``graphview``/``feeds``/``search`` (site-wide files), ``theme`` (jinja2
templates in ``templates/``) and ``writer`` (atomic output).
"""

from kb_compiler.emit.site.build import BuildReport, build_site
from kb_compiler.emit.site.context import SiteOptions

__all__ = ["BuildReport", "SiteOptions", "build_site"]
