-- The obstacle question in PostGIS (GiST, ST_Intersection, ST_Union, ST_Area), on tables loaded
-- by shp2pgsql (patches, dltb, graves, roads; geometry column geom, SRID 4544).
-- psql -v out=FILE.csv -f postgis_pipeline.sql   (extra_float_digits = 3 by default: doubles round-trip)
\set ON_ERROR_STOP on
\timing on

CREATE TEMP TABLE obst AS
    SELECT 'forest'::text AS cls, geom FROM dltb
        WHERE trim(dlbm) LIKE '03%' AND trim(dlbm) NOT LIKE '%K'
    UNION ALL
    SELECT 'road', geom FROM dltb WHERE trim(dlbm) IN ('1003', '1004', '1006')
    UNION ALL
    SELECT 'road', ST_Buffer(geom, kd / 2.0, 'endcap=flat join=round quad_segs=8') FROM roads
        WHERE kd >= 1.0
    UNION ALL
    SELECT 'grave', ST_Buffer(geom, 2.0, 'quad_segs=8') FROM graves;
CREATE INDEX obst_geom ON obst USING gist (geom);
ANALYZE obst;

CREATE TEMP TABLE pieces AS
    SELECT p.gid, o.cls, ST_Intersection(p.geom, o.geom) AS g
    FROM patches p JOIN obst o ON ST_Intersects(p.geom, o.geom);

CREATE TEMP TABLE per_class AS
    SELECT gid, cls, ST_Area(ST_Union(g)) AS a FROM pieces GROUP BY gid, cls;
CREATE TEMP TABLE per_patch AS
    SELECT gid, ST_Area(ST_Union(g)) AS a FROM pieces GROUP BY gid;

\timing off
\o :out
COPY (
    SELECT trim(p.tbbh) AS patch_id, ST_Area(p.geom) AS area_m2, coalesce(g.a, 0) AS grave_m2,
           coalesce(f.a, 0) AS forest_m2, coalesce(r.a, 0) AS road_m2, coalesce(u.a, 0) AS obstacle_m2
    FROM patches p
    LEFT JOIN per_class g ON g.gid = p.gid AND g.cls = 'grave'
    LEFT JOIN per_class f ON f.gid = p.gid AND f.cls = 'forest'
    LEFT JOIN per_class r ON r.gid = p.gid AND r.cls = 'road'
    LEFT JOIN per_patch u ON u.gid = p.gid
    ORDER BY p.gid
) TO STDOUT WITH (FORMAT csv, HEADER);
\o
