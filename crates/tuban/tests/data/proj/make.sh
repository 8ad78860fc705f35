#!/usr/bin/env bash
# Layers in coordinate systems outside tuban's built-in set, converted by GDAL (independent of
# tuban and of its PROJ code path), for crates/tuban/tests/proj_feature.rs.
# Made once with GDAL 3.6.2 / PROJ 9.1.1 (Debian 12 gdal-bin):  bash crates/tuban/tests/data/proj/make.sh
# The subset is the box around 中山村's 35 patches (whole features whose envelope meets it), the
# same as tests/data/crs_variants/*_4544.shp.
set -euo pipefail
cd "$(dirname "$0")"
F=../../../../../fixtures/erping
BOX="599150 3302330 600400 3303590"
# A city "independent coordinate system": transverse Mercator on the CGCS2000/GRS 1980 ellipsoid
# with its own central meridian (105.5E, no Gauss-Kruger zone has it).
TM1055="+proj=tmerc +lat_0=0 +lon_0=105.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"
rm -f ./*_tm1055.* ./*_albers.*
for layer in patches dltb; do
  ogr2ogr -spat $BOX -t_srs "$TM1055" -lco ENCODING=GBK "${layer}_tm1055.shp" "$F/$layer.shp"
done
# The patches alone also in Asia North Albers Equal Area Conic (ESRI:102025, WGS 84), as national
# land-use studies use; the tests overlay them on dltb_tm1055 (two foreign CRSs in one run).
ogr2ogr -spat $BOX -t_srs ESRI:102025 -lco ENCODING=GBK patches_albers.shp "$F/patches.shp"
