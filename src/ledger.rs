//! `tuban ledger`: arguments, printing and exit codes of the farmland ledger; the work is in
//! `crates/ledger` (`tuban-ledger`).
//!
//! Exit codes: 0 the ledger was made and every stated figure agrees; 1 bad input (as `tuban run`);
//! 3 some compensation plots could not be measured (listed; the ledger leaves them out);
//! 4 the ledger was made and written, but the audit flagged a stated figure: a script that checks
//! a document must not mistake a slip for a clean result. 3 wins over 4.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tuban_ledger::{Error, LedgerProject};

pub const EXAMPLE: &str = "Examples:
  tuban ledger fixtures/erping/ledger.toml
  tuban ledger fixtures/erping/ledger.toml --json
  tuban ledger fixtures/erping/ledger.toml -o out/ledger.xlsx -o out/ledger.csv -o out/ledger.html --overwrite

Exit codes: 0 every stated figure agrees; 1 bad input; 3 some compensation plots failed;
4 the audit flagged a stated figure.";

#[derive(Args)]
pub struct LedgerArgs {
    /// The ledger file (TOML: dltb, pbf, protection, ... [targets], [stated]).
    ledger: PathBuf,
    /// Write these outputs instead of the file's (repeatable; .csv, .xlsx or .html).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    outputs: Vec<PathBuf>,
    /// Print the ledger as JSON: {"indicators", "villages", "audit", ...}.
    #[arg(long)]
    json: bool,
    /// Replace outputs that already exist.
    #[arg(long)]
    overwrite: bool,
}

pub fn ledger(args: LedgerArgs) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tuban: error: {e}");
            if matches!(e, Error::Tuban(tuban::Error::OutputExists(_))) {
                eprintln!("tuban: hint: pass --overwrite to replace existing outputs");
            }
            ExitCode::from(1)
        }
    }
}

fn run(args: LedgerArgs) -> Result<ExitCode, Error> {
    let mut project = LedgerProject::from_file(&args.ledger)?;
    if !args.outputs.is_empty() {
        project.outputs = args.outputs;
    }
    project.overwrite |= args.overwrite;
    tuban_ledger::write::check_outputs(&project.outputs, project.overwrite)?;
    let ledger = tuban_ledger::run(&project)?;
    let written = tuban_ledger::write::write_outputs(&ledger, &project.outputs, project.lang)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", tuban_ledger::show::json(&ledger)).ok();
    } else {
        for (layer, how) in &ledger.notes {
            writeln!(out, "{layer}: {how}").ok();
        }
        writeln!(out, "areas {}", ledger.method_note).ok();
        writeln!(out).ok();
        write!(out, "{}", tuban_ledger::show::table(&ledger)).ok();
        for w in &written {
            writeln!(out, "wrote {}", w.display()).ok();
        }
    }
    for w in &ledger.warnings {
        eprintln!("tuban: warning: {w}");
    }
    if ledger.failed_plots > 0 {
        eprintln!(
            "tuban: {} compensation plot(s) could not be measured (verdict `failed` in the outputs)",
            ledger.failed_plots
        );
        return Ok(ExitCode::from(3));
    }
    if ledger.flagged() {
        let n = ledger.audit.iter().filter(|r| !r.ok).count();
        eprintln!("tuban: the audit flagged {n} stated figure(s)");
        return Ok(ExitCode::from(4));
    }
    Ok(ExitCode::SUCCESS)
}
