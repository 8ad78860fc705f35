//! Geometry columns of Arrow tables: WKB, and GeoArrow's native (separated or interleaved)
//! encodings, decoded into geo-types.
//!
//! WKB is decoded by the `wkb` crate (georust) and converted through geo-traits. GeoArrow's
//! native encodings are nested lists of coordinates, which arrow-rs reads directly: the few
//! lines below walk the offsets. (geoarrow-array reads them too, but brings its own arrow-rs
//! version and a dozen crates for what is here a loop per geometry type.) Only x and y are kept:
//! tuban measures in the plane of the layer's CRS, as its shapefile reader does with PolygonZ.

use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, FixedSizeListArray, GenericListArray, StructArray};
use arrow_schema::DataType;
use geo_traits::to_geo::ToGeoGeometry;
use tuban::core::geo::{
    Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
};

/// How a geometry column is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Well-known binary (`geoarrow.wkb`, GeoParquet `WKB`, or a plain binary column).
    Wkb,
    /// GeoArrow native `geoarrow.point`.
    Point,
    /// `geoarrow.linestring`.
    LineString,
    /// `geoarrow.polygon`.
    Polygon,
    /// `geoarrow.multipoint`.
    MultiPoint,
    /// `geoarrow.multilinestring`.
    MultiLineString,
    /// `geoarrow.multipolygon`.
    MultiPolygon,
}

impl Encoding {
    /// The encoding a GeoArrow extension name (`geoarrow.polygon`) or a GeoParquet `encoding`
    /// (`WKB`, `polygon`) names; `Err` with the name for encodings tuban does not read.
    pub fn from_name(name: &str) -> Result<Self, String> {
        let short = name.strip_prefix("geoarrow.").unwrap_or(name);
        Ok(match short.to_ascii_lowercase().as_str() {
            "wkb" => Encoding::Wkb,
            "point" => Encoding::Point,
            "linestring" => Encoding::LineString,
            "polygon" => Encoding::Polygon,
            "multipoint" => Encoding::MultiPoint,
            "multilinestring" => Encoding::MultiLineString,
            "multipolygon" => Encoding::MultiPolygon,
            _ => return Err(name.to_string()),
        })
    }

    /// How many list levels hold the coordinates.
    fn depth(self) -> usize {
        match self {
            Encoding::Wkb | Encoding::Point => 0,
            Encoding::LineString | Encoding::MultiPoint => 1,
            Encoding::Polygon | Encoding::MultiLineString => 2,
            Encoding::MultiPolygon => 3,
        }
    }
}

/// A geometry column ready to be read row by row (from any thread).
pub enum Column<'a> {
    /// WKB in a binary array.
    Wkb(Binary<'a>),
    /// Native: the list levels from the outermost, and the coordinates.
    Native {
        /// Which geometry type.
        encoding: Encoding,
        /// The column (for its nulls).
        array: &'a dyn Array,
        /// Offsets of each list level, outermost first.
        levels: Vec<Offsets<'a>>,
        /// The coordinates.
        coords: Coords<'a>,
    },
}

/// The binary arrays WKB comes in.
pub enum Binary<'a> {
    /// `binary`.
    Small(&'a arrow_array::BinaryArray),
    /// `large_binary`.
    Large(&'a arrow_array::LargeBinaryArray),
    /// `binary_view`.
    View(&'a arrow_array::BinaryViewArray),
}

/// List offsets, 32 or 64 bit.
#[derive(Clone, Copy)]
pub enum Offsets<'a> {
    /// `list`.
    Small(&'a [i32]),
    /// `large_list`.
    Large(&'a [i64]),
}

impl Offsets<'_> {
    fn range(&self, i: usize) -> Range<usize> {
        match self {
            Offsets::Small(o) => o[i] as usize..o[i + 1] as usize,
            Offsets::Large(o) => o[i] as usize..o[i + 1] as usize,
        }
    }
}

/// Coordinates: `x, y[, z[, m]]` interleaved in a fixed-size list, or separate `x` and `y`
/// arrays in a struct.
pub enum Coords<'a> {
    /// Interleaved, `dim` values per coordinate.
    Interleaved {
        /// The values.
        values: &'a [f64],
        /// Values per coordinate (2, 3 or 4).
        dim: usize,
    },
    /// Separated.
    Separated {
        /// Eastings or longitudes.
        x: &'a [f64],
        /// Northings or latitudes.
        y: &'a [f64],
    },
}

impl Coords<'_> {
    fn len(&self) -> usize {
        match self {
            Coords::Interleaved { values, dim } => values.len() / dim,
            Coords::Separated { x, .. } => x.len(),
        }
    }

    fn at(&self, i: usize) -> Coord<f64> {
        match self {
            Coords::Interleaved { values, dim } => Coord {
                x: values[i * dim],
                y: values[i * dim + 1],
            },
            Coords::Separated { x, y } => Coord { x: x[i], y: y[i] },
        }
    }

    fn line(&self, r: Range<usize>) -> LineString<f64> {
        LineString::new(r.map(|i| self.at(i)).collect())
    }
}

impl<'a> Column<'a> {
    /// Prepares `array` (encoded as `encoding`) for reading; `Err` says what does not fit.
    pub fn new(array: &'a ArrayRef, encoding: Encoding) -> Result<Self, String> {
        if encoding == Encoding::Wkb {
            let binary = match array.data_type() {
                DataType::Binary => Binary::Small(array.as_binary()),
                DataType::LargeBinary => Binary::Large(array.as_binary()),
                DataType::BinaryView => Binary::View(array.as_binary_view()),
                other => return Err(format!("WKB must be a binary column, not {other}")),
            };
            return Ok(Column::Wkb(binary));
        }
        let mut levels = Vec::new();
        let mut inner: &'a dyn Array = array.as_ref();
        for _ in 0..encoding.depth() {
            let (offsets, values) = list(inner).ok_or_else(|| {
                format!(
                    "a GeoArrow {encoding:?} column must be nested lists of coordinates, found {}",
                    inner.data_type()
                )
            })?;
            levels.push(offsets);
            inner = values;
        }
        let coords = coords(inner).ok_or_else(|| {
            format!(
                "GeoArrow coordinates must be a fixed-size list of float64 or a struct of float64 x and y, found {}",
                inner.data_type()
            )
        })?;
        Ok(Column::Native {
            encoding,
            array: array.as_ref(),
            levels,
            coords,
        })
    }

    /// The geometry of row `i`: `Ok(None)` for a null or empty geometry, `Err` for WKB that does
    /// not parse.
    pub fn get(&self, i: usize) -> Result<Option<Geometry<f64>>, String> {
        match self {
            Column::Wkb(b) => {
                let bytes = match b {
                    Binary::Small(a) if a.is_valid(i) => a.value(i),
                    Binary::Large(a) if a.is_valid(i) => a.value(i),
                    Binary::View(a) if a.is_valid(i) => a.value(i),
                    _ => return Ok(None),
                };
                let parsed = wkb::reader::read_wkb(bytes).map_err(|e| format!("bad WKB: {e}"))?;
                Ok(parsed.try_to_geometry())
            }
            Column::Native {
                encoding,
                array,
                levels,
                coords,
            } => {
                if array.is_null(i) {
                    return Ok(None);
                }
                Ok(native(*encoding, levels, coords, i))
            }
        }
    }
}

/// Row `i` of a native column.
fn native(e: Encoding, levels: &[Offsets<'_>], c: &Coords<'_>, i: usize) -> Option<Geometry<f64>> {
    let polygon = |rings: Range<usize>, ring_level: &Offsets<'_>| -> Polygon<f64> {
        let mut rings = rings.map(|r| c.line(ring_level.range(r)));
        let exterior = rings.next().unwrap_or_else(|| LineString::new(vec![]));
        Polygon::new(exterior, rings.collect())
    };
    Some(match e {
        Encoding::Wkb => unreachable!("WKB is read by Column::get"),
        Encoding::Point => {
            if i >= c.len() {
                return None;
            }
            let p = c.at(i);
            if p.x.is_nan() && p.y.is_nan() {
                return None; // GeoArrow writes an empty point as NaN coordinates
            }
            Geometry::Point(Point(p))
        }
        Encoding::LineString => Geometry::LineString(c.line(levels[0].range(i))),
        Encoding::MultiPoint => Geometry::MultiPoint(MultiPoint::new(
            levels[0].range(i).map(|k| Point(c.at(k))).collect(),
        )),
        Encoding::Polygon => Geometry::Polygon(polygon(levels[0].range(i), &levels[1])),
        Encoding::MultiLineString => Geometry::MultiLineString(MultiLineString::new(
            levels[0]
                .range(i)
                .map(|l| c.line(levels[1].range(l)))
                .collect(),
        )),
        Encoding::MultiPolygon => Geometry::MultiPolygon(MultiPolygon::new(
            levels[0]
                .range(i)
                .map(|p| polygon(levels[1].range(p), &levels[2]))
                .collect(),
        )),
    })
}

/// The offsets and values of a `list` or `large_list` array.
fn list(a: &dyn Array) -> Option<(Offsets<'_>, &dyn Array)> {
    match a.data_type() {
        DataType::List(_) => {
            let l: &GenericListArray<i32> = a.as_list();
            Some((Offsets::Small(l.value_offsets()), l.values().as_ref()))
        }
        DataType::LargeList(_) => {
            let l: &GenericListArray<i64> = a.as_list();
            Some((Offsets::Large(l.value_offsets()), l.values().as_ref()))
        }
        _ => None,
    }
}

/// Interleaved (`fixed_size_list<double>[2..4]`) or separated (`struct<x: double, y: double>`)
/// coordinates.
fn coords(a: &dyn Array) -> Option<Coords<'_>> {
    match a.data_type() {
        DataType::FixedSizeList(_, n) if (2..=4).contains(n) => {
            let l: &FixedSizeListArray = a.as_fixed_size_list();
            let values = l.values().as_primitive_opt::<Float64Type>()?.values();
            Some(Coords::Interleaved {
                values,
                dim: *n as usize,
            })
        }
        DataType::Struct(_) => {
            let s: &StructArray = a.as_struct();
            let x = s.column_by_name("x")?.as_primitive_opt::<Float64Type>()?;
            let y = s.column_by_name("y")?.as_primitive_opt::<Float64Type>()?;
            Some(Coords::Separated {
                x: x.values(),
                y: y.values(),
            })
        }
        _ => None,
    }
}
