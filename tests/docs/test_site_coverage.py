"""The site covers the public surface: a gallery page per spec, an API entry per public name.

Two layers, so that the check means something with and without a built site:

* the *sources* (always): every public spec class has ``docs/examples/plot_<snake>.py``
  that names it, and every public name has its own ``.. auto<kind>::`` (or
  ``.. py:<kind>::``) entry in ``docs/api/*.rst``;
* the *built site* (when ``docs/_build/html`` exists, and always under ``CI=true``, where
  ``scripts/docs`` runs first): every public name is an object in Sphinx's ``objects.inv``
  (so autodoc really documented it, not just listed it), and every spec's gallery page was
  rendered.
"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import lrspec
import lrspec.configs
import lrspec.functional
import lrspec.stepping
import lrspec.testing
import lrspec_torch
import lrspec_torch.hf
import lrspec_torch.lightning

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
API = DOCS / "api"
HTML = DOCS / "_build" / "html"

MODULES: tuple[ModuleType, ...] = (
    lrspec,
    lrspec.configs,
    lrspec.functional,
    lrspec.stepping,
    lrspec.testing,
    lrspec_torch,
    lrspec_torch.lightning,
    lrspec_torch.hf,
)
REBUILD = "rebuild the site with `bash scripts/docs`"


def public_specs() -> list[type[lrspec.Schedule]]:
    """Every concrete spec class exported by ``lrspec``: the twins and any spec added later."""
    out = []
    for name in lrspec.__all__:
        obj = getattr(lrspec, name)
        if isinstance(obj, type) and issubclass(obj, lrspec.Schedule) and attrs.has(obj):
            out.append(obj)
    return out


def snake(name: str) -> str:
    """``CosineAnnealingLR`` -> ``cosine_annealing_lr``, ``SWALR`` -> ``swalr``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def gallery_page(cls: type) -> Path | None:
    """``docs/examples/plot_<snake>.py``; underscores may differ (``plot_multistep_lr``)."""
    key = snake(cls.__name__).replace("_", "")
    for path in sorted(EXAMPLES.glob("plot_*.py")):
        if path.stem.removeprefix("plot_").replace("_", "") == key:
            return path
    return None


def public_names() -> list[str]:
    """Every public name, fully qualified: ``lrspec.StepLR``, ``lrspec.functional.step_lr``."""
    return [f"{module.__name__}.{name}" for module in MODULES for name in module.__all__]


SPECS = public_specs()
NAMES = public_names()


def test_the_public_surface_is_what_the_site_is_built_for() -> None:
    # If these fail, the helpers above no longer see the public surface (not a docs gap).
    assert set(lrspec.TORCH_TWINS) <= set(SPECS)
    assert lrspec.Schedule not in SPECS and lrspec.MomentumSchedule not in SPECS
    assert snake("ReduceLROnPlateau") == "reduce_lr_on_plateau"
    assert snake("SWALR") == "swalr" and snake("OneCycleLR") == "one_cycle_lr"
    assert "lrspec_torch.SpecLR" in NAMES and "lrspec.functional.step_lr" in NAMES


# --- sources ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", SPECS, ids=lambda c: c.__name__)
def test_every_public_spec_has_a_gallery_page(cls: type) -> None:
    page = gallery_page(cls)
    assert page is not None, (
        f"{cls.__name__} is public but has no gallery page: add "
        f"docs/examples/plot_{snake(cls.__name__)}.py"
    )
    text = page.read_text(encoding="utf-8")
    assert re.search(rf"\b{cls.__name__}\b", text), f"{page.name} never names {cls.__name__}"


def api_entries() -> dict[str, str]:
    """``{qualified name: file}`` for every ``.. auto<kind>::`` / ``.. py:<kind>::`` in docs/api."""
    entries = {}
    pattern = re.compile(
        r"^\.\. (?:auto|py:)(?:class|function|data|module|exception)::\s+(\S+)", re.M
    )
    for path in sorted(API.glob("*.rst")):
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            entries[name] = path.name
    return entries


def test_every_public_name_has_an_api_entry() -> None:
    entries = api_entries()
    missing = [name for name in NAMES if name not in entries]
    assert not missing, (
        f"public names with no `.. auto*::` or `.. py:*::` entry in docs/api/*.rst: {missing}"
    )


# --- the built site -------------------------------------------------------------------------


def require_built_site() -> None:
    if (HTML / "objects.inv").is_file():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"no built site at {HTML} under CI=true: {REBUILD} before pytest")
    pytest.skip(f"the site is not built ({REBUILD})")


def inventory() -> dict[str, str]:
    """``{name: "domain:role"}`` from Sphinx's objects.inv (format 2: zlib after 4 lines)."""
    raw = (HTML / "objects.inv").read_bytes()
    header, _, body = raw.partition(b"\n")
    assert header == b"# Sphinx inventory version 2", header
    for _ in range(3):
        _, _, body = body.partition(b"\n")
    objects = {}
    line = re.compile(r"(?x)(.+?)\s+(\S+:\S+)\s+(-?\d+)\s+(\S*)\s+(.*)")
    for text in zlib.decompress(body).decode("utf-8").splitlines():
        match = line.fullmatch(text.rstrip())
        if match:
            objects[match.group(1)] = match.group(2)
    return objects


def test_the_built_api_reference_documents_every_public_name() -> None:
    require_built_site()
    objects = inventory()
    missing = [name for name in NAMES if not objects.get(name, "").startswith("py:")]
    assert not missing, f"not documented in the built site: {missing} ({REBUILD})"


def test_the_built_site_has_every_spec_page() -> None:
    require_built_site()
    pages = ["index.html", "getting-started.html", "api/index.html", "auto_examples/index.html"]
    pages += [f"auto_examples/{page.stem}.html" for cls in SPECS if (page := gallery_page(cls))]
    missing = [page for page in pages if not (HTML / page).is_file()]
    assert not missing, f"pages missing from {HTML}: {missing} ({REBUILD})"
