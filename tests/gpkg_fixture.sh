#!/usr/bin/env bash
# GeoPackage inputs give exactly the shapefile run's numbers (issue 11, part 3).
#
# The Erping fixture's four shapefiles are converted with GDAL (`ogr2ogr -f GPKG`), once into
# one .gpkg holding four tables (the project file names each with layer = "...") and once into
# four .gpkg files of one table each (no layer name needed). `tuban run` on each, and on the
# shapefiles, must write byte-identical per-patch and per-village CSVs. Then tuban's own .gpkg
# output is read back: its `patches` table as the patch layer of a fourth run, whose CSVs must
# be byte-identical too.
#
# Needs GDAL's ogr2ogr (Debian: gdal-bin) and a release build; .ci/run runs it after installing
# GDAL:
#     bash tests/gpkg_fixture.sh
# Fails (exit 1) when ogr2ogr is missing: it never passes without having compared anything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fx="$root/fixtures/erping"
command -v ogr2ogr > /dev/null || { echo "gpkg_fixture: ogr2ogr (GDAL) is missing: apt-get install gdal-bin" >&2; exit 1; }
cargo build --release --quiet
tuban="$root/target/release/tuban"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

for l in patches dltb graves roads; do
  # -update after the first table adds the next to the same file.
  ogr2ogr -f GPKG erping.gpkg "$fx/$l.shp" -nln "$l" $([ -f erping.gpkg ] && echo -update) 2> /dev/null
  ogr2ogr -f GPKG "$l.gpkg" "$fx/$l.shp" 2> /dev/null
done
echo "converted with $(ogr2ogr --version)"

# project NAME PATCHES LANDUSE GRAVES ROADS [ID_FIELD VILLAGE_FIELD]: a project like
# fixtures/erping/tuban.toml; each layer argument is `file` or `file|table`.
project() {
  local name=$1
  spec() {
    local file=${1%%|*} table=""
    [[ $1 == *"|"* ]] && table=${1#*|}
    echo "path = \"$file\""
    [ -n "$table" ] && echo "layer = \"$table\""
    return 0
  }
  cat > "$name.toml" <<EOF
area_method = "ellipsoidal"
outputs = ["$name.csv", "$name.gpkg"]
villages = "${name}_villages.csv"
overwrite = true
rules = "$fx/rules.toml"

[patches]
$(spec "$2")
id_field = "${6:-TBBH}"
village_field = "${7:-QSDWMC}"

[landuse]
$(spec "$3")

[graves]
$(spec "$4")
radius_m = 2.0
count_field = "SL"

[roads]
$(spec "$5")
width_field = "KD"
min_width_m = 1.0

[dem]
path = "$fx/dem.tif"
threshold_deg = 25.0
EOF
  "$tuban" run "$name.toml" --quiet > /dev/null
}

project shp "$fx/patches.shp" "$fx/dltb.shp" "$fx/graves.shp" "$fx/roads.shp"
project one "erping.gpkg|patches" "erping.gpkg|dltb" "erping.gpkg|graves" "erping.gpkg|roads"
project four patches.gpkg dltb.gpkg graves.gpkg roads.gpkg

status=0
for run in one four; do
  for f in "" _villages; do
    if cmp -s "shp$f.csv" "$run$f.csv"; then
      echo "gpkg_fixture: $run$f.csv is byte-identical to shp$f.csv ($(($(wc -l < "shp$f.csv") - 1)) rows)"
    else
      echo "gpkg_fixture: $run$f.csv differs from shp$f.csv:" >&2
      diff "shp$f.csv" "$run$f.csv" | head -20 >&2
      status=1
    fi
  done
done

# tuban's own GeoPackage output read back: its `patches` table (id column patch_id, village
# column village) as the patch layer of another run must give every patch the same numbers.
project own "shp.gpkg|patches" "$fx/dltb.shp" "$fx/graves.shp" "$fx/roads.shp" patch_id village
if cmp -s shp.csv own.csv && cmp -s shp_villages.csv own_villages.csv; then
  echo "gpkg_fixture: own.csv (patches read back from tuban's .gpkg output) is byte-identical to shp.csv"
else
  echo "gpkg_fixture: own.csv (patches read back from tuban's .gpkg output) differs from shp.csv:" >&2
  diff shp.csv own.csv | head -20 >&2
  status=1
fi
[ $status -eq 0 ] && echo "gpkg_fixture: 3 passed, 0 failed"
exit $status
