"""Make the shared core test helpers importable.

pytest runs with ``--import-mode=importlib``, which leaves ``sys.path`` alone, so test modules
cannot import a sibling by name. This folder goes on ``sys.path`` instead, for
``_core_helpers`` only: the tests still import ``lrspec`` from the installed package.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
