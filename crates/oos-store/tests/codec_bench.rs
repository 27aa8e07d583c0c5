//! Measures the two Reed-Solomon crates DESIGN §7 names, on 1 MiB stripes (N data shards of
//! 1 MiB / N each): encode throughput and reconstruct throughput with M data shards lost (the
//! worst case a degraded read or heal meets). Run in release:
//! `cargo test -p oos-store --release --test codec_bench -- --ignored --nocapture`.
//! The numbers and the choice are recorded in `src/codec.rs`.

use std::time::{Duration, Instant};

const STRIPE: usize = 1 << 20;

fn rate(bytes: usize, iters: usize, elapsed: Duration) -> f64 {
    (bytes * iters) as f64 / elapsed.as_secs_f64() / (1 << 20) as f64
}

/// Runs `f` repeatedly for about 0.5 s and returns iterations and elapsed time.
fn time(mut f: impl FnMut()) -> (usize, Duration) {
    f();
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < Duration::from_millis(500) {
        f();
        n += 1;
    }
    (n, start.elapsed())
}

fn shards(n: usize, len: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| (0..len).map(|j| (i * 7 + j * 13) as u8).collect())
        .collect()
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn reed_solomon_crates() {
    for (n, m) in [(4usize, 2usize), (8, 4)] {
        let len = STRIPE / n;
        let data = shards(n, len);

        // reed-solomon-erasure (GF(2^8), pure Rust: the `simd-accel` feature needs a C compiler)
        let rse = reed_solomon_erasure::galois_8::ReedSolomon::new(n, m).unwrap();
        let mut all: Vec<Vec<u8>> = data.clone();
        all.extend((0..m).map(|_| vec![0u8; len]));
        let (it, el) = time(|| rse.encode(&mut all).unwrap());
        let enc = rate(STRIPE, it, el);
        let (it, el) = time(|| {
            let mut opt: Vec<Option<Vec<u8>>> = all.iter().cloned().map(Some).collect();
            for s in opt.iter_mut().take(m) {
                *s = None;
            }
            rse.reconstruct_data(&mut opt).unwrap();
        });
        let rec = rate(STRIPE, it, el);
        println!(
            "reed-solomon-erasure EC_{n}_{m}: encode {enc:.0} MiB/s, reconstruct {rec:.0} MiB/s"
        );

        // reed-solomon-simd (Leopard-style FFT over GF(2^16))
        let (it, el) = time(|| {
            reed_solomon_simd::encode(n, m, &data).unwrap();
        });
        let enc = rate(STRIPE, it, el);
        let parity = reed_solomon_simd::encode(n, m, &data).unwrap();
        let (it, el) = time(|| {
            let originals = data.iter().enumerate().skip(m);
            let recovery = parity.iter().enumerate();
            let got = reed_solomon_simd::decode(n, m, originals, recovery).unwrap();
            assert_eq!(got.len(), m);
        });
        let rec = rate(STRIPE, it, el);
        println!(
            "reed-solomon-simd    EC_{n}_{m}: encode {enc:.0} MiB/s, reconstruct {rec:.0} MiB/s"
        );
    }
}
