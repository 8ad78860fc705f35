//! Times a filtered read of one land-use layer from a shapefile (`dltb.shp`), a GeoPackage with
//! its R-tree (`dltb_rtree.gpkg`, read once through the index and once with a plain filter that
//! cannot use it) and one without (`dltb_plain.gpkg`), all in `DIR`; the box kept is FRACTION of
//! the layer's extent, in its lower left corner. `benches/gpkg_read.sh` makes the files and
//! runs it:
//!
//! ```sh
//! cargo run --release -p tuban-io --example gpkg_read_timing -- DIR [FRACTION]
//! ```
//!
//! Every read must keep the same number of features; times are wall clock, three rounds.

use std::path::Path;
use std::time::Instant;

use tuban_io::read::{read_layer_filtered, BoxFilter, LayerSummary, ReadOptions, Subset};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).expect("usage: gpkg_read_timing DIR [FRACTION]"));
    let fraction: f64 = args.get(2).map_or(0.01, |s| s.parse().expect("a fraction"));
    let no_fields = Subset {
        fields: Some(vec![]),
        ..Default::default()
    };
    let whole = read_layer_filtered(&dir.join("dltb.shp"), &ReadOptions::default(), &no_fields)
        .expect("dltb.shp")
        .0;
    let e = LayerSummary::of(&whole).extent.expect("an extent");
    let side = fraction.sqrt();
    let area = geo::Rect::new(
        geo::coord! {x: e.min_x, y: e.min_y},
        geo::coord! {x: e.min_x + (e.max_x - e.min_x) * side, y: e.min_y + (e.max_y - e.min_y) * side},
    );
    let plain = move |r: &geo::Rect<f64>| {
        r.min().x <= area.max().x
            && r.max().x >= area.min().x
            && r.min().y <= area.max().y
            && r.max().y >= area.min().y
    };
    let mut kept = None;
    for round in 1..=3 {
        for (file, indexed) in [
            ("dltb.shp", true),
            ("dltb_rtree.gpkg", true),
            ("dltb_rtree.gpkg", false),
            ("dltb_plain.gpkg", true),
        ] {
            let keep = if indexed {
                BoxFilter::meeting(area)
            } else {
                BoxFilter::new(plain)
            };
            let subset = Subset {
                fields: Some(vec!["DLBM".into()]),
                keep: Some(keep),
                ..Default::default()
            };
            let t = Instant::now();
            let (layer, out) =
                read_layer_filtered(&dir.join(file), &ReadOptions::default(), &subset)
                    .expect("read");
            let secs = t.elapsed().as_secs_f64();
            let n = layer.features.len();
            assert_eq!(*kept.get_or_insert(n), n, "{file} kept another number");
            let how = if indexed { "meeting" } else { "plain filter" };
            println!("round {round}  {file:16} {how:13} kept {n:7}, left out {out:7}: {secs:.3} s");
        }
    }
}
