#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oos_fuzz_checks::sigv4::check(data));
