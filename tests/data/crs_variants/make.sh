#!/usr/bin/env bash
# The same layers in three coordinate systems, converted by GDAL (independent of tuban), for the
# test that tuban's per-patch areas do not depend on the input CRS.
# Made once with GDAL 3.6.2 (Debian 12 gdal-bin):  bash tests/data/crs_variants/make.sh
# The subset is the box around 中山村's 35 patches (whole features whose envelope meets it).
set -euo pipefail
cd "$(dirname "$0")"
F=../../../fixtures/erping
BOX="599150 3302330 600400 3303590"
rm -f ./*_45*.{shp,shx,dbf,prj,cpg}
for layer in patches dltb; do
  ogr2ogr -spat $BOX -lco ENCODING=GBK "${layer}_4544.shp" "$F/$layer.shp"
  ogr2ogr -spat $BOX -t_srs EPSG:4523 -lco ENCODING=GBK "${layer}_4523.shp" "$F/$layer.shp"
  ogr2ogr -spat $BOX -t_srs EPSG:4490 -lco ENCODING=GBK "${layer}_4490.shp" "$F/$layer.shp"
done
