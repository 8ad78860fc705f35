//! The map as a PNG: the SVG of [`super::svg`] rasterised with resvg (pure Rust), at [`DPI`]
//! (300 dots per inch: the default 277 mm page is 3272 × 2244 pixels, about 0.4 MB), white
//! background, with the resolution recorded in the file (`pHYs`) so a word processor places it at
//! its printed size.
//!
//! **Fonts.** Text is drawn with the system's fonts (fontconfig's list, loaded once per process).
//! The map's Chinese needs a CJK font: the first of [`super::svg::FONT_FAMILY`] that is
//! installed, else any installed font that has Chinese characters. With none (a bare Linux
//! server), the Chinese text would come out as empty boxes, so [`write()`] returns a warning
//! saying which package to install (Debian/Ubuntu: `fonts-noto-cjk`; `fonts-wqy-microhei` is a
//! smaller one). The SVG and HTML maps need no font on the machine that writes them: the viewer's
//! fonts draw their text.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use tuban_core::report::Report;

use super::atomic::write_atomically;
use super::svg::{self, MapOptions};
use super::WriteError;

/// The default resolution: 300 dots per inch, print quality at A4.
pub const DPI: f64 = 300.0;

/// A rendered map.
#[derive(Debug, Clone)]
pub struct Png {
    /// The PNG file's bytes.
    pub data: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Things the user should know (no CJK font installed).
    pub warnings: Vec<String>,
}

/// Writes the map to `path` as a PNG at [`DPI`], whole or not at all. Returns warnings (see the
/// module documentation) for the run to report.
pub fn write(report: &Report, opts: &MapOptions, path: &Path) -> Result<Vec<String>, WriteError> {
    let png = render(report, opts, DPI).map_err(|e| WriteError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    write_atomically(path, |w| w.write_all(&png.data))?;
    Ok(png.warnings)
}

/// Renders the map at `dpi` dots per inch of the page (`opts.width_mm` wide).
pub fn render(report: &Report, opts: &MapOptions, dpi: f64) -> Result<Png, String> {
    rasterise(&svg::render(report, opts), dpi)
}

/// Rasterises an SVG document at `dpi` (its `width` and `height` in mm say its size), on white.
pub fn rasterise(svg_text: &str, dpi: f64) -> Result<Png, String> {
    if !(1.0..=2400.0).contains(&dpi) {
        return Err(format!("cannot render a map at {dpi} dpi: use 1 to 2400"));
    }
    let fonts = fonts();
    let mut warnings = Vec::new();
    let needs_cjk = svg_text.chars().any(|c| (c as u32) >= 0x2E80);
    let mut options = usvg::Options {
        fontdb: Arc::clone(&fonts.db),
        languages: vec!["zh-CN".into(), "en".into()],
        ..Default::default()
    };
    match &fonts.cjk {
        Some(family) => options.font_family = family.clone(),
        None if needs_cjk => warnings.push(
            "no font with Chinese characters is installed: the PNG map's Chinese text shows as \
             empty boxes (install one: Debian/Ubuntu `apt-get install fonts-noto-cjk`; the SVG \
             and HTML maps are not affected)"
                .to_string(),
        ),
        None => {
            if let Some(f) = &fonts.any {
                options.font_family = f.clone();
            }
        }
    }
    if fonts.any.is_none() {
        warnings.push("no fonts are installed: the PNG map has no text".to_string());
    }
    let tree = usvg::Tree::from_str(svg_text, &options).map_err(|e| format!("the map: {e}"))?;
    let k = dpi / 96.0;
    let size = tree.size();
    let width = (f64::from(size.width()) * k).round() as u32;
    let height = (f64::from(size.height()) * k).round() as u32;
    let mut pixmap = Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| format!("cannot allocate a {width} × {height} pixel image"))?;
    pixmap.fill(Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_scale(k as f32, k as f32),
        &mut pixmap.as_mut(),
    );
    let data = pixmap.encode_png().map_err(|e| format!("PNG: {e}"))?;
    Ok(Png {
        data: with_resolution(data, dpi),
        width: pixmap.width(),
        height: pixmap.height(),
        warnings,
    })
}

/// The system's fonts, and the families to draw with.
struct Fonts {
    db: Arc<fontdb::Database>,
    /// A family with Chinese characters, preferring those of the map's font stack.
    cjk: Option<String>,
    /// Any family at all, sans-serif if possible.
    any: Option<String>,
}

/// Loads the system's fonts once per process.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let cjk = cjk_family(&db);
        let family = |f: &fontdb::FaceInfo| {
            f.families
                .iter()
                .find(|n| n.1 == fontdb::Language::English_UnitedStates)
                .or(f.families.first())
                .map(|n| n.0.clone())
        };
        // Any family, a sans-serif one if there is (the map's text is set in sans-serif).
        let any = db
            .faces()
            .filter_map(family)
            .find(|n| n.contains("Sans"))
            .or_else(|| db.faces().find_map(family));
        if let Some(f) = cjk.as_ref().or(any.as_ref()) {
            db.set_sans_serif_family(f.clone());
        }
        Fonts {
            db: Arc::new(db),
            cjk,
            any,
        }
    })
}

/// The family to draw Chinese with: the first of the map's font stack that is installed and has
/// Chinese characters, else the first installed regular face that has them.
fn cjk_family(db: &fontdb::Database) -> Option<String> {
    let has_chinese = |id| has_chars(db, id, &['村', '图']);
    for name in svg::FONT_FAMILY.split(',') {
        let name = name.trim().trim_matches('\'');
        if name == "sans-serif" {
            continue;
        }
        let q = fontdb::Query {
            families: &[fontdb::Family::Name(name)],
            ..Default::default()
        };
        if let Some(id) = db.query(&q) {
            if has_chinese(id) {
                return Some(name.to_string());
            }
        }
    }
    // Sans faces first (a name with "Sans" or "Hei"), then anything.
    let mut found: Vec<(bool, String)> = db
        .faces()
        .filter(|f| f.style == fontdb::Style::Normal && !f.monospaced)
        .filter(|f| has_chinese(f.id))
        .filter_map(|f| {
            let name = f
                .families
                .iter()
                .find(|n| n.1 == fontdb::Language::English_UnitedStates)
                .or(f.families.first())?
                .0
                .clone();
            let sans = name.contains("Sans") || name.contains("Hei");
            Some((!sans, name))
        })
        .collect();
    found.sort();
    found.into_iter().next().map(|(_, n)| n)
}

/// Does face `id` map every one of `chars` to a glyph?
fn has_chars(db: &fontdb::Database, id: fontdb::ID, chars: &[char]) -> bool {
    db.with_face_data(id, |data, index| {
        skrifa::FontRef::from_index(data, index).is_ok_and(|font| {
            let map = skrifa::MetadataProvider::charmap(&font);
            chars.iter().all(|&c| map.map(c).is_some())
        })
    })
    .unwrap_or(false)
}

/// Inserts a `pHYs` chunk (the resolution, in pixels per metre) after the PNG's header chunk.
fn with_resolution(png: Vec<u8>, dpi: f64) -> Vec<u8> {
    // Signature (8 bytes), then IHDR: length 13, type, data, CRC = 25 bytes.
    if png.len() < 33 || &png[12..16] != b"IHDR" {
        return png;
    }
    let ppm = (dpi / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&ppm.to_be_bytes());
    chunk.extend_from_slice(&ppm.to_be_bytes());
    chunk.push(1); // unit: metre
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..33]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[33..]);
    out
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: it runs over 13 bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_a_known_chunk() {
        // The CRC-32 check value, and the IEND chunk's CRC every PNG ends with.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn the_resolution_is_recorded_and_the_png_still_decodes() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10mm" height="5mm" viewBox="0 0 10 5"><rect width="5" height="5" fill="#000"/></svg>"##;
        let png = rasterise(svg, 254.0).unwrap();
        assert_eq!((png.width, png.height), (100, 50));
        let at = png.data.windows(4).position(|w| w == b"pHYs").unwrap();
        assert_eq!(&png.data[at + 4..at + 8], &10_000u32.to_be_bytes());
        let back = Pixmap::decode_png(&png.data).unwrap();
        assert_eq!((back.width(), back.height()), (100, 50));
        // Left half black, right half the white background.
        assert_eq!(back.pixel(10, 25).unwrap().red(), 0);
        assert_eq!(back.pixel(90, 25).unwrap().red(), 255);
    }
}
