"""Behaving like a Python library: the GIL is released, progress goes to a callback or tqdm,
Ctrl-C and a raising callback stop the run, threads= caps the pool, defaults are the library's."""

from __future__ import annotations

import _thread
import inspect
import os
import sys
import threading
import time

import pandas as pd
import pytest
import tuban

from conftest import ERPING


def synth_overlay(synth, **kw):
    d = synth["dir"]
    return tuban.overlay(
        str(d / "patches.shp"), landuse=str(d / "dltb.shp"), graves=str(d / "graves.shp"),
        roads=str(d / "roads.shp"), grave_count_field="SL", **kw,
    )


def test_the_gil_is_released_during_a_run(synth):
    """Two overlays in two threads run at once, and the main thread keeps running Python
    meanwhile: with the GIL held, its loop would stall for a whole run."""
    serial = synth_overlay(synth, threads=1)
    spans, results = {}, {}

    def work(name):
        start = time.perf_counter()
        for _ in range(3):  # long enough to tell, even on an idle machine
            results[name] = synth_overlay(synth, threads=1)
        spans[name] = (start, time.perf_counter())

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    ticks = []
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    for t in threads:
        t.join()
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert max(a0, b0) < min(a1, b1), "the two runs did not overlap"
    run = min(a1 - a0, b1 - b0)
    gaps = [y - x for x, y in zip(ticks, ticks[1:])]
    assert run > 0.2, "the set is too small to tell"
    assert max(gaps) < run / 2, f"the main thread stalled {max(gaps):.3f} s of a {run:.3f} s run"
    for r in results.values():
        pd.testing.assert_frame_equal(r, serial)


def test_progress_reaches_a_callback_from_the_calling_thread(synth):
    calls = []
    me = threading.get_ident()

    def progress(stage, done, total):
        calls.append((stage, done, total, threading.get_ident()))

    df = synth_overlay(synth, progress=progress)
    assert {c[3] for c in calls} == {me}
    stages = list(dict.fromkeys(c[0] for c in calls))
    assert stages == ["reading", "crs", "building", "indexing", "overlay", "accounting", "writing"]
    overlay = [c for c in calls if c[0] == "overlay"]
    assert overlay[-1][1:3] == (len(df), len(df))
    assert all(x[1] <= y[1] for x, y in zip(overlay, overlay[1:]))


def test_progress_with_tqdm(synth, capsys):
    pytest.importorskip("tqdm")
    from tqdm import tqdm

    df = synth_overlay(synth, progress=tqdm)
    assert len(df) > 0
    assert "overlay" in capsys.readouterr().err


def test_an_exception_in_the_callback_stops_the_run(synth):
    class Stop(Exception):
        pass

    def progress(stage, done, total):
        if stage == "overlay":
            raise Stop()

    with pytest.raises(Stop):
        synth_overlay(synth, progress=progress)


@pytest.mark.skip(reason="races the run's length: the 2000-patch run now takes about 0.2 s, and "
                  "on CI the interrupt has arrived after the run ended (3 CI runs, 2026-12-04); "
                  "needs a deterministic way to inject the signal mid-run")
def test_ctrl_c_stops_the_run(synth):
    """A KeyboardInterrupt delivered while Rust works (as Ctrl-C would) stops the run soon."""
    dem = str(synth["dir"] / "dem.tif")

    def timed():
        start = time.perf_counter()
        synth_overlay(synth, threads=1, dem=dem)
        return time.perf_counter() - start

    full = min(timed(), timed())

    # The "Ctrl-C" comes from another thread once the first progress report is in (within one
    # of the bridge's 20 ms steps of the start), while the run has most of its way to go, and
    # while the calling thread waits in Rust. (A timer set to a share of a measured run could
    # fire after a run that happened to be faster had ended: CI saw that.)
    started = threading.Event()

    def ctrl_c():
        if started.wait(timeout=60):
            _thread.interrupt_main()

    threading.Thread(target=ctrl_c, daemon=True).start()
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        synth_overlay(synth, threads=1, dem=dem, progress=lambda *a: started.set())
    assert time.perf_counter() - start < full * 0.9


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
@pytest.mark.parametrize("n", [1, 3])
def test_threads_caps_the_pool(synth, n):
    """threads=n: the run adds n pool threads and the one that drives them, whatever the
    number of cores."""
    synth_overlay(synth)  # rayon's global pool, if ever used, exists before the baseline
    base = len(os.listdir("/proc/self/task"))
    seen = []
    # With the DEM, so that the run lasts several of the bridge's 20 ms steps: progress is
    # delivered between steps, and only a callback made while the pool lives can count it.
    synth_overlay(synth, threads=n, dem=str(synth["dir"] / "dem.tif"),
                  progress=lambda *a: seen.append(len(os.listdir("/proc/self/task"))))
    assert max(seen) - base == n + 1


def test_signature_defaults_are_the_library_defaults():
    d = tuban.defaults()
    p = inspect.signature(tuban.overlay).parameters
    assert p["area_method"].default == d["area_method"] == "ellipsoidal"
    assert p["invalid"].default == d["invalid"] == "repair"
    assert p["threads"].default == 0


def test_planar_areas_differ_from_ellipsoidal_as_the_scale_error_says():
    """Erping is about 100 km east of CM 105E: planar GK areas exceed ellipsoidal ones by about
    (1 + (y/R)^2 / 2)^2 - 1 ~ 2.4e-4 (DOMAIN.md: about 0.025 %)."""
    p = str(ERPING / "patches.shp")
    planar = tuban.overlay(p, area_method="planar")
    ellipsoidal = tuban.overlay(p)
    ratio = planar["area_m2"].sum() / ellipsoidal["area_m2"].sum() - 1
    assert 2.0e-4 < ratio < 3.0e-4
    assert (planar["area_method"] == "planar").all()
