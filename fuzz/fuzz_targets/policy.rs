#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oos_fuzz_checks::policy::check(data));
