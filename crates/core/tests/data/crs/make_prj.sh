#!/bin/sh
# Regenerates the .prj fixtures in this directory from GDAL's EPSG database.
# Made with GDAL 3.6.2 / PROJ 9.1.1 (Debian 12: `apt-get install -y gdal-bin proj-bin`).
#   *.esri.prj : ESRI-flavoured WKT1, what ArcGIS writes next to a shapefile
#   *.wkt1.prj : OGC WKT1 as GDAL writes it (with AUTHORITY nodes)
#   *.wkt2.prj : WKT2:2019
set -eu
cd "$(dirname "$0")"
for code in 4490 4326 4491 4502 4513 4523 4534 4544 4545 4554 32648 32748 3857 \
            2380 2359 4610 2432 2411 21458 4214 4792 2154 3395; do
  gdalsrsinfo -o wkt_esri --single-line "EPSG:$code" | sed '/^$/d' > "EPSG_$code.esri.prj"
  gdalsrsinfo -o wkt1 "EPSG:$code" | sed '/^$/d' > "EPSG_$code.wkt1.prj"
  gdalsrsinfo -o wkt2 "EPSG:$code" | sed '/^$/d' > "EPSG_$code.wkt2.prj"
done
# The same ESRI WKT behind a UTF-8 byte-order mark, as some Chinese tools write it.
printf '\357\273\277' > EPSG_4544.esri.bom.prj
cat EPSG_4544.esri.prj >> EPSG_4544.esri.bom.prj
