//! Whole-or-nothing file output.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::WriteError;

/// Writes `path` (creating its folder if needed) by calling `fill` on a buffered temporary file in the same directory, then
/// renaming it over `path`. If `fill` fails, or the process dies first, `path` is untouched and
/// the temporary file is removed (or, after a kill, left as an obviously named `.tuban-*` file).
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // The output's folder is created if missing (e.g. `out/` in a project file).
    fs::create_dir_all(&dir).map_err(io)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tuban-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(io)?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        fill(&mut w).map_err(io)?;
        w.flush().map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    // Make the new file readable like any other the user creates (tempfile makes it 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o644));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        fs::write(&out, "old").unwrap();
        let err = write_atomically(&out, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("out.csv") && err.to_string().contains("disk on fire"));
        assert_eq!(fs::read_to_string(&out).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&out, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
