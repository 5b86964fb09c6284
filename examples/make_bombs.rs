//! Regenerate the decompression bombs of the hostile-server suite:
//! `cargo run --release --example make_bombs` writes
//! fixtures/hostile/bomb-1g.gz and bomb-1g.br, each 1 GiB of spaces once
//! decompressed. They are committed so tests need not spend minutes
//! compressing a gigabyte in a debug build.
#![allow(clippy::print_stdout, reason = "a generator reports what it wrote")]

use std::io::Write;

const SIZE: usize = 1 << 30;

fn main() -> std::io::Result<()> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/hostile");
    std::fs::create_dir_all(dir)?;
    let chunk = vec![b' '; 1 << 20];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..SIZE / chunk.len() {
        gz.write_all(&chunk)?;
    }
    let gz = gz.finish()?;
    std::fs::write(format!("{dir}/bomb-1g.gz"), &gz)?;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 1 << 16, 5, 24);
        for _ in 0..SIZE / chunk.len() {
            w.write_all(&chunk)?;
        }
    }
    std::fs::write(format!("{dir}/bomb-1g.br"), &br)?;
    println!(
        "gzip {} bytes, brotli {} bytes, each {SIZE} bytes decompressed",
        gz.len(),
        br.len()
    );
    Ok(())
}
