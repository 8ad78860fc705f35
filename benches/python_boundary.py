#!/usr/bin/env python3
"""What the Python boundary costs: GeoDataFrames in, the result DataFrame out, against the run.

For each size, on a `tuban synth --no-dem` set (generated if missing), in one process:

- `paths`: `tuban.overlay(paths...)` -> DataFrame (the CLI's work, plus the DataFrame);
- `gdf patches`: the patches as a GeoDataFrame, the other layers as paths;
- `gdf all`: every layer as a GeoDataFrame (read beforehand with pyogrio; reading is the
  user's, not the boundary's).

For each, `core` is the library's own time (`run_info["seconds"]["total"]`: read, CRS, build,
index, overlay, account) and `boundary` = wall time - core: GeoPandas' `to_arrow()`, the Arrow ->
layer conversion in Rust, the report -> Arrow columns, Arrow -> pandas, and the Python around
them. The ratio boundary / core is what the boundary adds to the run. The configurations are
interleaved and repeated; the median is reported. Timings on a shared machine are noisy: say so
with the table.

    python benches/python_boundary.py --sizes 100000,1000000 --data /tmp/tuban-bench --repeat 3

Needs the package (pip install ./python), geopandas with pyogrio, and the `tuban` binary
(`target/release/tuban`, or --tuban) to generate the sets.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import time
import warnings
from pathlib import Path

import geopandas as gpd

import tuban

ROOT = Path(__file__).resolve().parents[1]
ROLES = {"patches": "patches", "landuse": "dltb", "graves": "graves", "roads": "roads"}


def dataset(tuban_bin: Path, data: Path, n: int) -> Path:
    folder = data / f"s{n}"
    if not (folder / "patches.shp").exists():
        subprocess.run([str(tuban_bin), "synth", "--patches", str(n), "--out", str(folder),
                        "--no-dem", "--overwrite"], check=True)
    return folder


def overlay(layers: dict, threads: int):
    start = time.perf_counter()
    df = tuban.overlay(layers["patches"], landuse=layers["landuse"], graves=layers["graves"],
                       roads=layers["roads"], grave_count_field="SL", area_method="planar",
                       threads=threads)
    wall = time.perf_counter() - start
    s = df.attrs["tuban"]["seconds"]
    return len(df), wall, s


def main() -> None:
    # The synthetic roads include a few self-touching corridors the run repairs and reports.
    warnings.simplefilter("ignore", tuban.TubanWarning)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--data", type=Path, default=Path("/tmp/tuban-bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--tuban", type=Path, default=ROOT / "target" / "release" / "tuban")
    ap.add_argument("--configs", default="paths,gdf patches,gdf all",
                    help="which of: paths, gdf patches, gdf all")
    args = ap.parse_args()

    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        folder = dataset(args.tuban, args.data, n)
        paths = {role: str(folder / f"{stem}.shp") for role, stem in ROLES.items()}
        wanted = args.configs.split(",")
        start = time.perf_counter()
        frames = {role: gpd.read_file(p, engine="pyogrio", use_arrow=True)
                  for role, p in paths.items()
                  if "gdf all" in wanted or ("gdf patches" in wanted and role == "patches")}
        read = time.perf_counter() - start
        to_arrow = {}
        for role, f in frames.items():
            t = time.perf_counter()
            f.to_arrow(index=False, geometry_encoding="WKB")  # as the package does
            to_arrow[role] = time.perf_counter() - t
        configs = {}
        if "paths" in wanted:
            configs["paths"] = paths
        if "gdf patches" in wanted:
            configs["gdf patches"] = {**paths, "patches": frames["patches"]}
        if "gdf all" in wanted:
            configs["gdf all"] = frames
        results = {name: [] for name in configs}
        for _ in range(args.repeat):
            for name, layers in configs.items():
                gc.collect()
                results[name].append(overlay(layers, args.threads))
        for name, runs in results.items():
            count = runs[0][0]
            wall = statistics.median(r[1] for r in runs)
            core = statistics.median(r[2]["total"] for r in runs)
            from_arrow = statistics.median(r[2]["from_arrow"] for r in runs)
            out = statistics.median(r[2]["to_arrow"] for r in runs)
            gpd_arrow = sum(to_arrow[r] for r, v in configs[name].items()
                            if not isinstance(v, str))
            rows.append((n, count, name, wall, core, wall - core, gpd_arrow, from_arrow, out))
        print(f"{n}: {sum(len(f) for f in frames.values())} features read by pyogrio in "
              f"{read:.1f} s (not counted)", flush=True)
        del frames, configs
        gc.collect()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print()
    print("| patches | layers given as | wall | core (tuban's stages) | boundary | "
          "of which GeoPandas to_arrow | Arrow -> layers | report -> Arrow | boundary / core |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n, count, name, wall, core, boundary, gpd_arrow, from_arrow, out in rows:
        print(f"| {count:,} | {name} | {wall:.2f} s | {core:.2f} s | {boundary:.2f} s | "
              f"{gpd_arrow:.2f} s | {from_arrow:.2f} s | {out:.2f} s | "
              f"{100 * boundary / core:.0f} % |".replace(",", " "))
    print(f"\npeak RSS of the process: {peak:.1f} GB; repeats: {args.repeat} (median); "
          f"threads: {args.threads or 'one per core'}")


if __name__ == "__main__":
    main()
