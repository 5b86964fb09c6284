//! Serve the bundled fixture sites on loopback until interrupted, so the
//! real binary can be pointed at them by hand (`scan`, the gate, `diff`,
//! the HTML screenshot script).
//!
//! `cargo run --example serve_sites -- [SITE…]` (default: every bundled
//! site). Prints one `NAME URL` line per site (the URL to scan), then serves until interrupted.
#![allow(clippy::print_stdout, reason = "an example reports on stdout")]

use agentready::fixture::{Site, serve};
use std::io::Write;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = Site::bundled_names();
    }
    let mut running = Vec::new();
    for name in &names {
        let site = serve(Site::bundled(name)?).await?;
        println!("{name} {}", site.target);
        running.push(site);
    }
    std::io::stdout().flush()?;
    // Serve until the process is interrupted (Ctrl-C, or kill).
    std::future::pending::<()>().await;
    Ok(())
}
