#!/usr/bin/env bash
# Reading a land-use layer from a File Geodatabase against reading it from its shapefile, and a
# whole run from each, on synthetic data (issue 19). A benchmark, not a test: CI does not run it.
#
#   benches/filegdb_read.sh [N]          # N patches (default 10000: about 50k DLTB polygons)
#
# Needs cargo and GDAL (apt-get install gdal-bin: ogr2ogr writes the geodatabase, on GDAL's
# default grid, which is what a user's conversion gives). Builds tuban in release, generates the
# data with `tuban synth --no-dem` into $WORK/N (default WORK=/tmp/tuban-gdb-bench), converts its
# four layers into synth.gdb, and times, alternating the two sides, R times (default 5):
#   inspect   tuban inspect dltb.shp            vs  tuban inspect synth.gdb:DLTB
#   run       tuban run tuban.toml (shapefiles) vs  tuban run gdb.toml (the same from synth.gdb)
# printing each side's median wall time. The run's numbers differ in the last digits (GDAL's
# default grid moves coordinates by up to ~2e-7 m); the script reports the largest difference.
#
# Measured 2026-12 on the shared 2-core build machine (load 5, other engineers compiling; noisy),
# release build, 5 alternating repeats, medians:
#   N = 10000  (49,672 DLTB polygons): inspect 0.091 s shp / 0.128 s gdb; run 0.696 / 0.687 s;
#              largest difference 2.2e-5 m²
#   N = 100000 (about 500,000 polygons; 196 MB of .shp+.dbf, 124 MB .gdb): inspect 1.22 / 1.58 s;
#              run 6.07 / 6.88 s; largest difference 1.7e-4 m²
set -euo pipefail
N=${1:-10000}
R=${R:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=${WORK:-/tmp/tuban-gdb-bench}
DIR=$WORK/$N
command -v ogr2ogr > /dev/null || { echo "needs ogr2ogr (apt-get install gdal-bin)"; exit 1; }
(cd "$ROOT" && cargo build --release -q)
TUBAN=$ROOT/target/release/tuban
if [ ! -f "$DIR/dltb.shp" ]; then
  "$TUBAN" synth --patches "$N" --out "$DIR" --no-dem --overwrite > /dev/null
fi
if [ ! -d "$DIR/synth.gdb" ]; then
  first=1
  for l in dltb patches graves roads; do
    name=$l; [ "$l" = dltb ] && name=DLTB
    if [ $first = 1 ]; then upd=(); first=0; else upd=(-update); fi
    ogr2ogr -f OpenFileGDB "${upd[@]}" "$DIR/synth.gdb" "$DIR/$l.shp" -nln "$name"
  done
  sed -e 's|path = "dltb.shp"|path = "synth.gdb"\nlayer = "DLTB"|' \
      -e 's|path = "\(patches\|graves\|roads\).shp"|path = "synth.gdb"\nlayer = "\1"|' \
      -e 's|out/synth|out/gdb|g' "$DIR/tuban.toml" > "$DIR/gdb.toml"
fi
echo "data: $DIR ($(du -sh "$DIR/dltb.shp" "$DIR/dltb.dbf" | awk '{print $1}' | paste -sd+) shapefile, $(du -sh "$DIR/synth.gdb" | cut -f1) geodatabase; machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bench() {
  local label=$1; shift
  local a=() b=()
  for _ in $(seq "$R"); do
    a+=("$(secs "$TUBAN" "$@" "$SHP_ARG")")
    b+=("$(secs "$TUBAN" "$@" "$GDB_ARG")")
  done
  printf '%-8s shapefile %6.3f s   geodatabase %6.3f s   (median of %d)\n' "$label" \
    "$(printf '%s\n' "${a[@]}" | median)" "$(printf '%s\n' "${b[@]}" | median)" "$R"
}
SHP_ARG=$DIR/dltb.shp GDB_ARG=$DIR/synth.gdb:DLTB bench inspect inspect
SHP_ARG=$DIR/tuban.toml GDB_ARG=$DIR/gdb.toml bench run run --quiet
python3 - "$DIR/out/synth.csv" "$DIR/out/gdb.csv" <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p, encoding="utf-8-sig"))) for p in sys.argv[1:])
cols = ["area_m2", "forest_m2", "road_m2", "grave_m2", "obstacle_m2"]
d = max(abs(float(x[c] or 0) - float(y[c] or 0)) for x, y in zip(a, b) for c in cols)
print(f"rows {len(a)} and {len(b)}; largest difference of the run's m² columns: {d:.3g} m²")
PY
