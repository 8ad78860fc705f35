//! WKT text to a tree of nodes: a small recursive-descent parser for WKT1 and WKT2 (brackets or
//! parentheses, quoted strings with doubled quotes, numbers, bare words), bounded in depth.

/// Deepest nesting accepted: real WKT2 goes 5 levels deep; the limit keeps hostile input from
/// exhausting the stack.
const MAX_DEPTH: usize = 32;

/// One value inside a WKT node's brackets.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    Node(Node),
    Text(String),
    Number(f64),
    /// A bare word, e.g. `NORTH` in `AXIS["Northing",NORTH]` or `Cartesian` in `CS[Cartesian,2]`.
    Word(String),
}

/// `KEYWORD[item, item, ...]` (or with parentheses, which WKT1 also allows).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    /// Upper-cased keyword.
    pub(super) keyword: String,
    pub(super) items: Vec<Item>,
}

impl Node {
    /// The first quoted string: the name of a CRS, datum, parameter…
    pub(super) fn name(&self) -> &str {
        self.items
            .iter()
            .find_map(|i| match i {
                Item::Text(s) => Some(s.as_str()),
                _ => None,
            })
            .unwrap_or("")
    }

    /// The `i`-th number among the items.
    pub(super) fn number(&self, i: usize) -> Option<f64> {
        self.items
            .iter()
            .filter_map(|item| match item {
                Item::Number(x) => Some(*x),
                _ => None,
            })
            .nth(i)
    }

    /// Direct child nodes whose keyword is one of `keywords`.
    pub(super) fn children<'a>(
        &'a self,
        keywords: &'a [&'a str],
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.items.iter().filter_map(move |i| match i {
            Item::Node(n) if keywords.contains(&n.keyword.as_str()) => Some(n),
            _ => None,
        })
    }

    /// The first direct child node with one of `keywords`.
    pub(super) fn child(&self, keywords: &[&str]) -> Option<&Node> {
        self.items.iter().find_map(|i| match i {
            Item::Node(n) if keywords.contains(&n.keyword.as_str()) => Some(n),
            _ => None,
        })
    }

    /// A bare word among the items (case-insensitive match).
    pub(super) fn has_word(&self, word: &str) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, Item::Word(w) if w.eq_ignore_ascii_case(word)))
    }
}

/// A small recursive-descent WKT reader over bytes (names may hold UTF-8, e.g. Chinese).
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }

    fn node(&mut self, keyword: String, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let close = match self.peek() {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(format!("expected '[' after {keyword}")),
        };
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(close) && items.is_empty() {
                self.pos += 1;
                break;
            }
            items.push(self.item(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    return Err(format!(
                        "unexpected '{}' at byte {} inside {keyword}",
                        c as char, self.pos
                    ))
                }
                None => return Err(format!("text ends inside {keyword}[...]")),
            }
        }
        Ok(Node {
            keyword: keyword.to_ascii_uppercase(),
            items,
        })
    }

    fn item(&mut self, depth: usize) -> Result<Item, String> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                let mut bytes = Vec::new();
                loop {
                    match self.peek() {
                        None => return Err("unterminated quoted string".into()),
                        Some(b'"') if self.s.get(self.pos + 1) == Some(&b'"') => {
                            bytes.push(b'"');
                            self.pos += 2;
                        }
                        Some(b'"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            bytes.push(c);
                            self.pos += 1;
                        }
                    }
                }
                Ok(Item::Text(String::from_utf8_lossy(&bytes).into_owned()))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
                let start = self.pos;
                while self.peek().is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
                }) {
                    self.pos += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                text.parse::<f64>()
                    .map(Item::Number)
                    .map_err(|_| format!("'{text}' is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let word = self.ident();
                self.skip_ws();
                if matches!(self.peek(), Some(b'[') | Some(b'(')) {
                    Ok(Item::Node(self.node(word, depth + 1)?))
                } else {
                    Ok(Item::Word(word))
                }
            }
            Some(c) => Err(format!("unexpected '{}' at byte {}", c as char, self.pos)),
            None => Err("text ends too early".into()),
        }
    }
}

/// Parse a WKT text into its root node.
pub(super) fn parse(text: &str) -> Result<Node, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    p.skip_ws();
    if !p.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err("it does not start with a WKT keyword".into());
    }
    let keyword = p.ident();
    p.skip_ws();
    // Trailing text (a newline, NUL padding) is ignored.
    p.node(keyword, 0)
}

/// Lower-case, every run of characters other than letters and digits turned into one `_`:
/// `CGCS2000 / 3-degree Gauss-Kruger CM 105E` → `cgcs2000_3_degree_gauss_kruger_cm_105e`.
pub(super) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Letters and digits only, lower-cased: parameter and method names compare this way
/// (`False_Easting`, `false easting`, `FalseEasting` are the same).
pub(super) fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_nodes_and_escapes() {
        let n = parse(r#"A["x ""q""",1.5,B(2,-3e2),NORTH]"#).unwrap();
        assert_eq!(n.keyword, "A");
        assert_eq!(n.name(), "x \"q\"");
        assert_eq!(n.number(0), Some(1.5));
        assert_eq!(n.child(&["B"]).unwrap().number(1), Some(-300.0));
        assert!(n.has_word("north"));
    }

    #[test]
    fn rejects_malformed_text_without_panicking() {
        for bad in [
            "", "[", "A[", "A[\"x", "A[1,", "A[1 2]", "A[B[C[", "42", "A[--]",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "A[".repeat(100);
        assert!(parse(&deep).is_err());
    }
}
