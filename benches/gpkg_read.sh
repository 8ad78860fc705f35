#!/usr/bin/env bash
# How long reading the land-use layer takes from a shapefile, from a GeoPackage with its R-tree
# index, and from the same GeoPackage without one, when the patches cover a small part of it
# (the case the index is for: a township's patches against a county's DLTB).
#
#     bash benches/gpkg_read.sh [PATCHES] [KEPT] [REPEATS]     # default 20000 200 3
#
# `tuban synth --patches PATCHES` makes the world; its land-use layer is converted with
# ogr2ogr (GDAL), with and without -lco SPATIAL_INDEX=NO; the patch layer is cut to its first
# KEPT records (one corner of the world). Each run is `tuban run` without a DEM, the three
# sources interleaved REPEATS times; the script prints each wall time and checks that the three
# per-patch CSVs are byte-identical. Then crates/io/examples/gpkg_read_timing.rs times the
# land-use read alone (a box of 1% of the extent) from each source. Needs a release build and GDAL's ogr2ogr. Times on a shared
# machine are noisy: compare within one run of the script.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
kept=${2:-200}
repeats=${3:-3}
command -v ogr2ogr > /dev/null || { echo "needs ogr2ogr (apt-get install gdal-bin)" >&2; exit 1; }
cargo build --release --quiet
root=$(pwd)
tuban="$root/target/release/tuban"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tuban" synth --patches "$n" --out "$work/w" --no-dem > /dev/null
cd "$work/w"
ogr2ogr -f GPKG dltb_rtree.gpkg dltb.shp 2> /dev/null
ogr2ogr -f GPKG dltb_plain.gpkg dltb.shp -lco SPATIAL_INDEX=NO 2> /dev/null
ogr2ogr patches_few.shp patches.shp -where "FID < $kept" 2> /dev/null
echo "land use: $(ogrinfo -ro -so dltb.shp dltb | grep 'Feature Count'), patches kept: $kept of $n"
for src in dltb.shp dltb_rtree.gpkg dltb_plain.gpkg; do
  sed -e "s|^path = \"dltb.shp\"|path = \"$src\"|" -e "s|^path = \"patches.shp\"|path = \"patches_few.shp\"|" \
    tuban.toml > "run_${src%%.*}.toml"
done
for i in $(seq "$repeats"); do
  for src in dltb dltb_rtree dltb_plain; do
    start=$(date +%s.%N)
    "$tuban" run "run_$src.toml" --quiet --overwrite -o "out_$src.csv" > /dev/null 2>&1
    end=$(date +%s.%N)
    printf "%-12s run %d: %.2f s\n" "$src" "$i" "$(echo "$end - $start" | bc)"
  done
done
cmp out_dltb.csv out_dltb_rtree.csv && cmp out_dltb.csv out_dltb_plain.csv \
  && echo "the three CSVs are byte-identical ($(($(wc -l < out_dltb.csv) - 1)) patches)"
# The read alone, for a box of 1% of the layer's extent.
cd "$root"
cargo run --release --quiet -p tuban-io --example gpkg_read_timing -- "$work/w" 0.01
