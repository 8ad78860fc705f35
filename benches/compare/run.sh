#!/usr/bin/env bash
# tuban against GeoPandas and PostGIS on the same synthetic data and the same question: per patch,
# the planar area of forest, roads and graves inside it and of their union (see README.md).
#
#   benches/compare/run.sh [N ...]        # default: 10000 100000
#
# Sets up its peers itself: a Python virtual environment with GeoPandas (requirements.txt) and,
# from apt, PostgreSQL with PostGIS, run as a throw-away cluster on 127.0.0.1 in $WORK/pgdata.
# Generates the data with `tuban synth` (or the tuban-synth example), runs the three pipelines,
# checks that they agree patch by patch, and prints a table of wall time and peak memory.
# Environment: WORK (default /tmp/tuban-compare), PGPORT (55432), THREADS (tuban's --threads,
# default all cores), SKIP (space-separated: geopandas postgis). Generated data is kept in
# $WORK/data/N and reused by later runs.
# Not part of CI.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-/tmp/tuban-compare}
PGPORT=${PGPORT:-55432}
SKIP=${SKIP:-}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
say() { echo "== $*" >&2; }
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

# ---- peers ------------------------------------------------------------------------------------
VENV=$WORK/venv
if ! skipped geopandas && ! "$VENV/bin/python" -c 'import geopandas, pyogrio' 2>/dev/null; then
    say "creating the Python environment in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi
AGREE_PY=python3
"$VENV/bin/python" -c 'import pandas' 2>/dev/null && AGREE_PY=$VENV/bin/python

PGBIN=
PGDATA=$WORK/pgdata
PGSOCK=$WORK/pgsock
RUNAS=()
pg_stop() {
    if [ -n "$PGBIN" ] && [ -f "$PGDATA/postmaster.pid" ]; then
        "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
if ! skipped postgis; then
    if ! command -v shp2pgsql >/dev/null || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
        say "installing PostgreSQL and PostGIS from apt"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql postgis >/dev/null
    fi
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    [ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)
    mkdir -p "$PGSOCK"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "initdb $PGDATA"
        mkdir -p "$PGDATA"
        [ "$(id -u)" = 0 ] && chown postgres "$PGDATA" "$PGSOCK"
        "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    touch "$WORK/postgres.log"
    [ "$(id -u)" = 0 ] && chown postgres "$PGSOCK" "$WORK/postgres.log"
    pg_stop
    # A benchmark cluster: durability off (it is thrown away), memory as a tuned analyst box.
    "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -o \
        "-p $PGPORT -c listen_addresses=127.0.0.1 -k $PGSOCK -c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=8GB" \
        start >/dev/null
    trap pg_stop EXIT
fi
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q)

# ---- tuban ------------------------------------------------------------------------------------
say "building tuban (release)"
(cd "$ROOT" && cargo build --release -q --bin tuban && cargo build --release -q -p tuban-synth --example synth)
TUBAN=$ROOT/target/release/tuban
SYNTH=("$TUBAN" synth)
"$TUBAN" synth --help >/dev/null 2>&1 || SYNTH=("$ROOT/target/release/examples/synth")

# /usr/bin/time -v: wall seconds and peak RSS in MB of a command.
measure() { # OUTFILE CMD...
    local out=$1; shift
    /usr/bin/time -v -o "$out" "$@"
}
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

# Peak of the summed proportional set size (PSS) of the cluster's processes, sampled every 0.2 s.
pss_sampler() { # FLAGFILE OUTFILE
    local max=0 s pm
    pm=$(head -1 "$PGDATA/postmaster.pid")
    while [ -e "$1" ]; do
        s=$(for p in $pm $(pgrep -P "$pm"); do awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }')
        [ "$s" -gt "$max" ] && max=$s && echo $((max / 1024)) > "$2"
        sleep 0.2
    done
}

TABLE=$WORK/table.md
{
    echo "| patches | DLTB polygons | tool | wall s | peak MB | time ÷ tuban | memory ÷ tuban | agrees with tuban |"
    echo "|---:|---:|---|---:|---:|---:|---:|---|"
} > "$TABLE"

for N in "${SIZES[@]}"; do
    DATA=$WORK/data/$N
    OUT=$WORK/out/$N
    mkdir -p "$OUT"
    if [ ! -f "$DATA/dltb.dbf" ] || [ ! -f "$DATA/.complete" ]; then
        say "generating $N patches in $DATA"
        rm -rf "$DATA"
        measure "$OUT/synth.time" "${SYNTH[@]}" --patches "$N" --out "$DATA" --no-dem >&2
        touch "$DATA/.complete"
        say "generated in $(wall "$OUT/synth.time") s, peak $(rss "$OUT/synth.time") MB"
    fi
    NDLTB=$(( ($(stat -c %s "$DATA/dltb.shx") - 100) / 8 ))
    cat > "$DATA/compare.toml" <<TOML
# The comparison's question: planar areas, no DEM, built-in rules, one CSV.
area_method = "planar"
outputs = ["$OUT/tuban.csv"]
overwrite = true
threads = ${THREADS:-0}
[patches]
path = "patches.shp"
id_field = "TBBH"
[landuse]
path = "dltb.shp"
[graves]
path = "graves.shp"
radius_m = 2.0
[roads]
path = "roads.shp"
width_field = "KD"
min_width_m = 1.0
TOML
    LOAD=$(cat /proc/loadavg | cut -d' ' -f1-3)
    say "$N patches: tuban (load average $LOAD)"
    sync
    measure "$OUT/tuban.time" "$TUBAN" run "$DATA/compare.toml" --quiet
    T_WALL=$(wall "$OUT/tuban.time"); T_RSS=$(rss "$OUT/tuban.time")
    say "tuban: $T_WALL s, $T_RSS MB"
    printf '| %s | %s | tuban | %s | %s | 1 | 1 | |\n' "$N" "$NDLTB" "$T_WALL" "$T_RSS" >> "$TABLE"
    AGREE_ARGS=("tuban=$OUT/tuban.csv")

    if ! skipped geopandas; then
        say "$N patches: GeoPandas"
        measure "$OUT/geopandas.time" "$VENV/bin/python" "$HERE/geopandas_pipeline.py" "$DATA" "$OUT/geopandas.csv"
        G_WALL=$(wall "$OUT/geopandas.time"); G_RSS=$(rss "$OUT/geopandas.time")
        say "geopandas: $G_WALL s, $G_RSS MB"
        AGREE_ARGS+=("geopandas=$OUT/geopandas.csv")
    fi
    if ! skipped postgis; then
        say "$N patches: PostGIS (load with shp2pgsql, then the query)"
        DB=bench_$N
        "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
        "${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION postgis" 
        FLAG=$OUT/.sampling; touch "$FLAG"; echo 0 > "$OUT/postgis.pss"
        pss_sampler "$FLAG" "$OUT/postgis.pss" &
        SAMPLER=$!
        start=$(date +%s.%N)
        for layer in patches dltb graves roads; do
            shp2pgsql -s 4544 -W GBK -D -I -g geom "$DATA/$layer.shp" "$layer" 2>/dev/null \
                | "${PSQL[@]}" -d "$DB" >/dev/null
        done
        "${PSQL[@]}" -d "$DB" -c "ANALYZE" 
        loaded=$(date +%s.%N)
        "${PSQL[@]}" -d "$DB" -v out="$OUT/postgis.csv" -f "$HERE/postgis_pipeline.sql" > "$OUT/postgis.log"
        done_at=$(date +%s.%N)
        rm -f "$FLAG"; wait "$SAMPLER" || true
        P_LOAD=$(echo "$loaded - $start" | bc -l | xargs printf '%.2f')
        P_QUERY=$(echo "$done_at - $loaded" | bc -l | xargs printf '%.2f')
        P_WALL=$(echo "$done_at - $start" | bc -l | xargs printf '%.2f')
        P_RSS=$(cat "$OUT/postgis.pss")
        say "postgis: $P_WALL s (load $P_LOAD s, query $P_QUERY s), $P_RSS MB (server PSS)"
        "${PSQL[@]}" -d postgres -c "DROP DATABASE $DB"
        AGREE_ARGS+=("postgis=$OUT/postgis.csv")
    fi

    say "$N patches: agreement (1e-6 m² or 1e-9 relative)"
    "$AGREE_PY" "$HERE/agree.py" "${AGREE_ARGS[@]}" | tee "$OUT/agree.txt" >&2 || true
    verdict() { # NAME
        awk -v n="tuban vs $1:" 'index($0, n) == 1 { print ($(NF-3) == 0 ? "yes" : $(NF-3) " values off") }' "$OUT/agree.txt"
    }
    ratio() { echo "$1 / $2" | bc -l | xargs printf '%.1f'; }
    if ! skipped geopandas; then
        printf '| %s | %s | GeoPandas | %s | %s | %s | %s | %s |\n' "$N" "$NDLTB" "$G_WALL" "$G_RSS" \
            "$(ratio "$G_WALL" "$T_WALL")" "$(ratio "$G_RSS" "$T_RSS")" "$(verdict geopandas)" >> "$TABLE"
    fi
    if ! skipped postgis; then
        printf '| %s | %s | PostGIS (load %s s + query %s s) | %s | %s | %s | %s | %s |\n' "$N" "$NDLTB" "$P_LOAD" "$P_QUERY" \
            "$P_WALL" "$P_RSS" "$(ratio "$P_WALL" "$T_WALL")" "$(ratio "$P_RSS" "$T_RSS")" "$(verdict postgis)" >> "$TABLE"
    fi
done

{
    echo
    echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "tuban $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $("$VENV/bin/python" -c 'import geopandas, shapely, pyogrio; print(f"GeoPandas {geopandas.__version__}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), pyogrio {pyogrio.__version__}")' 2>/dev/null || echo 'GeoPandas skipped')"
    if [ -n "$PGBIN" ]; then
        echo "$("$PGBIN/postgres" --version), PostGIS $("${PSQL[@]}" -d postgres -tAc "CREATE EXTENSION IF NOT EXISTS postgis; SELECT postgis_lib_version() || ' (GEOS ' || postgis_geos_version() || ')'" | tail -1)"
    fi
} >> "$TABLE"
echo
cat "$TABLE"
