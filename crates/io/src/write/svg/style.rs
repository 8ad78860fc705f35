//! How things are drawn: each class's colour and hatching, each verdict's fill and name.

use std::fmt::Write as _;

use tuban_core::verdict::Verdict;

use super::layout::Map;
use super::mm;
use crate::write::Lang;

/// How a class is drawn.
pub(super) struct ClassStyle {
    /// The colour of its hatching or fill and outline.
    color: &'static str,
    /// Hatch angle in degrees, or `None` for a solid fill.
    hatch: Option<f64>,
    /// Drawing order: lower first.
    pub(super) order: u8,
}

/// The drawing of the built-in classes, and a cycle for classes a rules file adds.
pub(super) fn class_style(name: &str, index: usize) -> ClassStyle {
    match name {
        "forest" => ClassStyle {
            color: "#1B5E20",
            hatch: Some(45.0),
            order: 0,
        },
        "steep" => ClassStyle {
            color: "#5E3C99",
            hatch: Some(-45.0),
            order: 1,
        },
        "road" => ClassStyle {
            color: "#3C3C3C",
            hatch: None,
            order: 3,
        },
        "grave" => ClassStyle {
            color: "#000000",
            hatch: None,
            order: 4,
        },
        _ => {
            const EXTRA: [&str; 4] = ["#0072B2", "#CC79A7", "#56B4E9", "#8C510A"];
            ClassStyle {
                color: EXTRA[index % EXTRA.len()],
                hatch: Some(if index.is_multiple_of(2) { 0.0 } else { 90.0 }),
                order: 2,
            }
        }
    }
}

/// The fill of a verdict's patches (Okabe–Ito tints), and grey for failed patches.
pub(crate) fn verdict_fill(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Rectifiable) => "#7FCFB8",
        Some(Verdict::Partly) => "#F3CF7F",
        Some(Verdict::NotRectifiable) => "#DF8640",
        None => "#D0D0D0",
    }
}

/// A verdict's name in the legend and tooltips (`None`: a failed patch).
pub(super) fn verdict_label(v: Option<Verdict>, lang: Lang) -> &'static str {
    match (v, lang) {
        (Some(v), Lang::Zh) => v.zh(),
        (Some(Verdict::Rectifiable), Lang::En) => "rectifiable",
        (Some(Verdict::Partly), Lang::En) => "partly rectifiable",
        (Some(Verdict::NotRectifiable), Lang::En) => "not rectifiable",
        (None, Lang::Zh) => "处理失败",
        (None, Lang::En) => "failed",
    }
}

/// The hatch patterns of the hatched classes.
pub(super) fn defs(out: &mut String, map: &Map) {
    out.push_str("<defs>\n");
    let step = mm(1.1);
    for (c, name) in map.report.classes.iter().enumerate() {
        let st = class_style(name, c);
        if let Some(angle) = st.hatch {
            let _ = writeln!(
                out,
                r#"<pattern id="hatch-{c}" patternUnits="userSpaceOnUse" width="{step:.2}" height="{step:.2}" patternTransform="rotate({angle})"><rect width="{step:.2}" height="{step:.2}" fill="{col}" fill-opacity="0.25"/><line x1="0" y1="0" x2="0" y2="{step:.2}" stroke="{col}" stroke-width="{sw:.2}"/></pattern>"#,
                col = st.color,
                sw = mm(0.25),
            );
        }
    }
    out.push_str("</defs>\n");
}

/// The fill and stroke attributes of class `c`'s pieces.
pub(super) fn class_paint(c: usize, name: &str) -> String {
    let st = class_style(name, c);
    match st.hatch {
        Some(_) => format!(
            r#"fill="url(#hatch-{c})" stroke="{}" stroke-width="{:.2}""#,
            st.color,
            mm(0.18)
        ),
        None => format!(
            r#"fill="{col}" stroke="{col}" stroke-width="{:.2}" stroke-linejoin="round""#,
            mm(0.22),
            col = st.color
        ),
    }
}

/// The outline drawn over the obstacles around each patch that is not rectifiable: such a
/// patch is nearly all covered by obstacles, which would hide its fill.
pub(super) const NOT_RECTIFIABLE_OUTLINE: &str = "#B33F00";
