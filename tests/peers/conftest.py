"""Make the shared peer import (``_peers``) importable by the test modules here.

pytest runs with ``--import-mode=importlib``, which leaves ``sys.path`` alone; this folder goes
on it for ``_peers`` only.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
