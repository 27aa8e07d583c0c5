//! Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through its target's
//! check, on stable Rust: the inputs the fuzzers kept, and those that once broke something.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use oos_fuzz_checks::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs a target's check on each input; fails naming every input whose check panicked.
fn run(target: &str) {
    let check = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, check)| *check)
        .expect("a target of that name");
    let corpus = files(&fuzz_dir().join("corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no input");
    let regressions = files(&fuzz_dir().join("regressions").join(target));
    let mut failed = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("a readable input");
        if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs of {target} failed their check:\n{}",
        failed.len(),
        corpus.len() + regressions.len(),
        failed.join("\n")
    );
}

macro_rules! corpus_tests {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                run(stringify!($target));
            }
        )*

        #[test]
        fn every_target_has_a_test_a_binary_and_a_corpus() {
            let tested = [$(stringify!($target)),*];
            let listed: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
            assert_eq!(tested.len(), listed.len());
            assert!(listed.iter().all(|n| tested.contains(n)), "{listed:?}");
            let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml"))
                .expect("fuzz/Cargo.toml");
            for name in listed {
                let source = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
                let text = std::fs::read_to_string(&source)
                    .unwrap_or_else(|_| panic!("{} is missing", source.display()));
                assert!(
                    text.contains(&format!("oos_fuzz_checks::{name}::check")),
                    "{name}.rs runs its check"
                );
                assert!(
                    manifest.contains(&format!("name = \"{name}\"")),
                    "fuzz/Cargo.toml builds {name}"
                );
            }
        }
    };
}

corpus_tests!(
    sigv4,
    sigv2,
    aws_chunked,
    xml_documents,
    range_and_conditions,
    policy,
    limit_header,
    data_location,
    router,
    post_policy,
    sse_decrypt,
);
