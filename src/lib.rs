//! Examples, tests and benchmarks live in this package.
