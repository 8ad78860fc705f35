//! Recognising CRSs from WKT (.prj), EPSG codes, user text and GeoJSON names.
//!
//! The .prj fixtures in tests/data/crs/ are GDAL 3.6.2's output for real EPSG codes (see
//! tests/data/crs/make_prj.sh): `EPSG_NNNN.esri.prj` (`gdalsrsinfo -o wkt_esri`, what ArcGIS
//! writes), `.wkt1.prj` (`-o wkt1`, with AUTHORITY nodes) and `.wkt2.prj` (`-o wkt2`).

use std::path::PathBuf;

use tuban_core::crs::{Crs, CrsError, Datum};

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/crs")
        .join(name);
    String::from_utf8(std::fs::read(&path).unwrap()).unwrap()
}

const FLAVOURS: [&str; 3] = ["esri", "wkt1", "wkt2"];

#[test]
fn every_supported_fixture_is_recognised_in_every_flavour() {
    for code in [
        4490, 4326, 4491, 4502, 4513, 4523, 4534, 4544, 4545, 4554, 32648, 32748, 3857,
    ] {
        for flavour in FLAVOURS {
            let text = data(&format!("EPSG_{code}.{flavour}.prj"));
            let r = Crs::from_wkt(&text).unwrap_or_else(|e| panic!("EPSG:{code} {flavour}: {e}"));
            assert_eq!(r.crs.epsg(), code, "{flavour}: {}", r.how);
            assert_eq!(r.crs, Crs::from_epsg(code).unwrap());
            match flavour {
                "esri" => assert!(
                    r.how.starts_with("ESRI WKT name ") && r.how.contains("parameters checked"),
                    "{}",
                    r.how
                ),
                _ => assert!(
                    r.how
                        .starts_with(&format!("AUTHORITY EPSG:{code}, parameters checked")),
                    "{}",
                    r.how
                ),
            }
        }
    }
}

#[test]
fn how_says_what_decided() {
    let r = Crs::from_wkt(&data("EPSG_4544.esri.prj")).unwrap();
    assert!(
        r.how
            .starts_with("ESRI WKT name CGCS2000_3_Degree_GK_CM_105E, parameters checked"),
        "{}",
        r.how
    );
    let r = Crs::from_wkt(&data("EPSG_4523.esri.prj")).unwrap();
    assert!(r.how.contains("CGCS2000_3_Degree_GK_Zone_35"), "{}", r.how);
    assert!(r.how.contains("false easting 35500000"), "{}", r.how);
    let r = Crs::from_wkt(&data("EPSG_4544.wkt1.prj")).unwrap();
    assert!(r.how.starts_with("AUTHORITY EPSG:4544"), "{}", r.how);
}

#[test]
fn byte_order_mark_is_tolerated() {
    let text = data("EPSG_4544.esri.bom.prj");
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(Crs::from_wkt(&text).unwrap().crs.epsg(), 4544);
    assert_eq!(Crs::from_user(&text).unwrap().epsg(), 4544);
}

#[test]
fn legacy_datums_are_refused_with_the_reason() {
    for (code, datum) in [
        (2380, "Xian 1980"),
        (2359, "Xian 1980"),
        (4610, "Xian 1980"),
        (2432, "Beijing 1954"),
        (2411, "Beijing 1954"),
        (21458, "Beijing 1954"),
        (4214, "Beijing 1954"),
        (4792, "New Beijing"),
    ] {
        for flavour in FLAVOURS {
            let err = Crs::from_wkt(&data(&format!("EPSG_{code}.{flavour}.prj"))).unwrap_err();
            match &err {
                CrsError::LegacyDatum { datum: d, .. } => assert_eq!(d, datum, "{code} {flavour}"),
                other => panic!("EPSG:{code} {flavour}: {other:?}"),
            }
            let msg = err.to_string();
            assert!(msg.contains("datum shift"), "{msg}");
            assert!(msg.contains("not public"), "{msg}");
            assert!(msg.contains("converted to CGCS2000"), "{msg}");
        }
        assert!(matches!(
            Crs::from_epsg(code),
            Err(CrsError::LegacyDatum { .. })
        ));
    }
}

#[test]
fn legacy_ellipsoid_is_caught_even_when_unnamed() {
    // Krasovsky 1940 parameters under made-up names: still Beijing 1954 territory.
    let wkt = r#"PROJCS["my_map",GEOGCS["my_gcs",DATUM["my_datum",SPHEROID["my_spheroid",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    assert!(matches!(
        Crs::from_wkt(wkt),
        Err(CrsError::LegacyDatum { datum, .. }) if datum == "Beijing 1954"
    ));
    let xian = wkt.replace("6378245.0,298.3", "6378140.0,298.257");
    assert!(matches!(
        Crs::from_wkt(&xian),
        Err(CrsError::LegacyDatum { datum, .. }) if datum == "Xian 1980"
    ));
}

#[test]
fn unknown_crs_is_refused_with_a_hint() {
    for code in [2154, 3395] {
        for flavour in FLAVOURS {
            let err = Crs::from_wkt(&data(&format!("EPSG_{code}.{flavour}.prj"))).unwrap_err();
            assert!(
                matches!(err, CrsError::Unrecognised { .. }),
                "{code} {flavour}: {err:?}"
            );
            assert!(err.to_string().contains("assume_crs (e.g. EPSG:"), "{err}");
        }
    }
    for text in ["", "   \n", "hello", "PROJCS[", "<xml/>", "PROJCS[\"x\"]"] {
        let err = Crs::from_wkt(text).unwrap_err();
        assert!(
            matches!(err, CrsError::Unrecognised { .. }),
            "{text:?}: {err:?}"
        );
        assert!(err.to_string().contains("assume_crs"));
    }
    assert!(matches!(
        Crs::from_epsg(2154),
        Err(CrsError::Unrecognised { .. })
    ));
}

/// ESRI WKT for a CGCS2000 transverse Mercator with the given name and parameters.
fn esri(name: &str, method: &str, fe: &str, cm: &str, k: &str, unit: &str) -> String {
    format!(
        r#"PROJCS["{name}",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["{method}"],PARAMETER["False_Easting",{fe}],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{cm}],PARAMETER["Scale_Factor",{k}],PARAMETER["Latitude_Of_Origin",0.0],UNIT[{unit}]]"#
    )
}

#[test]
fn structure_not_name_decides() {
    // An uninformative name and Transverse_Mercator instead of Gauss_Kruger.
    let r = Crs::from_wkt(&esri(
        "Tongliang_local",
        "Transverse_Mercator",
        "500000.0",
        "105.0",
        "1.0",
        r#""Meter",1.0"#,
    ))
    .unwrap();
    assert_eq!(r.crs.epsg(), 4544);
    assert!(r.how.contains("3-degree zone assumed"), "{}", r.how);
    assert!(r.how.contains("EPSG:4507"), "{}", r.how);
    // A 3-degree-only central meridian needs no assumption.
    let r = Crs::from_wkt(&esri(
        "x",
        "Gauss_Kruger",
        "500000",
        "108",
        "1",
        r#""Meter",1"#,
    ))
    .unwrap();
    assert_eq!(r.crs.epsg(), 4545);
    // Prefixed, 6-degree zone 18.
    let r = Crs::from_wkt(&esri(
        "x",
        "Gauss_Kruger",
        "18500000",
        "105",
        "1",
        r#""Meter",1"#,
    ))
    .unwrap();
    assert_eq!(r.crs.epsg(), 4496);
    // The ESRI 6-degree name resolves the no-prefix ambiguity.
    let r = Crs::from_wkt(&esri(
        "CGCS2000_GK_CM_105E",
        "Gauss_Kruger",
        "500000",
        "105",
        "1",
        r#""Meter",1"#,
    ))
    .unwrap();
    assert_eq!(r.crs.epsg(), 4507);
}

#[test]
fn name_contradicting_parameters_is_reported_and_parameters_win() {
    // The EPSG:4545 / 4544 mix-up: name says CM 108E, parameters say 105E.
    let r = Crs::from_wkt(&esri(
        "CGCS2000_3_Degree_GK_CM_108E",
        "Gauss_Kruger",
        "500000.0",
        "105.0",
        "1.0",
        r#""Meter",1.0"#,
    ))
    .unwrap();
    assert_eq!(r.crs.epsg(), 4544);
    assert!(
        r.how.contains("disagrees") && r.how.contains("108E"),
        "{}",
        r.how
    );
    // A zone name without the prefix in the false easting.
    let r = Crs::from_wkt(&esri(
        "CGCS2000_3_Degree_GK_Zone_35",
        "Gauss_Kruger",
        "500000.0",
        "105.0",
        "1.0",
        r#""Meter",1.0"#,
    ))
    .unwrap();
    assert_eq!(r.crs.epsg(), 4544);
    assert!(
        r.how.contains("disagrees") && r.how.contains("zone 35"),
        "{}",
        r.how
    );
    // AUTHORITY contradicting the parameters.
    let wkt1 = data("EPSG_4544.wkt1.prj")
        .replace(r#"AUTHORITY["EPSG","4544"]"#, r#"AUTHORITY["EPSG","4545"]"#);
    let r = Crs::from_wkt(&wkt1).unwrap();
    assert_eq!(r.crs.epsg(), 4544);
    assert!(
        r.how.contains("EPSG:4545") && r.how.contains("disagrees"),
        "{}",
        r.how
    );
}

#[test]
fn impossible_parameters_are_refused() {
    let cases = [
        // zone 36 prefix with the central meridian of zone 35
        esri(
            "x",
            "Gauss_Kruger",
            "36500000.0",
            "105.0",
            "1.0",
            r#""Meter",1.0"#,
        ),
        // central meridian off the zone grid
        esri(
            "x",
            "Gauss_Kruger",
            "500000.0",
            "105.5",
            "1.0",
            r#""Meter",1.0"#,
        ),
        // UTM scale on CGCS2000
        esri(
            "x",
            "Transverse_Mercator",
            "500000.0",
            "105.0",
            "0.9996",
            r#""Meter",1.0"#,
        ),
        // US survey feet
        esri(
            "x",
            "Gauss_Kruger",
            "500000.0",
            "105.0",
            "1.0",
            r#""Foot_US",0.3048006096012192"#,
        ),
        // a projection tuban does not know
        esri(
            "x",
            "Lambert_Conformal_Conic",
            "500000.0",
            "105.0",
            "1.0",
            r#""Meter",1.0"#,
        ),
    ];
    for wkt in &cases {
        let err = Crs::from_wkt(wkt).unwrap_err();
        assert!(
            matches!(err, CrsError::Unrecognised { .. }),
            "{wkt}: {err:?}"
        );
    }
    let err = Crs::from_wkt(&cases[0]).unwrap_err().to_string();
    assert!(err.contains("zone 36"), "{err}");
    // Gauss-Kruger on WGS 84 is not a CRS tuban supports.
    let wgs = cases[1]
        .replace("105.5", "105.0")
        .replace("GCS_China_Geodetic_Coordinate_System_2000", "GCS_WGS_1984")
        .replace("D_China_2000", "D_WGS_1984")
        .replace(
            "\"CGCS2000\",6378137.0,298.257222101",
            "\"WGS_1984\",6378137.0,298.257223563",
        );
    assert!(matches!(
        Crs::from_wkt(&wgs),
        Err(CrsError::Unrecognised { .. })
    ));
}

#[test]
fn tolerant_syntax() {
    // Lower-case keywords, parentheses, line breaks, trailing NULs.
    let wkt = "geogcs(\"x\",\n datum(\"China_2000\", spheroid(\"CGCS2000\", 6378137, 298.257222101)),\n primem(\"Greenwich\", 0), unit(\"degree\", 0.0174532925199433))\n\0\0";
    assert_eq!(Crs::from_wkt(wkt).unwrap().crs.epsg(), 4490);
    // Chinese names survive.
    let wkt = r#"GEOGCS["国家2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]"#;
    assert_eq!(Crs::from_wkt(wkt).unwrap().crs.epsg(), 4490);
}

#[test]
fn wkt2_bound_crs_uses_its_source() {
    let source = data("EPSG_4544.wkt2.prj");
    let target = data("EPSG_4326.wkt2.prj");
    let bound = format!(
        "BOUNDCRS[SOURCECRS[{source}],TARGETCRS[{target}],ABRIDGEDTRANSFORMATION[\"x\",METHOD[\"Geocentric translations\",ID[\"EPSG\",9603]],PARAMETER[\"X-axis translation\",0,ID[\"EPSG\",8605]]]]"
    );
    assert_eq!(Crs::from_wkt(&bound).unwrap().crs.epsg(), 4544);
}

#[test]
fn esri_wkt_output_is_what_gdal_writes() {
    for code in [
        4490, 4326, 4491, 4502, 4513, 4523, 4534, 4544, 4545, 4554, 32648, 32748, 3857,
    ] {
        let expected = data(&format!("EPSG_{code}.esri.prj"));
        assert_eq!(
            Crs::from_epsg(code).unwrap().to_esri_wkt(),
            expected.trim_end(),
            "EPSG:{code}"
        );
    }
    // And every Gauss-Kruger code reads back as itself.
    for code in 4491..=4554 {
        let crs = Crs::from_epsg(code).unwrap();
        assert_eq!(
            Crs::from_wkt(&crs.to_esri_wkt()).unwrap().crs,
            crs,
            "EPSG:{code}"
        );
    }
}

#[test]
fn epsg_codes_and_names() {
    // Facts from `projinfo EPSG:NNNN -o PROJ` (PROJ 9.1.1) for every code 4491-4554.
    for code in 4491..=4554_u32 {
        let Crs::GaussKruger {
            zone_width,
            central_meridian,
            zone,
            prefixed,
            epsg,
        } = Crs::from_epsg(code).unwrap()
        else {
            panic!("{code}")
        };
        assert_eq!(epsg, code);
        let (w, cm, p) = match code {
            4491..=4501 => (6, 75 + 6 * (code - 4491), true),
            4502..=4512 => (6, 75 + 6 * (code - 4502), false),
            4513..=4533 => (3, 75 + 3 * (code - 4513), true),
            _ => (3, 75 + 3 * (code - 4534), false),
        };
        assert_eq!(
            (zone_width, central_meridian, prefixed),
            (w, cm, p),
            "{code}"
        );
        assert_eq!(zone, if w == 3 { cm / 3 } else { (cm + 3) / 6 });
    }
    let c = |code| Crs::from_epsg(code).unwrap().name();
    assert_eq!(c(4491), "CGCS2000 / Gauss-Kruger zone 13");
    assert_eq!(c(4512), "CGCS2000 / Gauss-Kruger CM 135E");
    assert_eq!(c(4523), "CGCS2000 / 3-degree Gauss-Kruger zone 35");
    assert_eq!(c(4544), "CGCS2000 / 3-degree Gauss-Kruger CM 105E");
    assert_eq!(c(4545), "CGCS2000 / 3-degree Gauss-Kruger CM 108E");
    assert_eq!(c(4490), "China Geodetic Coordinate System 2000");
    assert_eq!(c(32648), "WGS 84 / UTM zone 48N");
    assert_eq!(c(32748), "WGS 84 / UTM zone 48S");
    assert_eq!(c(3857), "WGS 84 / Pseudo-Mercator");
    assert_eq!(Crs::from_epsg(4545).unwrap().datum(), Datum::Cgcs2000);
    assert_eq!(Crs::from_epsg(32648).unwrap().datum(), Datum::Wgs84);
}

#[test]
fn user_text_and_geojson_names() {
    for text in [
        "EPSG:4544",
        "epsg:4544",
        "4544",
        " EPSG:4544\n",
        "urn:ogc:def:crs:EPSG::4544",
        "urn:ogc:def:crs:EPSG:6.3:4544",
        "http://www.opengis.net/def/crs/EPSG/0/4544",
    ] {
        assert_eq!(Crs::from_user(text).unwrap().epsg(), 4544, "{text}");
        assert_eq!(Crs::from_geojson_name(text).unwrap().epsg(), 4544, "{text}");
    }
    let wgs = Crs::Geographic {
        datum: Datum::Wgs84,
    };
    for text in [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "CRS84",
        "EPSG:4326",
    ] {
        assert_eq!(Crs::from_geojson_name(text).unwrap(), wgs, "{text}");
    }
    assert_eq!(
        Crs::from_user(&data("EPSG_4523.esri.prj")).unwrap().epsg(),
        4523
    );
    assert_eq!("EPSG:4523".parse::<Crs>().unwrap().epsg(), 4523);
    // What Display writes reads back.
    for code in [4490, 4326, 4523, 4544, 32648, 3857] {
        let crs = Crs::from_epsg(code).unwrap();
        assert_eq!(crs.to_string().parse::<Crs>().unwrap(), crs);
    }
    for bad in [
        "EPSG:",
        "EPSG:abc",
        "CGCS2000",
        "urn:ogc:def:crs:EPSG::99999",
    ] {
        assert!(
            matches!(Crs::from_user(bad), Err(CrsError::Unrecognised { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        Crs::from_user("EPSG:2383"),
        Err(CrsError::LegacyDatum { .. })
    ));
}

#[test]
fn serde_round_trip() {
    for code in [4490, 4326, 4523, 4544, 32648, 32748, 3857] {
        let crs = Crs::from_epsg(code).unwrap();
        let json = serde_json::to_string(&crs).unwrap();
        assert_eq!(serde_json::from_str::<Crs>(&json).unwrap(), crs, "{json}");
    }
    let json = serde_json::to_string(&Crs::from_epsg(4544).unwrap()).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"gauss_kruger","zone_width":3,"central_meridian":105,"zone":35,"prefixed":false,"epsg":4544}"#
    );
}

#[test]
fn authority_settles_three_versus_six_degrees() {
    // EPSG:4507 (6-degree, CM 105E) under a name that says nothing: the authority decides.
    let wkt1 = data("EPSG_4544.wkt1.prj")
        .replace("CGCS2000 / 3-degree Gauss-Kruger CM 105E", "local grid")
        .replace(r#"AUTHORITY["EPSG","4544"]"#, r#"AUTHORITY["EPSG","4507"]"#);
    let r = Crs::from_wkt(&wkt1).unwrap();
    assert_eq!(r.crs.epsg(), 4507);
    assert!(
        !r.how.contains("assumed") && !r.how.contains("disagrees"),
        "{}",
        r.how
    );
}
