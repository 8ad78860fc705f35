//! Obstacles as they are in the field: grave points, road lines and steep cells, through the
//! overlay. Expected values by hand, or from shapely where a 32-gon union is not hand-computable
//! (the command is next to the number).

use geo::{polygon, Geometry, LineString, MultiPolygon, Point};
use tuban_core::build::{obstacles_from_layer, ShapeParams};
use tuban_core::layer::{Feature, Field, FieldKind, Layer, Value};
use tuban_core::overlay::{overlay, Obstacle, ObstacleIndex, OverlayOptions, Patch, PatchResult};
use tuban_core::raster::{CrsKind, GeoTransform, Grid};
use tuban_core::rules::Rules;
use tuban_core::steep::{steep_obstacles, SteepOptions};

const GRAVE: usize = 0;
const FOREST: usize = 1;
const ROAD: usize = 2;
const STEEP: usize = 3;

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![
        polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)],
    ])
}

fn one(patch: MultiPolygon<f64>, obstacles: Vec<Obstacle>) -> PatchResult {
    let r = overlay(
        &[Patch::new("p", "v", patch)],
        &ObstacleIndex::new(obstacles),
        Rules::builtin().classes().len(),
        &OverlayOptions::default(),
    );
    r.into_iter().next().unwrap()
}

fn layer(
    name: &str,
    fields: &[(&str, FieldKind)],
    rows: Vec<(Geometry<f64>, Vec<Value>)>,
) -> Layer {
    let mut l = Layer::new(name);
    l.fields = fields.iter().map(|(n, k)| Field::new(*n, *k)).collect();
    for (i, (g, v)) in rows.into_iter().enumerate() {
        l.features.push(Feature::new(i + 1, Some(g), v));
    }
    l
}

#[test]
fn a_grave_cluster_of_three_overlapping_discs_counts_its_union_once() {
    // Three graves 2 m apart (radius 2: the discs overlap), SL = 1, 2 and 1.
    let graves = layer(
        "graves",
        &[("SL", FieldKind::Integer)],
        vec![
            (Geometry::Point(Point::new(10.0, 10.0)), vec![Value::Int(1)]),
            (Geometry::Point(Point::new(12.0, 10.0)), vec![Value::Int(2)]),
            (Geometry::Point(Point::new(11.0, 11.5)), vec![Value::Int(1)]),
        ],
    );
    let params = ShapeParams {
        count_field: Some("SL".into()),
        ..Default::default()
    };
    let obstacles = obstacles_from_layer("graves", &graves, &Rules::builtin(), &params).unwrap();
    assert_eq!(obstacles.len(), 3);
    // shapely 2.0.6 / GEOS 3.11.4:
    //   unary_union([Point(x, y).buffer(2, quad_segs=8) for x, y in [(10,10), (12,10), (11,11.5)]]).area
    //   → 24.733810644161803
    let r = one(square(0.0, 0.0, 20.0, 20.0), obstacles.clone());
    assert!(
        (r.class_m2[GRAVE] - 24.733810644161803).abs() < 1e-6,
        "{}",
        r.class_m2[GRAVE]
    );
    assert_eq!(r.point_count[GRAVE], 4);
    // A patch boundary at x = 11 cuts the cluster in half (it is symmetric about x = 11):
    //   box(0, 0, 11, 20).intersection(union).area → 12.3669053220809
    // and holds the grave at (10, 10) and, on its boundary, the one at (11, 11.5): 1 + 1 graves.
    let r = one(square(0.0, 0.0, 11.0, 20.0), obstacles);
    assert!(
        (r.class_m2[GRAVE] - 12.3669053220809).abs() < 1e-6,
        "{}",
        r.class_m2[GRAVE]
    );
    assert_eq!(r.point_count[GRAVE], 2);
}

#[test]
fn a_6_m_road_crossing_a_patch_and_a_0_8_m_path_that_is_ignored() {
    let line = |y: f64| Geometry::LineString(LineString::from(vec![(-10.0, y), (30.0, y)]));
    let roads = layer(
        "roads",
        &[("KD", FieldKind::Float)],
        vec![
            (line(10.0), vec![Value::Float(6.0)]),
            (line(3.0), vec![Value::Float(0.8)]),
        ],
    );
    let obstacles =
        obstacles_from_layer("roads", &roads, &Rules::builtin(), &ShapeParams::default()).unwrap();
    // The 0.8 m field path is cropland in the south: not an obstacle.
    assert_eq!(obstacles.len(), 1);
    // The 6 m road crosses the 20 m × 20 m patch: 20 × 6 = 120 m², by hand.
    let r = one(square(0.0, 0.0, 20.0, 20.0), obstacles);
    assert!(
        (r.class_m2[ROAD] - 120.0).abs() < 1e-6,
        "{}",
        r.class_m2[ROAD]
    );
    assert!((r.union_m2 - 120.0).abs() < 1e-6);
}

#[test]
fn an_empty_road_width_is_an_error_unless_a_default_is_given() {
    let roads = layer(
        "roads",
        &[("KD", FieldKind::Float)],
        vec![(
            Geometry::LineString(LineString::from(vec![(0.0, 0.0), (10.0, 0.0)])),
            vec![Value::Null],
        )],
    );
    let e = obstacles_from_layer("roads", &roads, &Rules::builtin(), &ShapeParams::default())
        .unwrap_err();
    assert!(
        e.to_string().contains("record 1") && e.to_string().contains("default_width_m"),
        "{e}"
    );
    let params = ShapeParams {
        default_width_m: Some(4.0),
        ..Default::default()
    };
    let o = obstacles_from_layer("roads", &roads, &Rules::builtin(), &params).unwrap();
    assert_eq!(o.len(), 1);
}

#[test]
fn forest_on_a_steep_slope_counts_once_in_the_union() {
    // A 10 × 10 DEM of 1 m cells on the plane z = x: 45° everywhere (Horn's method is exact on a
    // plane; gdaldem's edge rules keep it at 45° except where the corner cells halve dz/dx).
    let mut data = Vec::new();
    for _row in 0..10 {
        for col in 0..10 {
            data.push(col as f64 + 0.5);
        }
    }
    let dem = Grid::new(
        GeoTransform::new(0.0, 10.0, 1.0, 1.0),
        10,
        10,
        CrsKind::Projected,
        None,
        data,
    )
    .unwrap();
    let patch = square(2.0, 2.0, 6.0, 6.0);
    let envs = [geo::Rect::new((2.0, 2.0), (6.0, 6.0))];
    let steep = steep_obstacles(&dem, &envs, STEEP, &SteepOptions::default()).unwrap();
    let mut obstacles = steep.obstacles;
    // Forest on the right half of the patch, over the steep cells.
    obstacles.push(Obstacle::new(FOREST, square(4.0, 0.0, 8.0, 10.0)));
    let r = one(patch, obstacles);
    // By hand: every cell under the patch is steep (16 m²); forest covers [4,6] × [2,6] = 8 m²;
    // the union is the patch, 16 m², not 16 + 8.
    assert!(
        (r.class_m2[STEEP] - 16.0).abs() < 1e-9,
        "{}",
        r.class_m2[STEEP]
    );
    assert!((r.class_m2[FOREST] - 8.0).abs() < 1e-9);
    assert!((r.union_m2 - 16.0).abs() < 1e-9);
    assert_eq!(r.clean_m2(), 0.0);
}
