#!/usr/bin/env python3
"""What `#[tool]` costs at build time: a crate of N tools against the same N functions
written by hand with serde and schemars derives and a `match` dispatcher.

Both crates are generated into a scratch folder, built once (so their dependencies are
warm), then rebuilt whole several times, round-robin, so that a noisy machine slows both
alike; it prints the median seconds of each and their ratio, in elapsed time and in CPU
time (which a busy machine disturbs less). Then the incremental case:
one tool's body is edited and the crate rebuilt with incremental compilation on.

    python3 test-suite/benches/compile/compile_cost.py [--tools 100] [--rounds 5] [--keep DIR]

See README.md beside this file.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# The parameter types, cycled through: what real tools take.
TYPES = [
    ("String", '"a"'),
    ("Option<String>", "None"),
    ("u8", "1"),
    ("i32", "-2"),
    ("u64", "3"),
    ("f64", "0.5"),
    ("bool", "true"),
    ("Vec<String>", "Vec::new()"),
    ("Unit", "Unit::Celsius"),
    ("Option<Unit>", "None"),
    ("Place", 'Place { city: "Paris".into(), country: None }'),
]

SHARED_TYPES = """
/// A temperature unit.
#[derive(Clone, Copy, Debug, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Degrees Celsius.
    Celsius,
    /// Degrees Fahrenheit.
    Fahrenheit,
}

/// A place.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct Place {
    /// The city.
    pub city: String,
    /// The country, if known.
    pub country: Option<String>,
}
"""


def signature(index):
    """The parameters of tool `index`: 1 to 4, of mixed types."""
    count = 1 + index % 4
    return [(f"p{k}", TYPES[(index * 3 + k) % len(TYPES)][0]) for k in range(count)]


def body(index, params, salt=""):
    uses = " ".join(f"let _ = &{name};" for name, _ in params)
    return f'{{ {uses} format!("tool {index}{salt}") }}'


def ours(n, edits=None):
    out = ["//! Generated: N tools with #[tool].", "#![allow(missing_docs, unused)]",
           "use tool_runtime::{tool, ToolRegistry};", SHARED_TYPES]
    for i in range(n):
        params = signature(i)
        docs = "\n".join(f"/// * `{name}` - Parameter {name}." for name, _ in params)
        args = ", ".join(f"{name}: {ty}" for name, ty in params)
        salt = "!" * (edits or {}).get(i, 0)
        out.append(f"/// Tool number {i}.\n///\n/// # Arguments\n{docs}\n#[tool]\n"
                   f"pub fn tool_{i}({args}) -> String {body(i, params, salt)}\n")
    regs = "\n".join(f"    registry.register(Tool{i}).expect(\"valid\");" for i in range(n))
    out.append(f"pub fn registry() -> ToolRegistry {{\n    let mut registry = ToolRegistry::new();\n{regs}\n    registry\n}}\n")
    return "\n".join(out)


def baseline(n, edits=None):
    out = ["//! Generated: the same N functions, by hand: serde + schemars derives, a match.",
           "#![allow(missing_docs, unused)]", SHARED_TYPES]
    arms, schemas = [], []
    for i in range(n):
        params = signature(i)
        args = ", ".join(f"{name}: {ty}" for name, ty in params)
        fields = "\n".join(f"    /// Parameter {name}.\n    pub {name}: {ty}," for name, ty in params)
        salt = "!" * (edits or {}).get(i, 0)
        out.append(f"/// Tool number {i}.\npub fn tool_{i}({args}) -> String {body(i, params, salt)}\n")
        out.append(f"/// The arguments of tool {i}.\n#[derive(serde::Deserialize, schemars::JsonSchema)]\n"
                   f"pub struct Tool{i}Args {{\n{fields}\n}}\n")
        call = ", ".join(f"a.{name}" for name, _ in params)
        arms.append(f'        "tool_{i}" => {{ let a: Tool{i}Args = serde_json::from_str(arguments).map_err(|e| e.to_string())?; '
                    f'serde_json::to_string(&tool_{i}({call})).map_err(|e| e.to_string()) }}')
        schemas.append(f'        ("tool_{i}", "Tool number {i}.", serde_json::to_value(schemars::schema_for!(Tool{i}Args)).expect("a schema")),')
    out.append("pub fn dispatch(name: &str, arguments: &str) -> Result<String, String> {\n    match name {\n"
               + "\n".join(arms) + '\n        other => Err(format!("unknown tool {other}")),\n    }\n}\n')
    out.append("pub fn definitions() -> Vec<(&'static str, &'static str, serde_json::Value)> {\n    vec![\n"
               + "\n".join(schemas) + "\n    ]\n}\n")
    return "\n".join(out)


def manifest(name, ours_crate):
    runtime = os.path.join(ROOT, "tool-runtime")
    deps = (f'tool-runtime = {{ path = "{runtime}" }}\n' if ours_crate else
            'serde_json = "1"\n')
    return (f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
            f'[workspace]\n\n[dependencies]\n{deps}serde = {{ version = "1", features = ["derive"] }}\n'
            'schemars = "1"\n')


def write_crate(folder, name, ours_crate, n, edits=None):
    os.makedirs(os.path.join(folder, "src"), exist_ok=True)
    with open(os.path.join(folder, "Cargo.toml"), "w") as f:
        f.write(manifest(name, ours_crate))
    source = ours(n, edits) if ours_crate else baseline(n, edits)
    with open(os.path.join(folder, "src", "lib.rs"), "w") as f:
        f.write(source)


def build(folder, incremental):
    env = dict(os.environ, CARGO_INCREMENTAL="1" if incremental else "0",
               CARGO_TARGET_DIR=os.path.join(folder, "target-incremental" if incremental else "target"))
    # The lock file of the project itself, so both crates build the versions it tests.
    started = time.monotonic()
    before = cpu_seconds()
    done = subprocess.run(["cargo", "build", "--offline", "--quiet"], cwd=folder, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"cargo build failed in {folder}:\n{done.stderr[-4000:]}")
    return elapsed, cpu_seconds() - before


def cpu_seconds():
    """CPU time (user + system) of the finished child processes so far: cargo, rustc and
    their threads. Unlike the elapsed time, it does not count the time a build waited for a
    core, so a machine busy with other work changes it much less."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def touch(folder):
    path = os.path.join(folder, "src", "lib.rs")
    now = time.time()
    os.utime(path, (now, now))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", type=int, default=100, help="tools per crate (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rebuilds of each crate (default 5)")
    parser.add_argument("--keep", help="generate into this folder and keep it (default: a temporary one)")
    args = parser.parse_args()

    scratch = args.keep or tempfile.mkdtemp(prefix="compile-cost-")
    crates = {"baseline": os.path.join(scratch, "baseline"), "ours": os.path.join(scratch, "ours")}
    for name, folder in crates.items():
        write_crate(folder, f"cost_{name}", name == "ours", args.tools)
        shutil.copyfile(os.path.join(ROOT, "Cargo.lock"), os.path.join(folder, "Cargo.lock"))
    print(f"{args.tools} tools per crate, {args.rounds} rounds, {os.cpu_count()} cores; crates in {scratch}")

    for name, folder in crates.items():
        print(f"warming {name} (dependencies) ...", flush=True)
        build(folder, incremental=False)
        build(folder, incremental=True)

    def in_turn(round_):
        # Which crate builds first alternates, so neither always gets the quieter moment.
        order = list(crates.items())
        return order if round_ % 2 == 0 else order[::-1]

    whole = {name: [] for name in crates}
    for round_ in range(args.rounds):
        for name, folder in in_turn(round_):
            touch(folder)
            whole[name].append(build(folder, incremental=False))
    incremental = {name: [] for name in crates}
    edits = {}  # tool -> how many times its body was edited so far
    for round_ in range(args.rounds):
        # Edit one tool's body, as a developer does (the first tool's, then the middle one's,
        # in turn), then rebuild. The earlier edits stay, so that each rebuild sees exactly
        # one edited function.
        edited = (round_ % 2) * (args.tools // 2)
        edits[edited] = edits.get(edited, 0) + 1
        for name, folder in in_turn(round_):
            write_crate(folder, f"cost_{name}", name == "ours", args.tools, edits=edits)
            incremental[name].append(build(folder, incremental=True))

    def report(title, builds):
        for measure, which in (("elapsed", 0), ("CPU", 1)):
            times = {name: [b[which] for b in runs] for name, runs in builds.items()}
            base, own = statistics.median(times["baseline"]), statistics.median(times["ours"])
            # The two builds of a round ran back to back: their ratio is the least disturbed
            # by a machine whose load changes from one round to the next.
            paired = statistics.median(o / b for o, b in zip(times["ours"], times["baseline"]))
            print(f"{title}, {measure}: baseline {base:.2f} s, #[tool] {own:.2f} s, ratio {own / base:.2f}x;"
                  f" median of the rounds' ratios {paired:.2f}x"
                  f"  (runs: baseline {', '.join(f'{t:.2f}' for t in times['baseline'])};"
                  f" #[tool] {', '.join(f'{t:.2f}' for t in times['ours'])})")

    report("whole crate, debug, CARGO_INCREMENTAL=0", whole)
    report("incremental, one tool's body edited", incremental)
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
