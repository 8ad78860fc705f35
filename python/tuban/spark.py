"""tuban as the per-tile kernel of an Apache Spark job: the CLI's per-patch rows, from Spark
DataFrames, on as many executors as the cluster has.

::

    from pyspark.sql import SparkSession
    import tuban.spark

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    patches = spark.read.parquet("patches.parquet")      # GeoParquet: WKB `geometry` + attributes
    landuse = spark.read.parquet("dltb.parquet")
    rows = tuban.spark.overlay(patches, landuse=landuse, crs="EPSG:4544", tile_m=2000,
                               id_field="TBBH", village_field="QSDWMC")
    rows.write.parquet("result.parquet")                  # one row per patch, the CSV's columns
    villages = tuban.spark.villages(rows)                 # the village table (pandas)

How the work is cut (all planned here, deterministically, from the data alone):

1. **Record numbers.** Each patch gets its record number: its position in the patches DataFrame
   counted from 1 (partition by partition, row by row: for a DataFrame read from one file, the
   file's order, as ``tuban run`` numbers the layer's records). ``record_field=`` names a column
   that holds them instead. Obstacles are numbered the same way; each tile hands its rows to
   tuban in record order.
2. **Tiles.** A patch belongs to exactly one tile: the cell of a ``tile_m`` grid holding the
   lower-left corner of its envelope. A tile's extent is the union of its patches' envelopes.
3. **Replication.** An obstacle goes to every tile whose extent meets its envelope grown by its
   largest possible buffer (graves: the disc radius, or the radius of the largest disc area in
   ``grave_area_field``; roads: half the widest width; plus 1 m), so that every obstacle that can
   touch a patch is in the patch's tile. Obstacles that meet no tile are dropped (they meet no
   patch); a non-empty layer of which nothing meets any patch is an error, as it is for the CLI,
   unless ``accept_no_overlap`` names it.
4. **Per tile**, ``groupBy("tile").cogroup(...).applyInArrow`` (Spark 4) gives the tile's patches
   and obstacles as Arrow tables to :func:`tuban.overlay` (the Rust kernel, no Python object per
   feature), which returns the tile's rows with the CSV's columns.

Each patch's row depends only on the patch and the obstacles that meet it (tuban measures each
patch on its own), so the rows equal the CLI's, value for value; ``python/tests/test_spark.py``
checks this on the Erping fixture and a synthetic set, with two tile sizes.

Needs ``pyspark>=4`` (``applyInArrow`` on cogrouped data), ``shapely>=2`` (envelopes) and a Java
runtime. The workers import ``tuban``: install the wheel on every executor (or ship it with
``--py-files``/a packed environment). Spark's Python workers start ``python3`` from ``PATH``: set
``PYSPARK_PYTHON`` to the environment that has tuban.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import warnings
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa

import tuban
from ._errors import UsageError

__all__ = ["overlay", "villages", "plan"]

#: The columns tuban adds while planning (removed from the result).
TILE = "__tuban_tile"
RECORD = "__tuban_record"
LAYER = "__tuban_layer"
XMIN, YMIN, XMAX, YMAX = "__tuban_xmin", "__tuban_ymin", "__tuban_xmax", "__tuban_ymax"

#: The layers the overlay takes besides the patches.
OBSTACLES = ("landuse", "graves", "roads")

_DEFAULT_TILE_M = 2000.0


def _need_spark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import DataFrame, functions as F  # noqa: F401
    except ImportError as e:  # pragma: no cover - the tests skip without pyspark
        raise UsageError("tuban.spark needs PySpark 4 or later: pip install 'pyspark>=4'") from e
    major = int(pyspark.__version__.split(".")[0])
    if major < 4:
        raise UsageError(
            f"tuban.spark needs PySpark 4 or later (cogroup(...).applyInArrow); this is "
            f"{pyspark.__version__}: pip install 'pyspark>=4'"
        )


def _check_frame(role: str, df: Any, geometry: str = "geometry") -> None:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import BinaryType

    if not isinstance(df, DataFrame):
        raise UsageError(f"{role}= must be a Spark DataFrame, not {type(df).__name__}")
    fields = {f.name: f for f in df.schema.fields}
    if geometry not in fields:
        raise UsageError(
            f"{role}: no column `{geometry}`; tuban.spark reads the WKB geometry from a binary "
            f"column named geometry (what spark.read.parquet gives for GeoParquet); columns: "
            f"{', '.join(fields)}"
        )
    if not isinstance(fields[geometry].dataType, BinaryType):
        raise UsageError(
            f"{role}: column `{geometry}` is {fields[geometry].dataType.simpleString()}, not WKB "
            f"bytes (binary)"
        )
    for name in fields:
        if name.startswith("__tuban_"):
            raise UsageError(f"{role}: column `{name}` uses the prefix tuban.spark reserves")


def _with_records(df: Any, record_field: Optional[str]) -> Any:
    """``df`` with the column RECORD: ``record_field``'s values, or the row's position from 1
    (partition by partition, in row order), computed in the JVM from the partition sizes."""
    from pyspark.sql import functions as F

    if record_field is not None:
        return df.withColumn(RECORD, F.col(record_field).cast("long"))
    tagged = df.withColumn("__tuban_pid", F.spark_partition_id()).withColumn(
        "__tuban_mid", F.monotonically_increasing_id()
    )
    counts = sorted(
        (r[0], r[1]) for r in tagged.groupBy("__tuban_pid").count().collect()
    )
    offsets, start = {}, 0
    for pid, n in counts:
        offsets[pid] = start
        start += n
    spark = df.sparkSession
    offsets_df = spark.createDataFrame(
        list(offsets.items()) or [(0, 0)], "__tuban_pid int, __tuban_offset long"
    )
    # monotonically_increasing_id: partition id in the upper 31 bits, the row's position in its
    # partition in the lower 33.
    low = F.col("__tuban_mid").bitwiseAND(F.lit((1 << 33) - 1))
    return (
        tagged.join(F.broadcast(offsets_df), "__tuban_pid")
        .withColumn(RECORD, F.col("__tuban_offset") + low + F.lit(1))
        .drop("__tuban_pid", "__tuban_mid", "__tuban_offset")
    )


def _bounds_udf():
    """A pandas UDF (Arrow batches, pandas Series): the envelope of each WKB value (shapely)."""
    import shapely
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, StructField, StructType

    schema = StructType([StructField(n, DoubleType()) for n in (XMIN, YMIN, XMAX, YMAX)])

    @F.pandas_udf(schema)
    def bounds(wkb):  # pragma: no cover - runs in the workers
        import pandas as pd

        geoms = shapely.from_wkb(wkb.to_numpy())
        b = shapely.bounds(geoms)
        return pd.DataFrame(b, columns=[XMIN, YMIN, XMAX, YMAX])

    return bounds


def _with_envelopes(df: Any, geometry: str = "geometry") -> Any:
    bounds = _bounds_udf()
    return df.withColumn("__tuban_env", bounds(df[geometry])).select(
        "*", *[f"__tuban_env.{c}" for c in (XMIN, YMIN, XMAX, YMAX)]
    ).drop("__tuban_env")


def _margin(role: str, df: Any, options: Dict[str, Any]) -> float:
    """The largest distance an obstacle of ``role`` reaches beyond its envelope once buffered as
    tuban buffers it, plus 1 m."""
    from pyspark.sql import functions as F

    d = tuban.defaults()
    if role == "graves":
        area_field = options.get("grave_area_field")
        if area_field:
            scale = float(options.get("grave_area_scale", 1.0))
            biggest = df.agg(F.max(F.col(area_field).cast("double"))).first()[0] or 0.0
            # A 4*quad_segs-gon of that area has a circumradius below 1.1 x the circle's.
            return 1.1 * math.sqrt(max(biggest * scale, 0.0) / math.pi) + 1.0
        return float(options.get("grave_radius", d["grave_radius"])) + 1.0
    if role == "roads":
        field = options.get("road_width_field", d["road_width_field"])
        scale = float(options.get("road_width_scale", 1.0))
        widest = 0.0
        if field in df.columns:
            widest = (df.agg(F.max(F.col(field).cast("double"))).first()[0] or 0.0) * scale
        default = options.get("road_default_width")
        if default is not None:
            widest = max(widest, float(default))
        return widest / 2.0 + 1.0
    return 1.0


def plan(
    patches: Any,
    obstacles: Dict[str, Any],
    tile_m: float,
    options: Dict[str, Any],
) -> Tuple[Any, Any, Dict[str, int]]:
    """The tiling: ``(patches, obstacles, counts)``. ``patches`` has the columns TILE and RECORD
    added; ``obstacles`` is every obstacle layer's rows, one per tile they can reach, with TILE,
    RECORD and LAYER and each layer's attributes under ``ROLE__name`` (``landuse__DLBM``);
    ``counts`` gives how many rows each layer has."""
    from pyspark.sql import functions as F

    record_field = options.get("record_field")
    p = _with_envelopes(_with_records(patches, record_field))
    tx = F.floor(F.col(XMIN) / F.lit(tile_m)).cast("long")
    ty = F.floor(F.col(YMIN) / F.lit(tile_m)).cast("long")
    p = p.withColumn("__tuban_tx", tx).withColumn("__tuban_ty", ty)
    p = p.withColumn(TILE, F.concat_ws(":", "__tuban_tx", "__tuban_ty"))
    tiles = p.groupBy("__tuban_tx", "__tuban_ty").agg(
        F.min(XMIN).alias("t_xmin"),
        F.min(YMIN).alias("t_ymin"),
        F.max(XMAX).alias("t_xmax"),
        F.max(YMAX).alias("t_ymax"),
    )
    tiles = tiles.cache()
    # How far a tile's extent reaches beyond its grid cell (to the east and north): a patch is in
    # the cell of its lower-left corner, and may be wider than the cell.
    over = tiles.agg(
        F.max(F.col("t_xmax") - (F.col("__tuban_tx") + 1) * F.lit(tile_m)),
        F.max(F.col("t_ymax") - (F.col("__tuban_ty") + 1) * F.lit(tile_m)),
    ).first()
    over_x = max(over[0] or 0.0, 0.0)
    over_y = max(over[1] or 0.0, 0.0)

    copies: List[Any] = []
    counts: Dict[str, int] = {}
    for role, df in obstacles.items():
        margin = _margin(role, df, options)
        o = _with_envelopes(_with_records(df, record_field))
        for c in (XMIN, YMIN):
            o = o.withColumn(c, F.col(c) - F.lit(margin))
        for c in (XMAX, YMAX):
            o = o.withColumn(c, F.col(c) + F.lit(margin))
        # Candidate cells: those whose tile could meet the grown envelope.
        lo_x = F.floor((F.col(XMIN) - F.lit(over_x)) / F.lit(tile_m)).cast("long") - 1
        hi_x = F.floor(F.col(XMAX) / F.lit(tile_m)).cast("long")
        lo_y = F.floor((F.col(YMIN) - F.lit(over_y)) / F.lit(tile_m)).cast("long") - 1
        hi_y = F.floor(F.col(YMAX) / F.lit(tile_m)).cast("long")
        o = o.withColumn("__tuban_tx", F.explode(F.sequence(lo_x, hi_x))).withColumn(
            "__tuban_ty", F.explode(F.sequence(lo_y, hi_y))
        )
        o = o.join(F.broadcast(tiles), ["__tuban_tx", "__tuban_ty"]).where(
            (F.col(XMIN) <= F.col("t_xmax"))
            & (F.col(XMAX) >= F.col("t_xmin"))
            & (F.col(YMIN) <= F.col("t_ymax"))
            & (F.col(YMAX) >= F.col("t_ymin"))
        )
        o = o.withColumn(TILE, F.concat_ws(":", "__tuban_tx", "__tuban_ty"))
        attributes = list(df.columns)
        o = o.select(
            TILE,
            RECORD,
            F.lit(role).alias(LAYER),
            *[F.col(c).alias(f"{role}__{c}") for c in attributes],
        )
        copies.append(o)
        counts[role] = df.count()
    merged = None
    for o in copies:
        merged = o if merged is None else merged.unionByName(o, allowMissingColumns=True)
    keep = list(patches.columns) + [TILE, RECORD]
    return p.select(*keep), merged, counts


def _tile_function(
    layers: List[str],
    columns: Dict[str, List[str]],
    patch_columns: List[str],
    crs: str,
    area_method: str,
    rules_text: Optional[str],
    threads: int,
    options: Dict[str, Any],
    out_schema: pa.Schema,
):
    """The function each tile runs in a Python worker: its patches and obstacles (Arrow) through
    :func:`tuban.overlay`."""

    state: Dict[str, Any] = {}

    def rules_path() -> Optional[str]:
        if rules_text is None:
            return None
        if "rules" not in state:
            fd, path = tempfile.mkstemp(prefix="tuban-rules-", suffix=".toml")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(rules_text)
            state["rules"] = path
        return state["rules"]

    def run(left: pa.Table, right: pa.Table) -> pa.Table:
        if left.num_rows == 0:
            return out_schema.empty_table()
        return run_tile(left, right)

    def run_tile(left: pa.Table, right: pa.Table) -> pa.Table:
        import pyarrow.compute as pc

        left = left.sort_by(RECORD)
        patches = left.select(patch_columns + [RECORD])
        given: Dict[str, pa.Table] = {}
        for role in layers:
            names = columns[role]
            if right.num_rows:
                rows = right.filter(pc.equal(right[LAYER], role)).sort_by(RECORD)
            else:
                rows = right
            t = rows.select([f"{role}__{c}" for c in names] + [RECORD]).rename_columns(
                names + [RECORD]
            )
            given[role] = t
        with warnings.catch_warnings(record=True) as caught:
            # A tile's warnings (unknown land-use codes, ...) go to the executor's log, named by
            # the tile.
            warnings.simplefilter("always", tuban.TubanWarning)
            table = tuban.overlay(
                patches,
                rules=rules_path(),
                area_method=area_method,
                threads=threads,
                output="arrow",
                crs=crs,
                record_field=RECORD,
                **{k: v for k, v in given.items()},
                **options,
            )
        tile = left[TILE][0].as_py()
        for w in caught:
            print(f"tuban.spark: tile {tile}: warning: {w.message}", file=sys.stderr)
        table = table.replace_schema_metadata(None)
        return table.cast(out_schema)

    return run


def _empty_like(df: Any) -> pa.Table:
    """An empty Arrow table with the Spark DataFrame's schema."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema).empty_table()


def overlay(
    patches: Any,
    *,
    landuse: Any = None,
    graves: Any = None,
    roads: Any = None,
    crs: str,
    area_method: str = "ellipsoidal",
    tile_m: Optional[float] = None,
    rules: Optional[str] = None,
    threads: int = 1,
    **options: Any,
) -> Any:
    """Overlay Spark DataFrames of patches and obstacles; a Spark DataFrame with exactly the CSV's
    columns, one row per patch (in no particular order: sort by ``record``).

    Parameters
    ----------
    patches, landuse, graves, roads
        Spark DataFrames with the geometry as WKB in a binary column named ``geometry`` and the
        attribute columns (what ``spark.read.parquet`` gives for a GeoParquet file). ``patches``
        is required.
    crs
        The CRS of every layer (``"EPSG:4544"``); a Spark DataFrame carries none.
    area_method
        ``"ellipsoidal"`` or ``"planar"``, as :func:`tuban.overlay`.
    tile_m
        The tile size in the layers' units (metres): each patch goes to the tile of the
        lower-left corner of its envelope. Default 2000 m. Smaller tiles spread the work over
        more tasks; larger ones copy fewer obstacles to several tiles.
    rules
        A rules file (TOML), read here and handed to every worker as text.
    threads
        tuban's threads per tile (default 1: Spark already runs one task per core).
    **options
        :func:`tuban.overlay`'s layer options (``id_field``, ``village_field``,
        ``grave_radius``, ``road_width_field``, ...; ``record_field`` names a column of record
        numbers instead of the row positions: give it for a dataset of several files, whose
        rows Spark reads in an order of its own).

    Planning runs a few small Spark jobs (partition sizes, envelopes, tile extents, the largest
    buffers) before this returns; the obstacles' tile copies stay persisted (memory and disk)
    for the overlay. Errors of a tile (a damaged geometry, a missing field) stop the job with
    tuban's message.
    """
    _need_spark()
    unknown = sorted(set(options) - set(tuban.OVERLAY_OPTIONS))
    if unknown:
        raise UsageError(
            f"overlay() got unknown option(s) {', '.join(unknown)}; the options are: "
            f"{', '.join(tuban.OVERLAY_OPTIONS)}"
        )
    for bad in ("crs", "assume_crs", "dem_crs"):
        if bad in options:
            raise UsageError(f"tuban.spark.overlay takes the CRS as crs=, not {bad}=")
    if not isinstance(crs, str) or not crs:
        raise UsageError('crs= is required: the CRS of the layers, e.g. crs="EPSG:4544"')
    tile_m = _DEFAULT_TILE_M if tile_m is None else float(tile_m)
    if not (tile_m > 0 and math.isfinite(tile_m)):
        raise UsageError(f"tile_m= must be a positive number of metres, not {tile_m!r}")
    _check_frame("patches", patches)
    obstacles = {
        role: df
        for role, df in (("landuse", landuse), ("graves", graves), ("roads", roads))
        if df is not None
    }
    for role, df in obstacles.items():
        _check_frame(role, df)
    rules_text = None
    if rules is not None:
        with open(os.fspath(rules), encoding="utf-8") as f:
            rules_text = f.read()
    options = dict(options)
    record_field = options.pop("record_field", None)
    plan_options = dict(options, record_field=record_field)
    tiled, copies, counts = plan(patches, obstacles, tile_m, plan_options)

    # A layer of which nothing reaches any patch: the CLI's error, unless accepted.
    accepted = set(options.get("accept_no_overlap") or [])
    if copies is not None:
        # Kept (memory, spilling to disk) between this count and the overlay, so that the
        # envelopes and the replication join run once.
        from pyspark import StorageLevel

        copies = copies.persist(StorageLevel.MEMORY_AND_DISK)
        reached = {r[0]: r[1] for r in copies.groupBy(LAYER).count().collect()}
    else:
        reached = {}
    for role in obstacles:
        counts[f"{role}_copies"] = reached.get(role, 0)
        if counts[role] > 0 and reached.get(role, 0) == 0 and role not in accepted:
            raise tuban.InputError(
                f"{role}: none of its {counts[role]} features comes near any patch: is it the "
                f"right layer, in the patches' CRS ({crs})? If that is expected, pass "
                f'accept_no_overlap=["{role}"]'
            )
    # Each tile sees part of each layer: a part may lie apart from its patches.
    tile_options = dict(options, accept_no_overlap=sorted(set(obstacles) | accepted))

    columns = {role: list(df.columns) for role, df in obstacles.items()}
    patch_columns = list(patches.columns)

    # The result's schema: tuban's own answer for one patch with no obstacles.
    sample = patches.limit(1).toArrow()
    sample = sample.append_column(RECORD, pa.array([1] * sample.num_rows, pa.int64()))
    empty = {role: _empty_like(df).append_column(RECORD, pa.array([], pa.int64()))
             for role, df in obstacles.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tuban.TubanWarning)
        probe_rules = None
        if rules_text is not None:
            fd, probe_rules = tempfile.mkstemp(prefix="tuban-rules-", suffix=".toml")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(rules_text)
        try:
            probe = tuban.overlay(
                sample, rules=probe_rules, area_method=area_method, threads=1,
                output="arrow", crs=crs, record_field=RECORD, **empty, **tile_options,
            )
        finally:
            if probe_rules:
                os.unlink(probe_rules)
    out_schema = probe.schema.remove_metadata()

    from pyspark.sql.pandas.types import from_arrow_schema

    spark_schema = from_arrow_schema(out_schema)
    fn = _tile_function(
        list(obstacles), columns, patch_columns, crs, area_method, rules_text, threads,
        tile_options, out_schema,
    )
    if copies is None:
        # No obstacle layer: an empty right side with the key only.
        spark = patches.sparkSession
        copies = spark.createDataFrame([], f"{TILE} string, {RECORD} long, {LAYER} string")
    return (
        tiled.groupBy(TILE)
        .cogroup(copies.groupBy(TILE))
        .applyInArrow(fn, schema=spark_schema)
    )


def villages(rows: Any) -> Any:
    """The village table (pandas), as ``tuban run --villages`` writes it, from the per-patch rows
    :func:`overlay` returned (or any DataFrame with the CSV's columns).

    Each village's sums are taken in Spark, patch by patch in record order as the CLI adds them,
    so the village rows' m² equal the CLI's bit for bit; the ``_mu`` columns are rounded to
    hundredths by the CLI's largest-remainder function (``tuban._tuban.mu_hundredths``) so the
    rows add up to the total row. The total row's ``_mu`` values are those sums (equal to the
    CLI's); its ``_m2`` values are the sum of the village rows, which may differ from the CLI's
    one-pass sum over all patches in the last bits.
    """
    import pandas as pd
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    from . import _tuban

    cols = rows.columns
    classes = [c[: -len("_m2")] for c in cols if c.endswith("_m2") and c not in (
        "area_m2", "obstacle_m2", "clean_m2", "area_planar_m2", "area_ellipsoidal_m2")]
    areas = ["area"] + classes + ["obstacle", "clean", "rectifiable"]
    verdicts = ["rectifiable", "partly", "not_rectifiable"]
    counts = ["patches", "failed"] + verdicts + ["skipped", "repaired"]
    fields = [StructField("village", StringType())]
    fields += [StructField(c, LongType()) for c in counts]
    fields += [StructField(f"{a}_m2", DoubleType()) for a in areas]
    schema = StructType(fields)
    needed = ["village", "record", "verdict", "error", "repair", "area_m2", "obstacle_m2",
              "clean_m2"] + [f"{c}_m2" for c in classes]

    def per_village(t: pa.Table) -> pa.Table:  # pragma: no cover - runs in the workers
        t = t.sort_by("record")
        d = t.to_pydict()
        n = t.num_rows
        out: Dict[str, Any] = {"village": [d["village"][0]]}
        c = dict.fromkeys(counts, 0)
        s = dict.fromkeys(areas, 0.0)
        for i in range(n):
            c["patches"] += 1
            error = d["error"][i] or ""
            repair = d["repair"][i] or ""
            verdict = d["verdict"][i]
            # As the CLI's Totals: a skipped patch has no verdict, no error and its reason in
            # `repair`; a repaired one its repair and a verdict; a failed one an error.
            if verdict is None and not error and repair:
                c["skipped"] += 1
                continue
            if repair:
                c["repaired"] += 1
            if error or verdict is None:
                c["failed"] += 1
                continue
            c[verdict] += 1
            if verdict != "not_rectifiable":
                s["rectifiable"] += d["clean_m2"][i]
            s["area"] += d["area_m2"][i]
            for k in classes:
                s[k] += d[f"{k}_m2"][i]
            s["obstacle"] += d["obstacle_m2"][i]
            s["clean"] += d["clean_m2"][i]
        for k in counts:
            out[k] = [c[k]]
        for a in areas:
            out[f"{a}_m2"] = [s[a]]
        return pa.table(out).cast(pa.schema([
            (f.name, pa.string() if isinstance(f.dataType, StringType)
             else pa.int64() if isinstance(f.dataType, LongType) else pa.float64())
            for f in fields
        ]))

    table = (
        rows.select(*needed).groupBy("village").applyInArrow(per_village, schema=schema)
        .toPandas()
        .sort_values("village", key=lambda s: s.map(lambda v: v.encode("utf-8")))
        .reset_index(drop=True)
    )
    out = pd.DataFrame({"village": table["village"]})
    for k in ["patches", "failed"] + verdicts:
        out[k] = table[k]
    total: Dict[str, Any] = {"village": "total"}
    for k in ["patches", "failed"] + verdicts:
        total[k] = int(table[k].sum())
    for a in areas:
        m2 = table[f"{a}_m2"].tolist()
        rows_h, total_h = _tuban.mu_hundredths(m2)
        out[f"{a}_m2"] = m2
        out[f"{a}_mu"] = [h / 100 for h in rows_h]
        s = 0.0
        for v in m2:
            s += v
        total[f"{a}_m2"] = s
        total[f"{a}_mu"] = total_h / 100
    out["skipped"] = table["skipped"]
    out["repaired"] = table["repaired"]
    total["skipped"] = int(table["skipped"].sum())
    total["repaired"] = int(table["repaired"].sum())
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)
