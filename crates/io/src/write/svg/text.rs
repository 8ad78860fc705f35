//! Text on the map: escaping, approximate widths, wrapping and number grouping.

/// Escapes text for XML and HTML content and attribute values, dropping the control characters
/// XML 1.0 forbids (a DBF's padding bytes, say), so user data can never break the document.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Is `c` drawn about one em wide (CJK and other wide characters)?
fn is_wide(c: char) -> bool {
    (c as u32) >= 0x2E80
}

/// The approximate width of `s` set at `size` (in the same unit): wide characters one em, others
/// 0.56 em (a sans-serif's average).
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.56 })
        .sum::<f64>()
        * size
}

/// Splits `s` into lines no wider than `width` at `size`: at spaces for Latin text, anywhere
/// between wide characters.
pub(super) fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // Tokens: a run of non-space narrow characters, a single wide character, or a space; a
    // closing mark stays with what precedes it and an opening one with what follows (no line
    // starts with `）` or ends with `（`).
    const CLOSING: &str = "，。；：、？！）〕」』》】,.;:)]!?%°";
    const OPENING: &str = "（〔「『《【([";
    let mut tokens: Vec<String> = Vec::new();
    for c in s.chars() {
        let last = tokens.last().and_then(|t| t.chars().last());
        let glue = match last {
            None => false,
            Some(l) if OPENING.contains(l) => true,
            Some(_) if CLOSING.contains(c) => true,
            Some(l) => !is_wide(c) && c != ' ' && !is_wide(l) && l != ' ',
        };
        if glue {
            tokens.last_mut().expect("a token").push(c);
        } else {
            tokens.push(c.to_string());
        }
    }
    for t in tokens {
        if !line.is_empty() && text_width(&line, size) + text_width(&t, size) > width {
            lines.push(line.trim_end().to_string());
            line.clear();
            if t == " " {
                continue;
            }
        }
        line.push_str(&t);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Formats a number with `decimals` decimals, grouping thousands with spaces (`12 345.67`), as GB 3101
/// groups digits; an ASCII space, not a thin space (U+2009), which GBK cannot hold.
pub(super) fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.find('.') {
        Some(d) => (&s[..d], &s[d..]),
        None => (s.as_str(), ""),
    };
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(' ');
        }
        g.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    format!("{sign}{g}{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_drops_what_xml_forbids() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\u{0}村"),
            "a&lt;b&gt;&amp;&quot;c&#39;村"
        );
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_between_wide_characters() {
        let lines = wrap("Areas: ellipsoidal, on the CGCS2000 ellipsoid", 1.0, 12.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines
            .iter()
            .all(|l| text_width(l, 1.0) <= 12.0 || !l.contains(' ')));
        assert_eq!(
            lines.join(" "),
            "Areas: ellipsoidal, on the CGCS2000 ellipsoid"
        );
        let zh = wrap("面积：椭球面积（CGCS2000 椭球）", 1.0, 6.0);
        assert_eq!(
            zh.concat().replace(' ', ""),
            "面积：椭球面积（CGCS2000椭球）"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(12_345.678, 2), "12 345.68");
        assert_eq!(grouped(-0.001, 2), "0.00");
    }
}
