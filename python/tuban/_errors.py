"""tuban's exceptions and warnings.

Every error of a run is a :class:`TubanError`; its subclass says whose move it is. The message
names the file (or the table: ``patches (GeoDataFrame)``), the record where there is one, what is
wrong and, where an option would fix it, a ``hint:`` line naming the keyword, which is also in the
exception's ``fix`` attribute (``"assume_crs"``, ``"invalid"``, ``"overwrite"``, else ``None``).
"""

from __future__ import annotations

from typing import Optional


class TubanError(Exception):
    """A run of tuban could not be carried out."""

    #: The keyword argument that would fix the error (``"assume_crs"``), if one would.
    fix: Optional[str] = None


class InputError(TubanError):
    """An input layer, the DEM or the project file cannot be read or used (a missing file, a
    missing field, bad WKB, an invalid geometry under ``invalid="error"``)."""


class CrsError(TubanError):
    """A layer's coordinate system is missing, not understood, refused (a legacy datum) or
    contradicts its coordinates."""


class RulesError(TubanError):
    """The rules file cannot be read or is malformed."""


class OutputError(TubanError):
    """An output file cannot be written, or exists and ``overwrite`` is not set."""


class UsageError(TubanError, ValueError):
    """The call itself is wrong: an unknown option, a value out of its set, a layer of a type
    tuban does not take."""


class TubanWarning(UserWarning):
    """Something the user should know that did not stop the run (patches beyond the DEM, patches
    that failed and are marked in the ``error`` column)."""
