"""The versions of the libraries whose behaviour shapes kbc's output, for the keys of
its caches: a page parsed or rendered under one version of markdown-it-py or pygments
is not reused under another (an upgrade changed how code blocks are escaped), so a run
after an upgrade gives the bytes a run from scratch gives."""

from __future__ import annotations

import functools
import platform
from importlib import metadata

# What a parse result depends on besides kbc's own code.
PARSING_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "python-frontmatter", "PyYAML",
                     "ftfy")
# What a site page depends on besides kbc's own code and templates.
RENDERING_LIBRARIES = (*PARSING_LIBRARIES, "Jinja2", "MarkupSafe", "nh3", "Pygments",
                       "latex2mathml", "networkx", "numpy", "scipy")


@functools.cache
def library_versions(distributions: tuple[str, ...]) -> str:
    """``python 3.11.7; markdown-it-py 4.3.0; ...`` for ``distributions``."""
    found = [f"python {platform.python_version()}"]
    for name in distributions:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        found.append(f"{name} {version}")
    return "; ".join(found)
