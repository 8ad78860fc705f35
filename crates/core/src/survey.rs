//! Which land survey's codes a land-use layer follows, and the built-in rules for each.
//!
//! The Third National Land Survey (三调, TD/T 1055-2019 with GB/T 21010-2017) codes land use in
//! four digits (`0101`, `0301`, `1006`), with a suffix `K` for land taken from cropland whose
//! plough layer is intact (`0301K`) and a few first-level codes kept whole (`09`). The Second
//! National Land Survey (二调, GB/T 21010-2007 and its working classification) codes it in three
//! (`011`, `031`, `104`, `203`). Older and neighbouring data sets still come coded the second way,
//! and rules written for one standard match nothing of the other: every road and grave area
//! would silently become clean. So the standard is recognised from the shape of the codes
//! ([`recognise`]), said, and the built-in rules of that standard apply ([`default_rules`]); a
//! layer that mixes both is refused with examples.
//!
//! The correspondence behind the Second Survey's table is that of the two classifications
//! (GB/T 21010-2007 → GB/T 21010-2017 and the 三调 working classification): 011-013 cropland,
//! 021-023 orchards, 031 有林地 (0301 乔木林地, 0302 竹林地), 032 灌木林地, 033 其他林地, 041-043
//! grass, 102 公路用地, 103 街巷用地 (1004 城镇村道路用地), 104 农村道路, 114 坑塘水面, 117 沟渠,
//! 122 设施农用地, 123 田坎, 095 殡葬用地.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::rules::{Condition, Literal, Rule, NONE_CLASS};

/// A land survey's coding of land use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Standard {
    /// The Third National Land Survey: four-digit codes (`0101`, `0301K`).
    Third,
    /// The Second National Land Survey: three-digit codes (`011`, `104`).
    Second,
}

impl Standard {
    /// `third` or `second`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standard::Third => "third",
            Standard::Second => "second",
        }
    }

    /// `the Third National Land Survey (三调: four-digit codes, GB/T 21010-2017)`.
    pub fn describe(self) -> &'static str {
        match self {
            Standard::Third => {
                "the Third National Land Survey (三调: four-digit codes such as 0101, 0301K; TD/T 1055-2019, GB/T 21010-2017)"
            }
            Standard::Second => {
                "the Second National Land Survey (二调: three-digit codes such as 011, 104; GB/T 21010-2007)"
            }
        }
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Standard {
    type Err = String;
    /// `third` (also `3`, `三调`) or `second` (`2`, `二调`), any case.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "third" | "3" | "三调" => Ok(Standard::Third),
            "second" | "2" | "二调" => Ok(Standard::Second),
            other => Err(format!(
                "unknown land survey standard '{other}': use 'third' (三调, four-digit codes) or 'second' (二调, three-digit codes)"
            )),
        }
    }
}

/// The shape of one land-use code: which standard it belongs to, if any.
fn shape(code: &str) -> Option<Standard> {
    let code = code.trim();
    let digits = code.chars().take_while(|c| c.is_ascii_digit()).count();
    let rest = &code[digits..];
    let suffix_ok =
        rest.is_empty() || (rest.len() == 1 && rest.chars().all(|c| c.is_ascii_alphabetic()));
    match (digits, suffix_ok) {
        (4, true) => Some(Standard::Third),
        (3, true) if rest.is_empty() => Some(Standard::Second),
        _ => None,
    }
}

/// What [`recognise`] found in a layer's codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognition {
    /// The standard the codes follow (the Third when there is nothing to tell by).
    pub standard: Standard,
    /// Codes of the Third's shape (four digits, an optional letter).
    pub third: usize,
    /// Codes of the Second's shape (three digits).
    pub second: usize,
    /// Up to five distinct codes of each shape, for messages: (third's, second's).
    pub examples: (Vec<String>, Vec<String>),
}

impl Recognition {
    /// Whether both standards' codes are there in earnest (the smaller share above 1 % of the
    /// coded features, or more than 20 of them): a layer stitched from two surveys, which no one
    /// set of rules reads right.
    pub fn mixed(&self) -> bool {
        let (a, b) = (self.third, self.second);
        let minority = a.min(b);
        minority > 0 && (minority * 100 > a + b || minority > 20)
    }

    /// `a land-use layer coded by the Third National Land Survey (...): 9,871 four-digit codes`.
    pub fn describe(&self) -> String {
        format!(
            "codes of {} ({} four-digit codes, {} three-digit)",
            self.standard.describe(),
            self.third,
            self.second
        )
    }
}

/// Recognises the standard of a layer's land-use codes by their shape. Codes of neither shape
/// (`09`, empty, a typo) do not vote.
///
/// ```
/// use tuban_core::survey::{recognise, Standard};
/// let r = recognise(["0101", "0301K", "1006", "09"].iter().copied());
/// assert_eq!(r.standard, Standard::Third);
/// let r = recognise(["011", "031", "104", "123"].iter().copied());
/// assert_eq!(r.standard, Standard::Second);
/// assert!(recognise(["0101", "011"].iter().copied()).mixed());
/// ```
pub fn recognise<'a>(codes: impl Iterator<Item = &'a str>) -> Recognition {
    let (mut third, mut second) = (0, 0);
    let (mut ex3, mut ex2): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for code in codes {
        let (count, examples) = match shape(code) {
            Some(Standard::Third) => (&mut third, &mut ex3),
            Some(Standard::Second) => (&mut second, &mut ex2),
            None => continue,
        };
        *count += 1;
        let code = code.trim();
        if examples.len() < 5 && !examples.iter().any(|e| e == code) {
            examples.push(code.to_string());
        }
    }
    let standard = if second > third {
        Standard::Second
    } else {
        Standard::Third
    };
    Recognition {
        standard,
        third,
        second,
        examples: (ex3, ex2),
    }
}

/// `Some` list of text literals, for an `in` condition.
fn list(codes: &[&str]) -> Option<Vec<Literal>> {
    Some(codes.iter().map(|c| Literal::Text(c.to_string())).collect())
}

/// The built-in rules for a land-use layer coded by `standard`, and for the grave and road
/// layers (the same for both). Rules are tried in order and the first that matches decides.
///
/// Third National Land Survey (DLBM, four digits):
///
/// | order | condition | class | why |
/// |---|---|---|---|
/// | 1 | DLBM starts with `01` | none | cropland is what is being restored |
/// | 2 | DLBM = `1203` | none | field ridges are part of cropland |
/// | 3 | DLBM ends with `K` | none | taken from cropland, plough layer intact: restorable at once |
/// | 4 | DLBM starts with `02` or `04`, or in `1104 1107 1202` | none | other agricultural land (orchards, grass, ponds, ditches, facility land): not one of the four obstacles |
/// | 5 | DLBM starts with `03` | forest | forest land 0301-0307 |
/// | 6 | DLBM in `1003 1004 1006` | road | highways, village streets, rural roads |
/// | 7 | DLBM = `0905` | grave | cemeteries (殡葬用地, GB/T 21010-2017) |
///
/// Second National Land Survey (DLBM, three digits): the same, with `011`-`013` cropland, `123`
/// ridges, `02x`/`04x`, `114 117 122` other agricultural land, `03x` forest, `102 103 104` roads
/// and `095` cemeteries (GB/T 21010-2007). It has no K land.
///
/// Then, for both: every feature of the `graves` layer is a grave (points become discs) and
/// every feature of the `roads` layer a road (lines become corridors of their width). Codes no
/// rule names (construction land, water, 09 kept whole, a typo) match no rule and are reported
/// by the run with their area.
pub fn default_rules(standard: Standard) -> Vec<Rule> {
    let cond = |f: fn(&mut Condition)| {
        let mut c = Condition {
            field: "DLBM".into(),
            ..Default::default()
        };
        f(&mut c);
        c
    };
    let rule = |class: &str, when: Vec<Condition>, note: &str| Rule {
        class: class.into(),
        layer: "landuse".into(),
        when,
        note: Some(note.into()),
    };
    let mut rules = match standard {
        Standard::Third => vec![
            rule(NONE_CLASS, vec![cond(|c| c.prefix = Some("01".into()))], "cropland (耕地) is what is being restored"),
            rule(NONE_CLASS, vec![cond(|c| c.equals = Some(Literal::Text("1203".into())))], "field ridges (田坎) belong to cropland"),
            rule(NONE_CLASS, vec![cond(|c| c.suffix = Some("K".into()))], "K: taken from cropland, plough layer intact, restorable at once"),
            rule(NONE_CLASS, vec![cond(|c| c.prefix = Some("02".into()))], "orchards (种植园用地): other agricultural land, not one of the four obstacles"),
            rule(NONE_CLASS, vec![cond(|c| c.prefix = Some("04".into()))], "grass (草地): other agricultural land, not one of the four obstacles"),
            rule(NONE_CLASS, vec![cond(|c| c.in_list = list(&["1104", "1107", "1202"]))], "ponds, ditches, facility farm land (坑塘水面, 沟渠, 设施农用地): other agricultural land, not one of the four obstacles"),
            rule("forest", vec![cond(|c| c.prefix = Some("03".into()))], "forest land (林地) 0301-0307"),
            rule("road", vec![cond(|c| c.in_list = list(&["1003", "1004", "1006"]))], "highway, village street and rural road land (公路用地, 城镇村道路用地, 农村道路)"),
            rule("grave", vec![cond(|c| c.equals = Some(Literal::Text("0905".into())))], "cemetery land (殡葬用地, GB/T 21010-2017)"),
        ],
        Standard::Second => vec![
            rule(NONE_CLASS, vec![cond(|c| c.prefix = Some("01".into()))], "cropland (耕地, 二调 011-013) is what is being restored"),
            rule(NONE_CLASS, vec![cond(|c| c.equals = Some(Literal::Text("123".into())))], "field ridges (田坎, 二调 123) belong to cropland"),
            rule(NONE_CLASS, vec![cond(|c| c.prefix = Some("02".into()))], "orchards (园地, 二调 021-023): other agricultural land, not one of the four obstacles"),
            rule(NONE_CLASS, vec![cond(|c| c.prefix = Some("04".into()))], "grass (草地, 二调 041-043): other agricultural land, not one of the four obstacles"),
            rule(NONE_CLASS, vec![cond(|c| c.in_list = list(&["114", "117", "122"]))], "ponds, ditches, facility farm land (坑塘水面, 沟渠, 设施农用地; 二调 114, 117, 122): other agricultural land, not one of the four obstacles"),
            rule("forest", vec![cond(|c| c.prefix = Some("03".into()))], "forest land (林地, 二调 031-033)"),
            rule("road", vec![cond(|c| c.in_list = list(&["102", "103", "104"]))], "highway, street and rural road land (公路用地, 街巷用地, 农村道路; 二调 102-104)"),
            rule("grave", vec![cond(|c| c.equals = Some(Literal::Text("095".into())))], "cemetery land (殡葬用地, GB/T 21010-2007 095)"),
        ],
    };
    rules.push(Rule {
        class: "grave".into(),
        layer: "graves".into(),
        when: vec![],
        note: Some("every feature of the grave layer (points become discs)".into()),
    });
    rules.push(Rule {
        class: "road".into(),
        layer: "roads".into(),
        when: vec![],
        note: Some(
            "every feature of the road layer (lines become corridors of their width)".into(),
        ),
    });
    rules
}
