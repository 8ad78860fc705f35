#!/usr/bin/env python3
"""Checks tuban's PROJJSON definitions against PROJ (through pyproj), independently of tuban.

    python3 tests/write_check/projjson_check.py DEFINITIONS.json

DEFINITIONS.json maps EPSG codes to the PROJJSON tuban writes for them (the Rust test
`every_projjson_is_the_epsg_crs_for_pyproj` in crates/io/tests/write_outputs.rs writes it and runs
this script when TUBAN_CHECK_PYTHON names a Python with pyproj). For each code, pyproj's
`CRS.from_json_dict` must read the definition, `to_epsg()` must give the code back, and the CRS
must equal PROJ's own `CRS.from_epsg(code)` (datum, projection parameters, axis order). The last
line is `N passed, N failed`.
"""

import json
import sys

from pyproj import CRS


def main(path):
    definitions = json.load(open(path, encoding="utf-8"))
    passed = failed = 0
    for code, definition in definitions.items():
        code = int(code)
        try:
            ours = CRS.from_json_dict(definition)
            theirs = CRS.from_epsg(code)
            if ours.to_epsg() != code:
                raise AssertionError(f"to_epsg() gives {ours.to_epsg()}")
            if not ours.equals(theirs):
                raise AssertionError(f"differs from PROJ's EPSG:{code}: {ours.to_wkt()} != {theirs.to_wkt()}")
            # The definition itself, without its id, must still be the same CRS.
            bare = dict(definition)
            bare.pop("id", None)
            if not CRS.from_json_dict(bare).equals(theirs, ignore_axis_order=False):
                raise AssertionError("without its id it is not the same CRS")
        except Exception as e:  # noqa: BLE001 - every failure is reported with its code
            failed += 1
            print(f"FAIL EPSG:{code}: {e}")
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
