//! Which features are obstacles, and of which class: rules on layers and attributes.
//!
//! A rule names a layer (by its role: `landuse`, `graves`, `roads`, …), a class, and conditions on
//! attributes that must all hold. Rules are tried in order and **the first that matches decides**;
//! a rule whose class is `none` declares a feature "not an obstacle" and stops the search, which is
//! how cropland and ridges are kept out whatever later rules say.
//!
//! The user's rules (from a TOML file) come first, then the built-in defaults of
//! [`Rules::defaults`], unless the file says `defaults = false`.
//!
//! ```
//! use tuban_core::rules::Rules;
//! let rules = Rules::from_toml_str(r#"
//!     [[rule]]
//!     class = "grave"
//!     layer = "landuse"
//!     when = [{ field = "DLBM", equals = "09" }]   # the survey keeps special land 09 whole
//! "#).unwrap();
//! assert_eq!(rules.classes()[..4], ["grave", "forest", "road", "steep"]);
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::layer::{Feature, Layer, Value};
use crate::verdict::VerdictRules;

/// The obstacle classes every report carries, in this order (the CSV contract's columns).
pub const BUILTIN_CLASSES: [&str; 4] = ["grave", "forest", "road", "steep"];

/// The class name that marks a feature as "not an obstacle".
pub const NONE_CLASS: &str = "none";

/// What a layer is in a run. Rules apply to the obstacle layers ([`Role::OBSTACLES`]); the patch
/// layer is what they are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The rectification patches.
    Patches,
    /// The land-use layer (DLTB, 地类图斑).
    Landuse,
    /// Grave points or grave-cluster polygons.
    Graves,
    /// Road centre lines (or road polygons).
    Roads,
}

impl Role {
    /// The layers rules classify, in the order a run reads them.
    pub const OBSTACLES: [Role; 3] = [Role::Landuse, Role::Graves, Role::Roads];

    /// `patches`, `landuse`, `graves` or `roads`: the name in project files, rules and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patches => "patches",
            Role::Landuse => "landuse",
            Role::Graves => "graves",
            Role::Roads => "roads",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rules file could not be used.
#[derive(Debug, Error)]
pub enum RulesError {
    /// The TOML did not parse or had unknown keys.
    #[error("{0}")]
    Parse(String),
    /// A rule is malformed.
    #[error("rule {index} (class '{class}', layer '{layer}'): {message}")]
    Invalid {
        /// Position of the rule in the file, from 1.
        index: usize,
        /// Its class.
        class: String,
        /// Its layer.
        layer: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// One test on one attribute. Exactly one of the operators must be given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The attribute's name (compared case-insensitively).
    pub field: String,
    /// The value, as text, equals this (numbers compare as numbers if both sides are numeric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Literal>,
    /// The value, as text, does not equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<Literal>,
    /// The text starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The text ends with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// The value equals one of these.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_list: Option<Vec<Literal>>,
    /// Numeric value `<` this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<f64>,
    /// Numeric value `<=` this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub le: Option<f64>,
    /// Numeric value `>` this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<f64>,
    /// Numeric value `>=` this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ge: Option<f64>,
}

/// A literal in a rule: TOML lets a code be written `"0905"` or a number `5`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// Text, compared after trimming.
    Text(String),
    /// A number.
    Number(f64),
}

impl Literal {
    fn matches(&self, v: &Value) -> bool {
        match self {
            Literal::Text(t) => match v.as_text() {
                Some(s) => {
                    if s.trim() == t.trim() {
                        return true;
                    }
                    // "5" in a rule equals 5.0 in a numeric field.
                    matches!((t.trim().parse::<f64>(), v.as_f64()), (Ok(a), Some(b)) if a == b && !matches!(v, Value::Text(_)))
                }
                None => false,
            },
            Literal::Number(n) => v.as_f64() == Some(*n),
        }
    }
}

impl Condition {
    fn operator_count(&self) -> usize {
        [
            self.equals.is_some(),
            self.not_equals.is_some(),
            self.prefix.is_some(),
            self.suffix.is_some(),
            self.in_list.is_some(),
            self.lt.is_some(),
            self.le.is_some(),
            self.gt.is_some(),
            self.ge.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }

    /// Does `value` pass? A null value passes no test.
    pub fn test(&self, value: &Value) -> bool {
        if value.is_null() {
            return false;
        }
        let text = || {
            value
                .as_text()
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let num = || value.as_f64();
        if let Some(l) = &self.equals {
            return l.matches(value);
        }
        if let Some(l) = &self.not_equals {
            return !l.matches(value);
        }
        if let Some(p) = &self.prefix {
            return text().starts_with(p.as_str());
        }
        if let Some(s) = &self.suffix {
            return text().ends_with(s.as_str());
        }
        if let Some(list) = &self.in_list {
            return list.iter().any(|l| l.matches(value));
        }
        if let Some(t) = self.lt {
            return num().is_some_and(|v| v < t);
        }
        if let Some(t) = self.le {
            return num().is_some_and(|v| v <= t);
        }
        if let Some(t) = self.gt {
            return num().is_some_and(|v| v > t);
        }
        if let Some(t) = self.ge {
            return num().is_some_and(|v| v >= t);
        }
        false
    }
}

/// A rule: features of `layer` meeting every condition in `when` are of `class`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Class name (`grave`, `forest`, `road`, `steep`, a new name, or `none`).
    pub class: String,
    /// Layer role the rule applies to (e.g. `landuse`).
    pub layer: String,
    /// Conditions, all of which must hold; empty means every feature of the layer.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Why the rule exists (shown in reports; optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A rules file as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default = "yes")]
    defaults: bool,
    #[serde(default)]
    rule: Vec<Rule>,
    #[serde(default)]
    verdict: VerdictRules,
}

fn yes() -> bool {
    true
}

/// An ordered rule list and the class list it implies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    rules: Vec<Rule>,
    classes: Vec<String>,
    /// How many of `rules`, at the front, are the user's own; the rest are the built-in rules
    /// of `defaults` (see [`Rules::with_standard`]).
    user: usize,
    defaults: Option<crate::survey::Standard>,
    /// Thresholds for each patch's verdict (the file's `[verdict]` table).
    pub verdict: VerdictRules,
}

/// What a rule lookup decided for one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An obstacle of the class with this index.
    Obstacle(usize),
    /// A rule said `none`: not an obstacle.
    NotObstacle,
    /// No rule for this layer matched.
    NoMatch,
}

impl Rules {
    /// The built-in rules for the Third National Land Survey's codes (see
    /// [`crate::survey::default_rules`] for the table, and the Second Survey's).
    pub fn defaults() -> Vec<Rule> {
        crate::survey::default_rules(crate::survey::Standard::Third)
    }

    /// The built-in rules alone.
    pub fn builtin() -> Self {
        Self::with_defaults(Vec::new(), crate::survey::Standard::Third)
            .expect("built-in rules are valid")
    }

    /// Rules from a list, checked. Classes are the four built-in ones followed by any new class
    /// names in first-use order.
    pub fn new(rules: Vec<Rule>) -> Result<Self, RulesError> {
        let mut classes: Vec<String> = BUILTIN_CLASSES.iter().map(|s| s.to_string()).collect();
        for (i, r) in rules.iter().enumerate() {
            let invalid = |message: String| RulesError::Invalid {
                index: i + 1,
                class: r.class.clone(),
                layer: r.layer.clone(),
                message,
            };
            if r.class.trim().is_empty() {
                return Err(invalid("the class is empty".into()));
            }
            if !Role::OBSTACLES.iter().any(|role| role.as_str() == r.layer) {
                let known: Vec<&str> = Role::OBSTACLES.iter().map(|r| r.as_str()).collect();
                return Err(invalid(format!(
                    "rules apply to the obstacle layers {}, not to '{}': name one of them",
                    known.join(", "),
                    r.layer
                )));
            }
            for c in &r.when {
                match c.operator_count() {
                    1 => {}
                    0 => return Err(invalid(format!(
                        "the condition on field '{}' has no test: give one of equals, not_equals, prefix, suffix, in, lt, le, gt, ge",
                        c.field
                    ))),
                    n => return Err(invalid(format!(
                        "the condition on field '{}' has {n} tests: give exactly one (write several conditions to combine them)",
                        c.field
                    ))),
                }
            }
            if r.class != NONE_CLASS && !classes.contains(&r.class) {
                classes.push(r.class.clone());
            }
        }
        Ok(Rules {
            user: rules.len(),
            rules,
            classes,
            defaults: None,
            verdict: VerdictRules::default(),
        })
    }

    /// The rules of `user` followed by the built-in rules of `standard`.
    fn with_defaults(
        user: Vec<Rule>,
        standard: crate::survey::Standard,
    ) -> Result<Self, RulesError> {
        let n = user.len();
        let mut all = user;
        all.extend(crate::survey::default_rules(standard));
        let mut rules = Self::new(all)?;
        rules.user = n;
        rules.defaults = Some(standard);
        Ok(rules)
    }

    /// The standard whose built-in rules these rules end with, if they do (a rules file with
    /// `defaults = false` has none).
    pub fn standard(&self) -> Option<crate::survey::Standard> {
        self.defaults
    }

    /// These rules for a land-use layer coded by `standard`: the user's rules, then that
    /// standard's built-in rules instead of the current ones. Rules without built-in rules come
    /// back unchanged. The classes (and so every class index) stay the same: the built-in rules of
    /// both standards use only the built-in classes.
    pub fn with_standard(&self, standard: crate::survey::Standard) -> Self {
        if self.defaults.is_none() || self.defaults == Some(standard) {
            return self.clone();
        }
        let mut rules = Self::with_defaults(self.rules[..self.user].to_vec(), standard)
            .expect("the user's rules were valid with the other defaults");
        rules.verdict = self.verdict.clone();
        debug_assert_eq!(rules.classes, self.classes);
        rules
    }

    /// Parses a rules file: user rules first, then the defaults unless `defaults = false`.
    pub fn from_toml_str(text: &str) -> Result<Self, RulesError> {
        let file: RulesFile = toml_from_str(text)?;
        let mut rules = if file.defaults {
            Self::with_defaults(file.rule, crate::survey::Standard::Third)?
        } else {
            Self::new(file.rule)?
        };
        rules.verdict = file.verdict;
        Ok(rules)
    }

    /// The class names, built-in ones first. Obstacle class indices refer to this list.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The rules in the order they are tried.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The layer roles some rule names.
    pub fn layers(&self) -> BTreeSet<&str> {
        self.rules.iter().map(|r| r.layer.as_str()).collect()
    }

    /// Decides the class of `feature` of `layer` (whose role is `role`).
    pub fn classify(&self, role: &str, layer: &Layer, feature: &Feature) -> Decision {
        self.decide(role, layer, feature).0
    }

    /// [`Rules::classify`], with the index in [`Rules::rules`] of the rule that decided (`None`
    /// for [`Decision::NoMatch`]).
    pub fn decide(
        &self,
        role: &str,
        layer: &Layer,
        feature: &Feature,
    ) -> (Decision, Option<usize>) {
        for (i, r) in self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.layer == role)
        {
            let ok = r
                .when
                .iter()
                .all(|c| layer.value(feature, &c.field).is_some_and(|v| c.test(v)));
            if ok {
                if r.class == NONE_CLASS {
                    return (Decision::NotObstacle, Some(i));
                }
                let idx = self
                    .classes
                    .iter()
                    .position(|c| c == &r.class)
                    .expect("class list covers every rule");
                return (Decision::Obstacle(idx), Some(i));
            }
        }
        (Decision::NoMatch, None)
    }

    /// The field names the rules for `role` test, sorted, without repeats: what a reader must
    /// keep of that layer for [`Rules::classify`] (see `tuban_io::read::Subset::fields`).
    pub fn fields(&self, role: &str) -> Vec<String> {
        let mut fields: Vec<String> = self
            .rules
            .iter()
            .filter(|r| r.layer == role)
            .flat_map(|r| r.when.iter())
            .map(|c| c.field.clone())
            .collect();
        fields.sort();
        fields.dedup();
        fields
    }

    /// Field names the rules for `role` test that `layer` does not have (a likely typo, or the
    /// wrong layer): the caller should refuse to run rather than silently match nothing.
    pub fn missing_fields(&self, role: &str, layer: &Layer) -> Vec<String> {
        let mut missing: Vec<String> = self
            .rules
            .iter()
            .filter(|r| r.layer == role)
            .flat_map(|r| r.when.iter())
            .filter(|c| layer.field_index(&c.field).is_none())
            .map(|c| c.field.clone())
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }
}

fn toml_from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, RulesError> {
    toml::from_str(text).map_err(|e| RulesError::Parse(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Field, FieldKind};

    fn landuse(codes: &[&str]) -> Layer {
        let mut l = Layer::new("landuse");
        l.fields.push(Field::new("DLBM", FieldKind::Text));
        for (i, c) in codes.iter().enumerate() {
            l.features
                .push(Feature::new(i + 1, None, vec![Value::Text(c.to_string())]));
        }
        l
    }

    fn decide(rules: &Rules, codes: &[&str]) -> Vec<Decision> {
        let l = landuse(codes);
        l.features
            .iter()
            .map(|f| rules.classify("landuse", &l, f))
            .collect()
    }

    #[test]
    fn defaults_follow_the_survey_codes() {
        let r = Rules::builtin();
        let (g, f, rd) = (
            Decision::Obstacle(0),
            Decision::Obstacle(1),
            Decision::Obstacle(2),
        );
        use Decision::{NoMatch, NotObstacle};
        assert_eq!(
            decide(
                &r,
                &[
                    "0101", "0103", "1203", "0301", "0305", "0307", "0301K", "1003", "1004",
                    "1006", "1001", "0905", "09", "0702", "1104"
                ]
            ),
            vec![
                NotObstacle,
                NotObstacle,
                NotObstacle,
                f,
                f,
                f,
                NotObstacle,
                rd,
                rd,
                rd,
                NoMatch,
                g,
                NoMatch,
                NoMatch,
                NotObstacle
            ]
        );
    }

    #[test]
    fn the_second_surveys_codes_get_the_same_classes_through_their_own_rules() {
        use crate::survey::Standard;
        let third = Rules::builtin();
        let second = third.with_standard(Standard::Second);
        assert_eq!(second.classes(), third.classes());
        assert_eq!(second.standard(), Some(Standard::Second));
        // The same land, coded by each survey (GB/T 21010-2007 -> 2017 and the 三调 working
        // classification): cropland, ridges, orchard, grass, pond, forest ×3, roads ×3,
        // cemetery, village land.
        let pairs = [
            ("011", "0101"),
            ("013", "0103"),
            ("123", "1203"),
            ("021", "0201"),
            ("043", "0404"),
            ("114", "1104"),
            ("031", "0301"),
            ("032", "0305"),
            ("033", "0307"),
            ("102", "1003"),
            ("103", "1004"),
            ("104", "1006"),
            ("095", "0905"),
            ("203", "0702"),
        ];
        let (old, new): (Vec<&str>, Vec<&str>) = pairs.iter().copied().unzip();
        assert_eq!(decide(&second, &old), decide(&third, &new));
        // Rules for one standard match nothing of the other: the failure this prevents.
        let wrong = decide(&third, &old);
        assert_eq!(wrong[9..12], [Decision::NoMatch; 3], "roads lost");
        // A user's rule stays first.
        let user = Rules::from_toml_str(
            "[[rule]]\nclass = \"grave\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\", equals = \"205\" }]\n",
        )
        .unwrap()
        .with_standard(Standard::Second);
        assert_eq!(
            decide(&user, &["205", "104"]),
            [Decision::Obstacle(0), Decision::Obstacle(2)]
        );
    }

    #[test]
    fn a_rules_file_adds_the_undivided_09_before_the_defaults() {
        let r = Rules::from_toml_str(
            "[[rule]]\nclass = \"grave\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\", equals = \"09\" }]\n",
        )
        .unwrap();
        assert_eq!(
            decide(&r, &["09", "0905", "0301"]),
            vec![
                Decision::Obstacle(0),
                Decision::Obstacle(0),
                Decision::Obstacle(1)
            ]
        );
    }

    #[test]
    fn a_rule_on_an_unknown_layer_is_an_error_naming_the_rule_and_the_layers() {
        let e = Rules::from_toml_str(
            "[[rule]]\nclass = \"grave\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\", equals = \"09\" }]\n[[rule]]\nclass = \"forest\"\nlayer = \"land_use\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("rule 2 (class 'forest', layer 'land_use')"),
            "{e}"
        );
        assert!(e.contains("landuse, graves, roads"), "{e}");
        // Rules classify obstacles, not the patches themselves.
        let e = Rules::from_toml_str("[[rule]]\nclass = \"forest\"\nlayer = \"patches\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not to 'patches'"), "{e}");
    }

    #[test]
    fn cropland_stays_out_even_if_a_later_rule_would_match() {
        // A careless user rule after the defaults cannot turn cropland into an obstacle...
        let mut rules = Rules::defaults();
        rules.push(Rule {
            class: "forest".into(),
            layer: "landuse".into(),
            when: vec![],
            note: None,
        });
        let r = Rules::new(rules).unwrap();
        assert_eq!(
            decide(&r, &["0101", "0702"]),
            vec![Decision::NotObstacle, Decision::Obstacle(1)]
        );
    }

    #[test]
    fn numeric_conditions_and_new_classes() {
        let r = Rules::from_toml_str(
            "defaults = false\n[[rule]]\nclass = \"pond\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\", prefix = \"11\" }, { field = \"DLBM\", lt = 1105 }]\n",
        )
        .unwrap();
        assert_eq!(r.classes(), ["grave", "forest", "road", "steep", "pond"]);
        assert_eq!(
            decide(&r, &["1104", "1107", "0301"]),
            vec![Decision::Obstacle(4), Decision::NoMatch, Decision::NoMatch]
        );
    }

    #[test]
    fn typos_and_ambiguous_conditions_are_errors() {
        let e = Rules::from_toml_str("[[rule]]\nclass = \"forest\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\", prefx = \"03\" }]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("prefx"), "{e}");
        let e = Rules::from_toml_str("[[rule]]\nclass = \"forest\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\", prefix = \"03\", equals = \"0301\" }]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rule 1") && e.contains("exactly one"), "{e}");
        let e = Rules::from_toml_str(
            "[[rule]]\nclass = \"forest\"\nlayer = \"landuse\"\nwhen = [{ field = \"DLBM\" }]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no test"), "{e}");
    }

    #[test]
    fn the_fields_rules_test_are_listed_per_layer() {
        // The built-in rules test DLBM on the land-use layer and nothing on graves or roads
        // (every feature of those layers is an obstacle).
        assert_eq!(Rules::builtin().fields("landuse"), vec!["DLBM".to_string()]);
        assert!(Rules::builtin().fields("graves").is_empty());
        let r = Rules::from_toml_str(
            "[[rule]]\nlayer = \"landuse\"\nclass = \"forest\"\nwhen = [{ field = \"DLBM\", prefix = \"03\" }, { field = \"ZZSX\", equals = \"1\" }]\n[[rule]]\nlayer = \"landuse\"\nclass = \"none\"\nwhen = [{ field = \"DLBM\", equals = \"0101\" }]\n",
        );
        let r = r.unwrap();
        assert_eq!(
            r.fields("landuse"),
            vec!["DLBM".to_string(), "ZZSX".to_string()]
        );
        assert!(r.fields("roads").is_empty());
    }

    #[test]
    fn numbers_in_numeric_fields_match_text_literals() {
        let mut l = Layer::new("landuse");
        l.fields.push(Field::new("GDPDJB", FieldKind::Integer));
        l.features.push(Feature::new(1, None, vec![Value::Int(5)]));
        l.features.push(Feature::new(2, None, vec![Value::Int(4)]));
        l.features.push(Feature::new(3, None, vec![Value::Null]));
        let r = Rules::from_toml_str("defaults = false\n[[rule]]\nclass = \"steep\"\nlayer = \"landuse\"\nwhen = [{ field = \"GDPDJB\", equals = \"5\" }]\n").unwrap();
        let d: Vec<_> = l
            .features
            .iter()
            .map(|f| r.classify("landuse", &l, f))
            .collect();
        assert_eq!(
            d,
            vec![Decision::Obstacle(3), Decision::NoMatch, Decision::NoMatch]
        );
        assert!(r.missing_fields("landuse", &l).is_empty());
        assert_eq!(
            Rules::builtin().missing_fields("landuse", &l),
            vec!["DLBM".to_string()]
        );
    }
}
