#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fraiseql_fuzz::execute_resources(data));
