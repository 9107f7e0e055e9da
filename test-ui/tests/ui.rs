//! The `#[tool]` macro's compile errors and supported forms, checked with trybuild.
//!
//! `tests/ui/fail/*.rs` must each fail to compile with exactly the `.stderr` next to it;
//! `tests/ui/pass/*.rs` must compile and run. Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test --test ui` and read every one.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
