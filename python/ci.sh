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

step "a fresh virtual environment with the test dependencies"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "geopandas>=0.14" pyogrio pyarrow pandas pytest tqdm matplotlib

step "rustfmt and clippy of the binding (python/ is its own workspace)"
cargo fmt --manifest-path python/Cargo.toml -- --check
PYO3_PYTHON="$venv/bin/python" cargo clippy --manifest-path python/Cargo.toml --all-targets -- -D warnings

step "the CLI the tests compare against"
cargo build --release --bin tuban

step "pip install ./python (maturin builds the release wheel)"
"$venv/bin/pip" install --disable-pip-version-check ./python
"$venv/bin/python" -c "import tuban; print('tuban', tuban.__version__, 'from', tuban.__file__)"

step "pytest python/tests"
# Run from outside the source tree, so that the installed package is the one imported.
( cd "$work" && "$venv/bin/python" -m pytest "$OLDPWD/python/tests" -q -p no:cacheprovider )

step "the example, headless"
MPLBACKEND=Agg "$venv/bin/python" python/examples/erping_overlay.py --out "$work/erping.png" > /dev/null
test -s "$work/erping.png"

step "done"
