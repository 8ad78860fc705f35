"""Shared fixtures: the repository's Erping fixture, a synthetic set, and the CLI's outputs for
both, against which the Python package's numbers are checked.

The CLI is the binary built from this checkout: ``$TUBAN_BIN``, else ``target/release/tuban``
(built here with cargo if missing; python/ci.sh builds it first).
"""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
ERPING = ROOT / "fixtures" / "erping"
SYNTH_PATCHES = 2000


@pytest.fixture(scope="session")
def tuban_bin() -> Path:
    given = os.environ.get("TUBAN_BIN")
    if given:
        return Path(given)
    path = ROOT / "target" / "release" / "tuban"
    if not path.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "tuban"], cwd=ROOT, check=True
        )
    return path


def cli(tuban_bin: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(tuban_bin), *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="session")
def erping_cli(tuban_bin, tmp_path_factory) -> dict:
    """The CLI's per-patch and village CSVs of the fixture's project."""
    out = tmp_path_factory.mktemp("erping_cli")
    cli(
        tuban_bin, "run", ERPING / "tuban.toml", "--quiet",
        "-o", out / "patches.csv", "--villages", out / "villages.csv",
    )
    return {"patches": read_csv(out / "patches.csv"), "villages": read_csv(out / "villages.csv")}


@pytest.fixture(scope="session")
def synth(tuban_bin, tmp_path_factory) -> dict:
    """A synthetic set with every layer and a DEM, and the CLI's CSVs of its project."""
    folder = tmp_path_factory.mktemp("synth")
    cli(tuban_bin, "synth", "--patches", SYNTH_PATCHES, "--out", folder, "--overwrite")
    out = folder / "cli"
    cli(
        tuban_bin, "run", folder / "tuban.toml", "--quiet",
        "-o", out / "patches.csv", "--villages", out / "villages.csv",
    )
    return {
        "dir": folder,
        "patches": read_csv(out / "patches.csv"),
        "villages": read_csv(out / "villages.csv"),
    }


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV of the CLI, every cell as its text (no type guessing, empty cells as "")."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def assert_same_as_csv(df: pd.DataFrame, csv: pd.DataFrame) -> None:
    """Same columns in the same order, same rows; numeric columns equal as floats (the CSV
    writes each f64's shortest round-trip decimal, so equality is exact), text columns equal
    (a null cell is the CSV's empty cell)."""
    assert list(df.columns) == list(csv.columns)
    assert len(df) == len(csv)
    for name in csv.columns:
        ours = df[name]
        if pd.api.types.is_numeric_dtype(ours.dtype) and not pd.api.types.is_bool_dtype(ours):
            theirs = np.array([float(s) if s != "" else np.nan for s in csv[name]])
            np.testing.assert_array_equal(ours.to_numpy(dtype=float), theirs, err_msg=name)
        else:
            assert [_cell_text(v) for v in ours] == list(csv[name]), name
