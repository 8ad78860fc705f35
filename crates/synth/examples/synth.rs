//! `cargo run --release -p tuban-synth --example synth -- --patches N --out DIR [--seed S] [--no-dem] [--threads T]`
//!
//! The generator without the `tuban` binary (the benchmark comparison uses `tuban synth` when
//! the binary has it, this otherwise).

use std::path::PathBuf;

fn main() {
    let mut opts = tuban_synth::SynthOptions::default();
    let mut threads = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--patches" => opts.patches = value().parse().unwrap_or_else(|_| usage("--patches N")),
            "--out" => opts.out = PathBuf::from(value()),
            "--seed" => opts.seed = value().parse().unwrap_or_else(|_| usage("--seed S")),
            "--threads" => threads = value().parse().unwrap_or_else(|_| usage("--threads T")),
            "--no-dem" => opts.dem = false,
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    match pool.install(|| tuban_synth::generate(&opts)) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn usage(msg: &str) -> ! {
    eprintln!("{msg}\nusage: synth --patches N --out DIR [--seed S] [--no-dem] [--threads T]");
    std::process::exit(2);
}
