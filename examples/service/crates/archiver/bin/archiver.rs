//! Batch tool: runs the native calls and prints one line naming the target it was built for.
//! `archiver --healthcheck` exits 0 when the native libraries work.

use std::env;
use std::process;

fn main() {
    let quiet = env::args().nth(1).as_deref() == Some("--healthcheck");
    match service_core::selftest() {
        Ok(report) => {
            if !quiet {
                println!("archiver {}", report);
            }
        }
        Err(e) => {
            eprintln!("archiver: selftest failed: {}", e);
            process::exit(1);
        }
    }
}
