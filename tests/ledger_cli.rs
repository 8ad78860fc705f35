//! `tuban ledger` on the Erping fixture: the JSON contract, the outputs and the exit codes.

use std::process::Command;

fn tuban() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tuban"))
}

const LEDGER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/erping/ledger.toml");

#[test]
fn json_outputs_and_exit_code_4_for_a_flagged_figure() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ledger.csv");
    let xlsx = dir.path().join("ledger.xlsx");
    let html = dir.path().join("ledger.html");
    let out = tuban()
        .args(["ledger", LEDGER, "--json", "-o"])
        .arg(&csv)
        .arg("-o")
        .arg(&xlsx)
        .arg("-o")
        .arg(&html)
        .output()
        .unwrap();
    // The plan's two slips are flagged: the ledger is made, but not clean.
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["indicators"]["cropland_mu"], 16117.1);
    assert_eq!(j["indicators"]["cropland_gap_mu"], 61.9);
    let audit = j["audit"].as_array().unwrap();
    let gap = audit
        .iter()
        .find(|r| r["figure"] == "cropland_gap_mu")
        .unwrap();
    assert_eq!(gap["stated"], 62.35);
    assert_eq!(gap["from_stated"], 61.9);
    assert_eq!(gap["from_layers"], 61.9);
    assert_eq!(gap["ok"], false);
    assert_eq!(j["villages"].as_array().unwrap().len(), 6);
    for name in [
        "ledger.csv",
        "ledger_villages.csv",
        "ledger_audit.csv",
        "ledger_matrix.csv",
        "ledger_compensation.csv",
        "ledger_cases.csv",
        "ledger.xlsx",
    ] {
        assert!(dir.path().join(name).is_file(), "{name}");
    }
    // The page: the map's layers, the six plots, the two flagged audit rows.
    let page = std::fs::read_to_string(&html).unwrap();
    for class in [
        "cropland", "pbf", "not-pbf", "outside", "outflow", "inflow", "cases",
    ] {
        assert!(
            page.contains(&format!("<path class=\"{class}\"")),
            "{class}"
        );
    }
    assert_eq!(page.matches("<path class=\"plot\"").count(), 6);
    assert_eq!(page.matches("<tr class=\"flag\">").count(), 2);
    let text = std::fs::read_to_string(dir.path().join("ledger_audit.csv")).unwrap();
    assert!(
        text.contains("restoration_pct,31.76,31.68,31.68,false"),
        "{text}"
    );
    // Outputs exist now: refused without --overwrite (exit 1), replaced with it.
    let again = tuban()
        .args(["ledger", LEDGER, "-o"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--overwrite"));
    let again = tuban()
        .args(["ledger", LEDGER, "--overwrite", "-o"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(4));
    let table = String::from_utf8_lossy(&again.stdout);
    assert!(
        table.contains("audit: 2 of 22 stated figures flagged"),
        "{table}"
    );
}
