"""Sphinx configuration for the lrspec site.

The build runs offline with warnings as errors (``sphinx-build -W --keep-going``); see
``scripts/docs``. Hence: no intersphinx (it would try to fetch inventories), and the
sphinx-gallery computation-times page is off (it loads scripts from public CDNs).
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

# Headless: set before sphinx-gallery (or an example) imports matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
# Documented from the checkout, also when the venv holds a normal (non-editable) install.
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "backends")]

import lrspec  # noqa: E402  (after the path set-up above)

project = "lrspec"
author = "the lrspec authors"
copyright = "the lrspec authors"
release = lrspec.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "examples",
    "tutorials",
    "**/GALLERY_HEADER.rst",
    "Thumbs.db",
    ".DS_Store",
    "conftest.py",
]
templates_path: list[str] = []

# --- MyST (Markdown pages) ----------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3

# --- autodoc + napoleon -------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options: dict[str, bool | str] = {}
autodoc_class_signature = "mixed"
napoleon_google_docstring = True
napoleon_numpy_docstring = True
napoleon_preprocess_types = True
napoleon_use_rtype = False
add_module_names = False
python_display_short_literal_types = True
# Private classes named in public signatures and collections.abc types do not resolve.
nitpicky = False

# --- sphinx-gallery: the schedule gallery and the tutorial ----------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["examples", "tutorials"],
    "gallery_dirs": ["auto_examples", "auto_tutorials"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
    "doc_module": ("lrspec", "lrspec_torch"),
    "backreferences_dir": "gen_modules/backreferences",
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "download_all_examples": True,
    "show_memory": False,
    "show_signature": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# --- math: MathML written at build time ---------------------------------------------------
# MathJax would load from a CDN, which the offline site (and its browser check) cannot reach.
# latex2mathml turns each formula into MathML, which browsers render natively, with no script.
html_math_renderer = "mathml"

# --- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"lrspec {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_theme_options = {"navigation_with_keys": True}
html_show_sourcelink = False


# --- imported constants keep their ``#:`` comments --------------------------------------------
# ``lrspec.testing.MAX_STEPS`` and friends are defined in private modules and re-exported, so
# autodoc finds no ``#:`` comment where they are documented and falls back to the docstring of
# the value's *type* (``int``, ``dict``). Swap that for the comment in the defining module.
def _constant_doc(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]
    from sphinx.pycode import ModuleAnalyzer
    from sphinx.util.docstrings import prepare_docstring

    if what not in ("data", "attribute") or callable(obj):
        return
    type_doc = type(obj).__doc__
    # (runs after napoleon, which may reflow the rest of the type's docstring)
    if not type_doc or lines[:1] != prepare_docstring(type_doc)[:1]:
        return
    package, _, attr = name.rpartition(".")
    found: list[str] = []
    for modname in sorted(sys.modules):
        if not modname.startswith(package + "._"):
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # not analysable (no source): try the next module
            continue
        if ("", attr) in docs:
            found = list(docs["", attr])
            break
    lines[:] = found


def _mathml(latex, display, node):  # type: ignore[no-untyped-def]
    from latex2mathml.converter import convert
    from sphinx.util import logging

    # "\_" inside \text{} is an underscore in LaTeX; latex2mathml would keep the backslash
    latex = re.sub(r"\\text\{[^}]*\}", lambda m: m.group(0).replace("\\_", "_"), latex)
    try:
        return convert(latex, display=display)
    except Exception as exc:
        logging.getLogger(__name__).warning(
            "cannot convert the formula %r to MathML: %s", latex, exc, location=node
        )
        return f"<code>{html.escape(latex)}</code>"


def _visit_math(self, node):  # type: ignore[no-untyped-def]
    from docutils import nodes

    self.body.append(f'<span class="math">{_mathml(node.astext(), "inline", node)}</span>')
    raise nodes.SkipNode


def _visit_displaymath(self, node):  # type: ignore[no-untyped-def]
    from docutils import nodes

    # a ``.. math::`` directive may hold several equations separated by blank lines
    for part in (p for p in node.astext().split("\n\n") if p.strip()):
        formula = _mathml(part, "block", node)
        self.body.append(f'<div class="math">{formula}</div>')
    raise nodes.SkipNode


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-process-docstring", _constant_doc, priority=900)
    app.add_html_math_renderer("mathml", (_visit_math, None), (_visit_displaymath, None))
