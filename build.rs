//! The opt-in test suites (docs/src/testing.md).
//!
//! The PostgreSQL and desktop-keyring suites need system services a fresh
//! machine lacks. Each is behind one named variable: set to `1`, the suite
//! runs (and fails loudly if the service is missing); unset, its tests are
//! compiled but marked ignored with the variable's name, so `cargo test`
//! reports them as "ignored" instead of passing as if they had run. A cfg
//! rather than a runtime check because libtest can only ignore at compile
//! time.

/// Each opt-in: the variable a user sets and the cfg the tests read.
const OPT_INS: [(&str, &str); 2] = [
    ("LLMCFG_TEST_POSTGRES", "llmcfg_test_postgres"),
    ("LLMCFG_TEST_KEYRING", "llmcfg_test_keyring"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in OPT_INS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        match std::env::var(var).as_deref() {
            Ok("1") => println!("cargo::rustc-cfg={cfg}"),
            Ok("0" | "") | Err(std::env::VarError::NotPresent) => {}
            Ok(other) => {
                panic!("{var}={other:?}: set it to 1 to run the suite, or 0 or unset to skip it")
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                panic!("{var} is not UTF-8: set it to 1 to run the suite, or 0 or unset to skip it")
            }
        }
    }
}
