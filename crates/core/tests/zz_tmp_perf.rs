use geo::{Coord, LineString, MultiPolygon, Polygon};
use tuban_core::validity::*;
#[test]
fn perf() {
    for n in [100usize, 1000, 4000, 40000] {
        let ring: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                let r = 100.0 + 5.0 * (7.0 * a).sin();
                Coord {
                    x: 600000.0 + r * a.cos(),
                    y: 3303000.0 + r * a.sin(),
                }
            })
            .collect();
        let g = MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]);
        let t = std::time::Instant::now();
        let o = check_obstacle(&g, InvalidPolicy::Repair);
        eprintln!(
            "n={n}: {:?} {:?}",
            t.elapsed(),
            matches!(o, Outcome::Valid(_))
        );
    }
}
