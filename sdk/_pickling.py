"""Internal workaround for pulumi#17803: `serialize_provider` re-wraps `pickle._Pickler._batch_setitems`
on every dynamic resource, so a few hundred resources end in `RecursionError`. `pickler_restored()` puts the
original methods back after each serialization."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PATCHED_ATTRIBUTES: tuple[str, ...] = ("_batch_setitems", "save_dict")
"""Methods of `pickle._Pickler` that pulumi's `serialize_provider` replaces and never restores."""

_PYPICKLER: Any = pickle._Pickler


@contextmanager
def pickler_restored() -> Iterator[None]:
    """Run a block that may serialize dynamic providers, then restore `pickle` as it was before."""
    saved_class = pickle.Pickler
    saved = {name: _PYPICKLER.__dict__.get(name) for name in PATCHED_ATTRIBUTES}
    try:
        yield
    finally:
        pickle.Pickler = saved_class  # type: ignore[misc]
        for name, value in saved.items():
            if value is None:
                if name in _PYPICKLER.__dict__:
                    delattr(_PYPICKLER, name)
            else:
                setattr(_PYPICKLER, name, value)
