"""Names a package gives that are imported only when first used (PEP 562): a command that needs none of them
does not pay for what their modules import (SQLGlot, WeasyPrint, python-docx)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def names_from(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's `__getattr__`: each name of `where` from its module (name -> module in the package), imported
    when first asked for and then kept on the package."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{where[name]}"), name)
        vars(sys.modules[package])[name] = value
        return value

    return __getattr__


__all__ = ["names_from"]
