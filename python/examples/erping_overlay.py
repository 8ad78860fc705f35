# %% [markdown]
# # Erping township: which rectification patches can go back to farmland?
#
# A notebook-style walk through the Python package on the repository's Erping fixture: read the
# township's layers with GeoPandas, overlay the patches against land use, graves, roads and
# steep slope, total the result per verdict and village, and map the patches coloured by
# verdict. Runs as a script too, headless (matplotlib's Agg backend), writing a PNG:
#
#     python python/examples/erping_overlay.py --out erping.png
#
# Each `# %%` line starts a cell (VS Code, Jupytext and Spyder open the file as a notebook).

# %%
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; in a notebook, drop this line

import geopandas as gpd
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

import tuban

ROOT = Path(__file__).resolve().parents[2]
ERPING = ROOT / "fixtures" / "erping"

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, default=Path("erping_verdicts.png"))
args, _ = parser.parse_known_args()

# %% [markdown]
# ## The township's layers
# Shapefiles in CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544), text in GBK (the `.cpg`
# says so; pyogrio decodes it).

# %%
patches = gpd.read_file(ERPING / "patches.shp")
landuse = gpd.read_file(ERPING / "dltb.shp")
graves = gpd.read_file(ERPING / "graves.shp")
roads = gpd.read_file(ERPING / "roads.shp")
print(f"{len(patches)} patches, {len(landuse)} land-use polygons, {len(graves)} grave points, "
      f"{len(roads)} road lines; CRS {patches.crs.to_epsg()}")

# %% [markdown]
# ## The overlay
# GeoDataFrames go in as Arrow; the DEM is a path. The options are those of the fixture's
# `tuban.toml`, so the numbers are those of `tuban run fixtures/erping/tuban.toml`.

# %%
df = tuban.overlay(
    patches,
    landuse=landuse,
    graves=graves,
    roads=roads,
    dem=ERPING / "dem.tif",
    rules=ERPING / "rules.toml",
    grave_count_field="SL",
    progress=False,
)
print(df.attrs["tuban"]["crs"], "-", df.attrs["tuban"]["area_method_note"])
df[["patch_id", "village", "area_mu", "obstacle_mu", "verdict", "reasons"]].head()

# %% [markdown]
# ## Totals per verdict and per village (mu)

# %%
by_verdict = df.groupby("verdict")[["area_mu", "obstacle_mu", "clean_mu"]].sum()
print(by_verdict.round(2))
by_village = df.pivot_table(index="village", columns="verdict", values="area_mu",
                            aggfunc="sum", fill_value=0)
print(by_village.round(2))

# %% [markdown]
# ## The map
# The result has one row per patch in the patches' order (`record` is the row number from 1),
# so it joins back to the GeoDataFrame by position.

# %%
mapped = patches.assign(verdict=df["verdict"].to_numpy(), obstacle_mu=df["obstacle_mu"].to_numpy())
colours = {"rectifiable": "#1a9641", "partly": "#fdae61", "not_rectifiable": "#d7191c"}
fig, ax = plt.subplots(figsize=(9, 9))
landuse[landuse["DLBM"].str.startswith("03")].plot(ax=ax, color="#e5f0e0", linewidth=0)
roads.plot(ax=ax, color="#888888", linewidth=0.6)
mapped.plot(ax=ax, color=mapped["verdict"].map(colours).fillna("#bbbbbb"),
            edgecolor="#333333", linewidth=0.3)
graves.plot(ax=ax, color="black", markersize=2)
ax.legend(handles=[Patch(color=c, label=v) for v, c in colours.items()]
          + [Patch(color="#e5f0e0", label="forest (DLBM 03xx)")], loc="lower right")
ax.set_title("Erping: rectification patches by verdict")
ax.set_axis_off()
fig.savefig(args.out, dpi=120, bbox_inches="tight")
print(f"wrote {args.out}")
