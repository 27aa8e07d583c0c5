#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oos_fuzz_checks::range_and_conditions::check(data));
