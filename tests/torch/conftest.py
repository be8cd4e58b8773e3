"""Make the shared torch test helpers importable.

pytest runs with ``--import-mode=importlib``, which leaves ``sys.path`` alone, so test modules
cannot import a sibling by name. This folder goes on ``sys.path`` instead, for the
``_``-prefixed helper modules (``_torch_helpers``, ``_resume_worker``, ``_lightning_harness``):
the tests still import ``lrspec`` and ``lrspec_torch`` from the installed package.
``_resume_worker.py``, run as a script, finds the helpers the same way (its own folder is
``sys.path[0]``).
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
