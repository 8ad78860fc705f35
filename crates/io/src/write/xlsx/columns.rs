//! The columns sheet (字段 / Columns), and the headers, units and meanings of the per-patch
//! columns that the other sheets use.

use rust_xlsxwriter::{Worksheet, XlsxError};
use tuban_core::report::Unit;
use tuban_core::verdict::class_zh;

use super::{write_header, Formats, Lang, Widths};

/// The header of a per-patch column in `lang`.
pub(super) fn column_title(name: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return name.to_string();
    }
    let fixed = match name {
        "patch_id" => Some("图斑编号"),
        "village" => Some("村"),
        "area_m2" => Some("图斑面积（平方米）"),
        "area_mu" => Some("图斑面积（亩）"),
        "area_ha" => Some("图斑面积（公顷）"),
        "obstacle_m2" => Some("障碍面积（平方米）"),
        "obstacle_mu" => Some("障碍面积（亩）"),
        "obstacle_ha" => Some("障碍面积（公顷）"),
        "obstacle_pct" => Some("障碍占比（%）"),
        "clean_m2" => Some("净面积（平方米）"),
        "clean_mu" => Some("净面积（亩）"),
        "clean_ha" => Some("净面积（公顷）"),
        "grave_count" => Some("坟墓数（座）"),
        "verdict" => Some("结论（英文）"),
        "verdict_zh" => Some("结论"),
        "reasons" => Some("原因（英文）"),
        "reasons_zh" => Some("原因"),
        "area_planar_m2" => Some("平面面积（平方米）"),
        "area_ellipsoidal_m2" => Some("椭球面积（平方米）"),
        "area_method" => Some("面积算法"),
        "record" => Some("记录号"),
        "error" => Some("错误"),
        _ => None,
    };
    if let Some(t) = fixed {
        return t.to_string();
    }
    // Per-class columns: C_m2, C_mu, C_pct.
    for (suffix, zh) in [
        ("_m2", "面积（平方米）"),
        ("_mu", "面积（亩）"),
        ("_pct", "占比（%）"),
    ] {
        if let Some(class) = name.strip_suffix(suffix) {
            return format!("{}{zh}", class_zh(class));
        }
    }
    name.to_string()
}

/// What a per-patch column means, for the legend.
pub(super) fn column_meaning(name: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let fixed = match name {
        "patch_id" => Some(("图斑的编号", "the patch's id")),
        "village" => Some(("图斑所属的村", "the patch's village")),
        "area_m2" | "area_mu" | "area_ha" => Some(("图斑面积", "the patch's area")),
        "obstacle_m2" | "obstacle_mu" | "obstacle_ha" => Some((
            "图斑内各类障碍的并集面积（重叠只计一次）",
            "area of the union of all obstacle classes in the patch (overlaps counted once)",
        )),
        "obstacle_pct" => Some(("障碍面积占图斑面积的百分比", "blocked share of the patch")),
        "clean_m2" | "clean_mu" | "clean_ha" => Some((
            "图斑面积减去障碍面积：可恢复的面积",
            "patch area minus the blocked area: what can be restored",
        )),
        "grave_count" => Some((
            "点位落在图斑内（含边界）的坟墓数",
            "graves whose point lies in the patch (boundary included)",
        )),
        "verdict" | "verdict_zh" => Some((
            "可整改、部分可整改或不可整改（阈值见“运行”表）",
            "rectifiable, partly or not_rectifiable (thresholds on the Run sheet)",
        )),
        "reasons" | "reasons_zh" => Some((
            "图斑内的障碍地类及面积，由大到小",
            "the obstacle classes found, each with its area, largest first",
        )),
        "area_planar_m2" => Some(("高斯-克吕格平面上的面积", "area in the Gauss-Kruger plane")),
        "area_ellipsoidal_m2" => Some((
            "椭球面积（国土调查方法）",
            "ellipsoidal area (the land survey's method)",
        )),
        "area_method" => Some((
            "其他面积列所用的算法",
            "the method of every other area column",
        )),
        "record" => Some((
            "图斑在原图层中的记录号（从1起）",
            "record number in the layer, from 1",
        )),
        "error" => Some((
            "为空，或该图斑无法计算的原因",
            "empty, or why the patch could not be measured",
        )),
        _ => None,
    };
    if let Some((z, e)) = fixed {
        return (if zh { z } else { e }).to_string();
    }
    for (suffix, z, e) in [
        (
            "_m2",
            "图斑内该类障碍的面积",
            "area of the class inside the patch",
        ),
        (
            "_mu",
            "图斑内该类障碍的面积",
            "area of the class inside the patch",
        ),
        (
            "_pct",
            "该类障碍占图斑面积的百分比",
            "share of the patch covered by the class",
        ),
    ] {
        if let Some(class) = name.strip_suffix(suffix) {
            return if zh {
                format!("{z}（{}，同类重叠只计一次）", class_zh(class))
            } else {
                format!("{e} ({class}; overlaps within the class counted once)")
            };
        }
    }
    String::new()
}

pub(super) fn unit_label(unit: Unit, lang: Lang) -> &'static str {
    match (unit, lang) {
        (Unit::Text, _) => "",
        (Unit::M2, Lang::Zh) => "平方米",
        (Unit::M2, Lang::En) => "m2",
        (Unit::Mu, Lang::Zh) => "亩",
        (Unit::Mu, Lang::En) => "mu",
        (Unit::Ha, Lang::Zh) => "公顷",
        (Unit::Ha, Lang::En) => "ha",
        (Unit::Pct, _) => "%",
        (Unit::Count, Lang::Zh) => "个",
        (Unit::Count, Lang::En) => "count",
    }
}

pub(super) fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Text => "text",
        Unit::M2 => "m2",
        Unit::Mu => "mu",
        Unit::Ha => "ha",
        Unit::Pct => "pct",
        Unit::Count => "count",
    }
}

pub(super) fn legend_sheet(
    ws: &mut Worksheet,
    lang: Lang,
    f: &Formats,
    legend: &[[String; 5]],
) -> Result<(), XlsxError> {
    let mut widths = Widths::new();
    let headers: Vec<String> = [
        lang.pick("表", "sheet"),
        lang.pick("表头", "header"),
        lang.pick("字段名", "column"),
        lang.pick("单位", "unit"),
        lang.pick("说明", "meaning"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    write_header(ws, &headers, f, &mut widths)?;
    for (i, entry) in legend.iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, s) in entry.iter().enumerate() {
            let shown = if c == 3 {
                unit_label(unit_from_name(s), lang).to_string()
            } else {
                s.clone()
            };
            if !shown.is_empty() {
                ws.write_string(row, c as u16, &shown)?;
            }
            widths.text(c, &shown);
        }
    }
    ws.autofilter(0, 0, legend.len() as u32, 4)?;
    widths.apply(ws)
}

fn unit_from_name(s: &str) -> Unit {
    match s {
        "m2" => Unit::M2,
        "mu" => Unit::Mu,
        "ha" => Unit::Ha,
        "pct" => Unit::Pct,
        "count" => Unit::Count,
        _ => Unit::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::xlsx::display_width;

    #[test]
    fn chinese_titles_of_class_columns() {
        assert_eq!(column_title("forest_mu", Lang::Zh), "林地面积（亩）");
        assert_eq!(column_title("wetland_pct", Lang::Zh), "wetland占比（%）");
        assert_eq!(column_title("obstacle_mu", Lang::En), "obstacle_mu");
        assert_eq!(display_width("中山村a"), 7);
    }
}
