//! The catalogue (`checks/`, including the bot-challenge fingerprints) and
//! the example sites (`fixtures/sites/`) are embedded with `include_dir!`,
//! which Cargo does not track on stable: rebuild when they change.

fn main() {
    println!("cargo:rerun-if-changed=checks");
    println!("cargo:rerun-if-changed=fixtures/sites");
    println!("cargo:rerun-if-changed=build.rs");
}
