//! Steep-slope obstacles: which cells, their exact squares, blocks and reads, and the overlay.
//! (The comparison with exactextract on the Erping fixture is in crates/io/tests/geotiff_steep.rs.)

use std::collections::BTreeSet;
use std::sync::Mutex;

use geo::{coord, polygon, Area, BoundingRect, MultiPolygon, Rect};
use tuban_core::overlay::{overlay, ObstacleIndex, OverlayOptions, Patch};
use tuban_core::raster::{CrsKind, DemSource, GeoTransform, Grid, GridSpec, Window};
use tuban_core::slope::horn;
use tuban_core::steep::{steep_obstacles, SteepError, SteepOptions, SteepResult};

/// Pseudo-random hills on 5 m cells: slopes from flat to ~60°, some nodata.
fn hills(cols: usize, rows: usize) -> Grid {
    let mut s: u64 = 12345;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut data = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let (x, y) = (c as f64 * 5.0, r as f64 * 5.0);
            let z = 200.0 + 40.0 * (x / 60.0).sin() * (y / 45.0).cos() + 3.0 * next();
            data.push(if next() < 0.01 { -9999.0 } else { z });
        }
    }
    Grid::new(
        GeoTransform::new(600000.0, 3304000.0, 5.0, 5.0),
        cols,
        rows,
        CrsKind::Projected,
        Some(-9999.0),
        data,
    )
    .unwrap()
}

/// The cells `(col, row)` covered by the obstacles, each cell once; panics if obstacles overlap or
/// are not whole cells of `spec`.
fn cells_of(spec: &GridSpec, r: &SteepResult) -> BTreeSet<(usize, usize)> {
    let t = spec.transform;
    let mut cells = BTreeSet::new();
    for o in &r.obstacles {
        let b = o.geometry.bounding_rect().unwrap();
        assert_eq!(
            o.geometry.unsigned_area(),
            b.width() * b.height(),
            "not a rectangle"
        );
        assert_eq!(b.height(), t.cell_height);
        let c0 = ((b.min().x - t.x0) / t.cell_width).round() as usize;
        let c1 = ((b.max().x - t.x0) / t.cell_width).round() as usize;
        let row = ((t.y0 - b.max().y) / t.cell_height).round() as usize;
        assert_eq!(spec.cell_bounds(c0, row).min(), b.min());
        assert_eq!(spec.cell_bounds(c1 - 1, row).max(), b.max());
        for c in c0..c1 {
            assert!(cells.insert((c, row)), "cell ({c},{row}) twice");
        }
        let src = o.source.as_ref().unwrap();
        assert_eq!(src.layer, "dem");
        assert_eq!(src.record, row * spec.cols + c0 + 1);
    }
    cells
}

/// Brute force: every cell meeting some envelope with whole-DEM slope > threshold.
fn brute(dem: &Grid, envelopes: &[Rect<f64>], threshold: f64) -> BTreeSet<(usize, usize)> {
    let s = horn(dem);
    let spec = dem.spec();
    let mut cells = BTreeSet::new();
    for e in envelopes {
        if let Some(w) = spec.window_meeting(e) {
            for r in w.row0..w.row_end() {
                for c in w.col0..w.col_end() {
                    if s.value(c, r).is_some_and(|v| v > threshold) {
                        cells.insert((c, r));
                    }
                }
            }
        }
    }
    cells
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
    Rect::new(coord! { x: x0, y: y0 }, coord! { x: x1, y: y1 })
}

fn envelopes() -> Vec<Rect<f64>> {
    vec![
        rect(600003.0, 3303700.0, 600090.0, 3303790.5),
        rect(600080.0, 3303750.0, 600150.0, 3303800.0), // overlaps the first
        rect(600400.0, 3303500.0, 600412.0, 3303512.0),
        rect(599990.0, 3303990.0, 600020.0, 3304010.0), // over the DEM's corner
        rect(600600.0, 3303400.0, 600640.0, 3303460.0), // the far corner (bottom right)
        rect(700000.0, 3303400.0, 700010.0, 3303410.0), // outside
    ]
}

#[test]
fn steep_cells_match_brute_force_whatever_the_block_size() {
    let dem = hills(128, 120);
    let env = envelopes();
    let want = brute(&dem, &env, 25.0);
    assert!(want.len() > 50, "{}", want.len());
    let mut first: Option<Vec<_>> = None;
    for block_cells in [1, 64, 1000, 1 << 21] {
        let opts = SteepOptions {
            block_cells,
            ..SteepOptions::default()
        };
        let r = steep_obstacles(&dem, &env, 7, &opts).unwrap();
        let got = cells_of(&dem.spec(), &r);
        assert_eq!(got, want, "block_cells {block_cells}");
        assert!(r.obstacles.iter().all(|o| o.class == 7));
        assert_eq!(r.stats.steep_cells, want.len());
        assert_eq!(r.stats.obstacles, r.obstacles.len());
        assert!(r.obstacles.len() < want.len(), "runs are merged");
        assert_eq!(r.stats.envelopes, 6);
        assert_eq!(r.stats.envelopes_outside, 1);
        assert_eq!(r.stats.envelopes_partly_outside, 1);
        // Cells computed: the union of the envelopes' windows.
        let mut union = BTreeSet::new();
        for e in &env {
            if let Some(w) = dem.spec().window_meeting(e) {
                for r in w.row0..w.row_end() {
                    for c in w.col0..w.col_end() {
                        union.insert((c, r));
                    }
                }
            }
        }
        assert_eq!(r.stats.cells_computed, union.len());
        if block_cells == 1 << 21 {
            assert_eq!(r.stats.blocks, 1);
        }
        // With one big block the output is the same set, in the same order, each time.
        if block_cells == 1 << 21 {
            let again = steep_obstacles(&dem, &env, 7, &opts).unwrap();
            assert_eq!(again.obstacles, r.obstacles);
            first = Some(r.obstacles);
        }
    }
    assert!(first.is_some());
}

#[test]
fn threshold_is_strict_and_nodata_is_never_steep() {
    // A 45° plane: cells at exactly 45° (to round-off) are steep at 44.9, not at 45.000001.
    let g = Grid::new(
        GeoTransform::new(0.0, 50.0, 10.0, 10.0),
        5,
        5,
        CrsKind::Projected,
        Some(-9999.0),
        (0..25).map(|i| 10.0 * (i % 5) as f64).collect(),
    )
    .unwrap();
    let env = [rect(10.5, 10.5, 39.5, 39.5)]; // the 3 × 3 interior
    let at = |t: f64| {
        let o = SteepOptions {
            threshold_deg: t,
            ..SteepOptions::default()
        };
        steep_obstacles(&g, &env, 0, &o).unwrap().stats.steep_cells
    };
    assert_eq!(at(44.9), 9);
    assert_eq!(at(45.000001), 0);
    let mut g2 = g.clone();
    g2.data[12] = -9999.0; // the centre
    let r = steep_obstacles(&g2, &env, 0, &SteepOptions::default()).unwrap();
    assert_eq!(r.stats.nodata_cells, 1);
    assert_eq!(r.stats.steep_cells, 8);
    assert!(!cells_of(&g2.spec(), &r).contains(&(2, 2)));
    for bad in [f64::NAN, -1.0, 90.0] {
        let o = SteepOptions {
            threshold_deg: bad,
            ..SteepOptions::default()
        };
        assert!(matches!(
            steep_obstacles(&g, &env, 0, &o),
            Err(SteepError::Threshold(_))
        ));
    }
}

/// A DEM that records the windows read from it.
struct Recording {
    grid: Grid,
    reads: Mutex<Vec<Window>>,
    chunk: (usize, usize),
}

impl DemSource for Recording {
    fn grid_spec(&self) -> GridSpec {
        self.grid.spec()
    }
    fn read_window(&self, window: Window) -> Result<Grid, String> {
        self.reads.lock().unwrap().push(window);
        self.grid.read_window(window)
    }
    fn chunk_shape(&self) -> (usize, usize) {
        self.chunk
    }
}

#[test]
fn only_the_envelopes_windows_and_a_margin_are_read() {
    let dem = Recording {
        grid: hills(1000, 900),
        reads: Mutex::new(Vec::new()),
        chunk: (64, 64),
    };
    // Two small patches far apart, and a third next to the first.
    let env = [
        rect(600101.0, 3303001.0, 600119.0, 3303019.0),
        rect(600121.0, 3303001.0, 600139.0, 3303019.0),
        rect(604001.0, 3300001.0, 604009.0, 3300009.0),
    ];
    // Blocks of 128 × 128 cells (2 × 2 chunks).
    let opts = SteepOptions {
        block_cells: 128 * 128,
        ..SteepOptions::default()
    };
    let r = steep_obstacles(&dem, &env, 0, &opts).unwrap();
    let reads = dem.reads.into_inner().unwrap();
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert_eq!(r.stats.blocks, 2);
    // The first two envelopes: cells 20..28 × 196..200, plus the margin.
    assert!(reads.contains(&Window::new(19, 195, 10, 6)), "{reads:?}");
    assert!(reads.contains(&Window::new(799, 797, 4, 4)), "{reads:?}");
    assert_eq!(r.stats.cells_read, 10 * 6 + 4 * 4);
    assert_eq!(r.stats.cells_computed, 8 * 4 + 2 * 2);
    let want = brute(&dem.grid, &env, 25.0);
    assert_eq!(cells_of(&dem.grid.spec(), &r), want);
}

#[test]
fn the_overlay_weights_each_steep_cell_by_the_fraction_inside_the_patch() {
    // A 45° plane: every cell is steep, so the steep area of a patch is its area inside the DEM.
    let (cols, rows) = (20, 20);
    let g = Grid::new(
        GeoTransform::new(600000.0, 3304100.0, 5.0, 5.0),
        cols,
        rows,
        CrsKind::Projected,
        None,
        (0..cols * rows).map(|i| 5.0 * (i % cols) as f64).collect(),
    )
    .unwrap();
    // A triangle cutting cells at odd angles, and a square half outside the DEM (to the left).
    let tri = Patch::new(
        "tri",
        "v",
        MultiPolygon(vec![polygon![
            (x: 600012.3, y: 3304011.1), (x: 600071.7, y: 3304023.9), (x: 600033.3, y: 3304088.8)
        ]]),
    );
    let half = Patch::new(
        "half",
        "v",
        MultiPolygon(vec![polygon![
            (x: 599990.0, y: 3304040.0), (x: 600010.0, y: 3304040.0),
            (x: 600010.0, y: 3304060.0), (x: 599990.0, y: 3304060.0)
        ]]),
    );
    let patches = vec![tri, half];
    let env: Vec<Rect<f64>> = patches
        .iter()
        .map(|p| p.geometry.bounding_rect().unwrap())
        .collect();
    let steep = steep_obstacles(&g, &env, 0, &SteepOptions::default()).unwrap();
    assert_eq!(steep.stats.envelopes_partly_outside, 1);
    let index = ObstacleIndex::new(steep.obstacles);
    let res = overlay(&patches, &index, 1, &OverlayOptions::default());
    let tri_area = patches[0].geometry.unsigned_area();
    assert!((res[0].class_m2[0] - tri_area).abs() < 1e-6, "{res:?}");
    assert!((res[1].class_m2[0] - 200.0).abs() < 1e-6, "{res:?}");
    assert!((res[1].area_m2 - 400.0).abs() < 1e-9);
}

#[test]
fn an_empty_dem_or_no_envelopes_give_nothing() {
    let g = hills(10, 10);
    let r = steep_obstacles(&g, &[], 0, &SteepOptions::default()).unwrap();
    assert!(r.obstacles.is_empty());
    assert_eq!(r.stats.blocks, 0);
    let empty = Grid::new(
        GeoTransform::new(0.0, 0.0, 1.0, 1.0),
        0,
        0,
        CrsKind::Projected,
        None,
        vec![],
    )
    .unwrap();
    let r = steep_obstacles(
        &empty,
        &[rect(0.0, -1.0, 1.0, 0.0)],
        0,
        &SteepOptions::default(),
    )
    .unwrap();
    assert_eq!(r.stats.envelopes_outside, 1);
}

#[test]
fn two_planes_steep_area_to_a_micro_square_metre() {
    // Flat west of the column 10 (z = 0), a 45° plane east of it (z = 5 (c − 10) on 5 m cells).
    // Horn's slope at a cell depends on its neighbours' columns: c ≤ 9 flat, c = 10 at
    // atan(0.5) = 26.6°, c ≥ 11 at 45°. With a 30° threshold the steep cells are the columns
    // 11..=28 (the last column, 29, is left out of the patch), i.e. x ≥ 600055.
    let (cols, rows) = (30, 20);
    let g = Grid::new(
        GeoTransform::new(600000.0, 3304100.0, 5.0, 5.0),
        cols,
        rows,
        CrsKind::Projected,
        None,
        (0..cols * rows)
            .map(|i| (5.0 * ((i % cols) as f64 - 10.0)).max(0.0))
            .collect(),
    )
    .unwrap();
    // A quadrilateral at odd angles across the seam; every coordinate exact in binary.
    let patch = Patch::new(
        "q",
        "v",
        MultiPolygon(vec![polygon![
            (x: 600020.5, y: 3304012.25), (x: 600131.75, y: 3304020.5),
            (x: 600120.25, y: 3304087.75), (x: 600041.5, y: 3304080.0)
        ]]),
    );
    let env = vec![patch.geometry.bounding_rect().unwrap()];
    let options = SteepOptions {
        threshold_deg: 30.0,
        ..SteepOptions::default()
    };
    let steep = steep_obstacles(&g, &env, 0, &options).unwrap();
    let index = ObstacleIndex::new(steep.obstacles);
    let res = overlay(&[patch], &index, 1, &OverlayOptions::default());
    // By hand (exact rational arithmetic, Python's fractions, clipping the quadrilateral to
    // x ≥ 600055): 29802233/6230 m² = 4783.665008025682…; the patch is 6374.5 m².
    let want = 29802233.0 / 6230.0;
    assert!((res[0].area_m2 - 6374.5).abs() < 1e-9, "{res:?}");
    assert!(
        (res[0].class_m2[0] - want).abs() < 1e-6,
        "steep {} vs {want} (diff {:e})",
        res[0].class_m2[0],
        res[0].class_m2[0] - want
    );
    assert!((res[0].union_m2 - want).abs() < 1e-6, "{res:?}");
    // The DEM cells tile: the kernel proved them disjoint and summed them.
    assert_eq!(res[0].kernel.undecided, 0);
    assert_eq!(res[0].kernel.overlapping_classes, 0);
}
