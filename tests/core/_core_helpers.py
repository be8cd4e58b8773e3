"""Helpers shared by the core tests (importable through this folder's ``conftest.py``)."""

from __future__ import annotations

import re


def names(arg: str, value: object) -> str:
    """A message that starts with the argument's name and shows ``value``'s repr."""
    return rf"^{re.escape(arg)}(?![\w\[]).*{re.escape(repr(value))}"


def shows(arg: str, value: object) -> str:
    """A message that shows ``arg=<repr of value>`` somewhere (cross-argument rules)."""
    return re.escape(f"{arg}={value!r}")
