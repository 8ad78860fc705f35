#!/usr/bin/env python3
"""tuban.spark.overlay under Spark local[2] against the CLI on the same synthetic data (issue 16).

    python benches/spark_scale.py [--patches 1000000] [--tile-m 2000] [--work DIR] [--cores 2]

Needs the Python package installed with its Spark extras (pip install ./python pyspark
geopandas) and a Java runtime; the CLI is target/release/tuban (TUBAN_BIN overrides). Steps:

1. `tuban synth --patches N --no-dem` (every vector layer: patches, land use, graves, roads);
2. the layers written as GeoParquet by GeoPandas (not timed: the cluster's data is Parquet already);
3. the CLI: `tuban overlay` on the shapefiles with --threads CORES, wall time;
4. Spark local[CORES]: tuban.spark.overlay on the GeoParquet files, the rows written to Parquet
   (planning, shuffle and the per-tile kernel all included), wall time; then the plan's numbers:
   tiles, patches per tile, obstacle copies per layer (the replication factor) and the bytes of
   WKB shuffled;
5. a check that both gave the same rows (every value).

It prints a table and a JSON line with everything measured, from which the README's cost model
for a province and the nation is derived (see "Running on a cluster" there).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = {"patches": "patches.shp", "landuse": "dltb.shp", "graves": "graves.shp", "roads": "roads.shp"}
OPTIONS = dict(id_field="TBBH", village_field="QSDWMC", grave_count_field="SL",
               grave_radius=2.0, road_width_field="KD", road_min_width=1.0)


def project(m: dict, cores_per_executor: int = 4) -> str:
    """The cost model of the README, from one measurement `m` (the JSON line this script prints):
    patches scale with land-use polygons as in the measured set; core time per patch, copies per
    obstacle and WKB bytes per row as measured; tiles of the same size hold as many patches."""
    landuse_per_patch = m["landuse_rows"] / m["patches"]
    core_s_per_patch = m["spark_core_us_per_patch"] / 1e6
    lines = [
        f"| region | land-use polygons | patches (at {landuse_per_patch:.2f} polygons each) | "
        f"core-hours | wall on N executors x {cores_per_executor} cores | shuffled WKB | "
        f"tiles (patches each) |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for name, landuse in (("province", 30e6), ("nation", 300e6)):
        patches = landuse / landuse_per_patch
        scale = patches / m["patches"]
        core_s = core_s_per_patch * patches
        def wall(n: int) -> str:
            sec = core_s / (n * cores_per_executor)
            return f"{sec:.0f} s" if sec < 600 else f"{sec / 60:.0f} min"

        walls = ", ".join(f"N={n}: {wall(n)}" for n in (10, 50, 200))
        shuffled = scale * (m["patch_wkb_bytes"] + sum(
            m[f"{r}_wkb_bytes_shuffled"] for r in ("landuse", "graves", "roads")))
        tiles = scale * m["tiles"]
        lines.append(
            f"| {name} | {landuse / 1e6:.0f}M | {patches / 1e6:.1f}M | {core_s / 3600:.1f} | {walls} | "
            f"{shuffled / 1e9:.0f} GB | {tiles:,.0f} ({m['patches_per_tile_avg']:.0f}) |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patches", type=int, default=1_000_000)
    ap.add_argument("--tile-m", type=float, default=2000.0)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--work", type=Path, default=None, help="folder for the data (default: a temp dir)")
    ap.add_argument("--executor-memory", default="6g")
    ap.add_argument("--from-json", type=Path, help="only print the cost model of a saved JSON line")
    args = ap.parse_args()
    if args.from_json:
        print(project(json.loads(args.from_json.read_text().strip().splitlines()[-1])))
        return 0
    tuban_bin = Path(os.environ.get("TUBAN_BIN", ROOT / "target" / "release" / "tuban"))
    if not tuban_bin.exists():
        sys.exit(f"{tuban_bin} not found: cargo build --release --bin tuban (or set TUBAN_BIN)")
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="tuban-spark-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    n = args.patches
    data = work / f"synth{n}"
    measured: dict = {"patches": n, "cores": args.cores, "tile_m": args.tile_m}

    if not (data / "patches.shp").exists():
        t = time.perf_counter()
        subprocess.run([str(tuban_bin), "synth", "--patches", str(n), "--no-dem", "--out", str(data),
                        "--overwrite"], check=True, stdout=subprocess.DEVNULL)
        print(f"synth: {time.perf_counter() - t:.1f} s", flush=True)
    pq_dir = data / "parquet"
    if not (pq_dir / "roads.parquet").exists():
        import geopandas as gpd

        t = time.perf_counter()
        pq_dir.mkdir(exist_ok=True)
        for role, name in FILES.items():
            gpd.read_file(data / name).to_parquet(pq_dir / f"{role}.parquet")
        print(f"GeoParquet written by GeoPandas: {time.perf_counter() - t:.1f} s (not counted)", flush=True)

    # The CLI.
    out_cli = work / f"cli{n}.csv"
    cmd = [str(tuban_bin), "overlay", "--patches", str(data / "patches.shp"),
           "--landuse", str(data / "dltb.shp"), "--graves", str(data / "graves.shp"),
           "--roads", str(data / "roads.shp"), "--id-field", "TBBH", "--village-field", "QSDWMC",
           "--grave-count-field", "SL", "--grave-radius", "2", "--road-width-field", "KD",
           "--road-min-width", "1", "--threads", str(args.cores), "-o", str(out_cli),
           "--overwrite", "--quiet"]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    measured["cli_s"] = round(time.perf_counter() - t, 2)
    print(f"CLI, {args.cores} threads: {measured['cli_s']} s", flush=True)

    # Spark.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession, functions as F

    import tuban.spark

    t = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("tuban-spark-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", args.executor_memory)
        .config("spark.sql.shuffle.partitions", str(max(8, 4 * args.cores)))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    measured["spark_start_s"] = round(time.perf_counter() - t, 2)
    frames = {role: spark.read.parquet(str(pq_dir / f"{role}.parquet")) for role in FILES}
    out_spark = work / f"spark{n}.parquet"
    t = time.perf_counter()
    rows = tuban.spark.overlay(frames["patches"], landuse=frames["landuse"], graves=frames["graves"],
                               roads=frames["roads"], crs="EPSG:4544", tile_m=args.tile_m, **OPTIONS)
    rows.write.mode("overwrite").parquet(str(out_spark))
    measured["spark_s"] = round(time.perf_counter() - t, 2)
    print(f"Spark local[{args.cores}]: {measured['spark_s']} s (+{measured['spark_start_s']} s to start)",
          flush=True)

    # The plan's numbers (computed again, outside the timing).
    obstacles = {r: frames[r] for r in ("landuse", "graves", "roads")}
    tiled, copies, _ = tuban.spark.plan(frames["patches"], obstacles, args.tile_m, dict(OPTIONS))
    per_tile = tiled.groupBy(tuban.spark.TILE).count()
    s = per_tile.agg(F.count("*"), F.avg("count"), F.max("count")).first()
    measured["tiles"], measured["patches_per_tile_avg"], measured["patches_per_tile_max"] = s[0], round(s[1], 1), s[2]
    measured["patch_wkb_bytes"] = frames["patches"].agg(F.sum(F.length("geometry"))).first()[0]
    for role in ("landuse", "graves", "roads"):
        rows_n = frames[role].count()
        c = copies.where(F.col(tuban.spark.LAYER) == role)
        copies_n = c.count()
        wkb = c.agg(F.sum(F.length(f"{role}__geometry"))).first()[0] or 0
        measured[f"{role}_rows"] = rows_n
        measured[f"{role}_copies"] = copies_n
        measured[f"{role}_replication"] = round(copies_n / max(rows_n, 1), 3)
        measured[f"{role}_wkb_bytes_shuffled"] = wkb
    measured["spark_core_s_per_tile"] = round(measured["spark_s"] * args.cores / measured["tiles"], 4)
    measured["spark_core_us_per_patch"] = round(measured["spark_s"] * args.cores / n * 1e6, 1)
    measured["cli_core_us_per_patch"] = round(measured["cli_s"] * args.cores / n * 1e6, 1)

    # Same rows?
    import pandas as pd
    import numpy as np

    ours = pd.read_parquet(out_spark).sort_values("record").reset_index(drop=True)
    cli = pd.read_csv(out_cli, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    same = list(ours.columns) == list(cli.columns) and len(ours) == len(cli)
    if same:
        for name in cli.columns:
            if pd.api.types.is_numeric_dtype(ours[name].dtype):
                want = np.array([float(v) if v != "" else np.nan for v in cli[name]])
                same &= bool(np.array_equal(ours[name].to_numpy(dtype=float), want, equal_nan=True))
            else:
                same &= [("" if v is None else str(v)) for v in ours[name]] == list(cli[name])
    measured["same_rows"] = same
    spark.stop()

    print()
    print(f"| {n:,} patches | wall s | core-µs per patch |")
    print("|---|---|---|")
    print(f"| CLI, --threads {args.cores} | {measured['cli_s']} | {measured['cli_core_us_per_patch']} |")
    print(f"| Spark local[{args.cores}], tile {args.tile_m:g} m | {measured['spark_s']} | "
          f"{measured['spark_core_us_per_patch']} |")
    print(f"tiles {measured['tiles']} ({measured['patches_per_tile_avg']} patches each on average, "
          f"max {measured['patches_per_tile_max']}); replication landuse {measured['landuse_replication']}, "
          f"graves {measured['graves_replication']}, roads {measured['roads_replication']}; "
          f"same rows as the CLI: {same}")
    print()
    print(project(measured))
    print(json.dumps(measured))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
