#!/usr/bin/env bash
# CI for the Python package (issue 15): lints the binding, installs the package from source into
# a fresh virtual environment exactly as a user would (`pip install ./python`: maturin builds the
# abi3 wheel in release once), and runs python/tests against the CLI built from this checkout,
# then the example headless. From the repository root:
#
#   bash python/ci.sh
#
# Needs Rust (cargo) and python3 with venv and pip; everything else comes from PyPI. The
# package's crate is not in the root workspace, so it is linted here.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo; echo "== python: $* ($(( $(date +%s) - started )) s)"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv="$work/venv"

step "a Java runtime for the Spark tests (apt: openjdk-17-jre-headless)"
if ! command -v java > /dev/null; then
  sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-17-jre-headless > /dev/null
fi
java -version 2>&1 | sed -n 1p

step "a fresh virtual environment with the test dependencies"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
# pyspark (>= 4: cogroup().applyInArrow) for tuban.spark; PySpark 4.3 does not fully support
# pandas 3, hence the pin.
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "geopandas>=0.14" pyogrio pyarrow "pandas<3" pytest tqdm matplotlib "pyspark>=4,<5" "shapely>=2"

step "rustfmt and clippy of the binding (python/ is its own workspace)"
cargo fmt --manifest-path python/Cargo.toml -- --check
PYO3_PYTHON="$venv/bin/python" cargo clippy --manifest-path python/Cargo.toml --all-targets -- -D warnings

step "the CLI the tests compare against"
cargo build --release --bin tuban

step "pip install ./python (maturin builds the release wheel)"
"$venv/bin/pip" install --disable-pip-version-check ./python
"$venv/bin/python" -c "import tuban; print('tuban', tuban.__version__, 'from', tuban.__file__)"

step "pytest python/tests (the Spark tests under local[2] included: TUBAN_REQUIRE_SPARK fails them rather than skip)"
# Run from outside the source tree, so that the installed package is the one imported. Spark's
# Python workers run this venv's python (the tests set PYSPARK_PYTHON to it).
( cd "$work" && TUBAN_REQUIRE_SPARK=1 "$venv/bin/python" -m pytest "$OLDPWD/python/tests" -q -p no:cacheprovider --durations=5 )

step "the example, headless"
MPLBACKEND=Agg "$venv/bin/python" python/examples/erping_overlay.py --out "$work/erping.png" > /dev/null
test -s "$work/erping.png"

step "done"
