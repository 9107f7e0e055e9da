//! Scoring one reply against its case: which tools it called, whether their arguments
//! parse and fit the exported schema, and whether each expected call is matched by a
//! distinct call passing its checks, in any order. The model's reply is untrusted: any
//! text may stand where arguments should be.

use std::collections::HashMap;

use serde_json::Value;

use crate::chat::ChatResponse;
use crate::format::SchemaForm;
use crate::registry::ToolRegistry;
use crate::tool::args::{decode, normalize_arguments};

use super::check::{clip, validator};
use super::report::{ScoredCall, Trial};
use super::suite::{Case, Expect};

/// The most of a reply's text or a call's arguments a report keeps.
const KEPT: usize = 2048;

/// The most problem lines a run's report keeps.
const MAX_PROBLEMS: usize = 16;

/// Each tool's parameter schemas, compiled once per evaluation: the one exported to the
/// model (what `arguments_valid` measures), and the plain one, which says what the tool
/// accepts (optionals omitted or `null`, nothing else). A schema the validator cannot
/// compile is `None`.
pub(super) struct Schemas {
    tools: HashMap<String, ToolSchemas>,
}

struct ToolSchemas {
    exported: Option<jsonschema::Validator>,
    accepted: Option<jsonschema::Validator>,
    /// The plain schema itself: the registry rewrites arguments by it before reading them.
    plain: Value,
}

impl Schemas {
    /// The schemas of `registry`'s tools, exported in `form`: the strict one where `form`
    /// is [`Declared`](SchemaForm::Declared) and the tool is strict, else the plain one
    /// (what the provider clients send).
    pub(super) fn new(registry: &ToolRegistry, form: SchemaForm) -> Self {
        let tools = registry
            .definitions()
            .map(|definition| {
                let exported = match definition.strict_parameters() {
                    Some(strict) if form == SchemaForm::Declared && definition.is_strict() => {
                        strict
                    }
                    _ => definition.parameters(),
                };
                let schemas = ToolSchemas {
                    exported: validator(exported).ok(),
                    accepted: validator(definition.parameters()).ok(),
                    plain: definition.parameters().clone(),
                };
                (definition.name().to_owned(), schemas)
            })
            .collect();
        Self { tools }
    }

    /// Whether `arguments` fit `tool`'s exported schema (`Some(false)` for a tool there
    /// is none of or arguments that do not parse, `None` when the schema did not
    /// compile), and why the tool would refuse them, if it would.
    fn judge(&self, tool: &str, arguments: Option<&Value>) -> (Option<bool>, Option<String>) {
        let Some(schemas) = self.tools.get(tool) else {
            return (
                Some(false),
                Some("no tool of the registry has this name".into()),
            );
        };
        // Not parsing is already said, and fails every check.
        let Some(arguments) = arguments else {
            return (Some(false), None);
        };
        let valid = schemas
            .exported
            .as_ref()
            .map(|validator| validator.is_valid(arguments));
        // The registry drops `null` for an optional argument (it takes the default) and
        // reads `2.0` as an integer before reading the arguments: judged the same way.
        let mut read = arguments.clone();
        normalize_arguments(&mut read, &schemas.plain);
        let refused = schemas
            .accepted
            .as_ref()
            .and_then(|validator| validator.iter_errors(&read).next())
            .map(|error| {
                format!(
                    "the tool would refuse the arguments: {}",
                    clip(&error.to_string(), 200)
                )
            });
        (valid, refused)
    }
}

/// A run that got no reply.
pub(super) fn failed(run: u32, latency_ms: u64, error: String) -> Trial {
    Trial {
        run,
        latency_ms,
        usage: None,
        error: Some(error),
        calls: Vec::new(),
        answer: None,
        answer_clipped: false,
        right_tool: false,
        correct_arguments: false,
        correct: false,
        problems: Vec::new(),
    }
}

/// `reply` scored against `case`.
pub(super) fn score(
    case: &Case,
    schemas: &Schemas,
    reply: &ChatResponse,
    run: u32,
    latency_ms: u64,
) -> Trial {
    // Read as the registry reads them: empty text or `null` is no arguments, an object
    // encoded twice is the object; anything else must be an object.
    let parsed: Vec<Option<Value>> = reply
        .tool_calls
        .iter()
        .map(|call| decode(&call.arguments).ok())
        .collect();
    let mut problems = Vec::new();
    let mut refusals = 0usize;
    let calls: Vec<ScoredCall> = reply
        .tool_calls
        .iter()
        .zip(&parsed)
        .map(|(call, arguments)| {
            let tool = clip(&call.name, KEPT);
            if arguments.is_none() {
                problems.push(format!(
                    "{tool}: the arguments are not a JSON object: {}",
                    clip(&call.arguments, 200)
                ));
            }
            let (valid, refused) = schemas.judge(&call.name, arguments.as_ref());
            if let Some(why) = refused {
                refusals += 1;
                problems.push(format!("{tool}: {why}"));
            }
            ScoredCall {
                tool,
                arguments: clip(&call.arguments, KEPT),
                clipped: call.arguments.len() > KEPT || call.name.len() > KEPT,
                parses: arguments.is_some(),
                valid,
            }
        })
        .collect();
    // A call its tool would refuse (an unknown argument, a wrong type) is not a right
    // call, whatever the suite checks of it. Leaving out an optional the strict form
    // requires is not refused: the tool takes it, so the two forms are scored alike.
    let all_accepted = refusals == 0;
    let answer = reply.content.as_deref().map(|text| clip(text, KEPT));
    let (right_tool, correct_arguments) = match case.expect() {
        Expect::NoCall { answer_contains } => {
            let no_calls = calls.is_empty();
            if !no_calls {
                problems.push(format!("expected no call, got {}", names(&calls)));
            }
            let contains = match answer_contains {
                None => true,
                Some(text) => {
                    let found = reply
                        .content
                        .as_deref()
                        .is_some_and(|answer| answer.to_lowercase().contains(&text.to_lowercase()));
                    if !found {
                        problems.push(format!("the answer does not contain {text:?}"));
                    }
                    found
                }
            };
            (no_calls, no_calls && contains)
        }
        Expect::Calls(expected) => {
            let mut wanted: Vec<&str> = expected.iter().map(|call| call.tool.as_str()).collect();
            let mut got: Vec<&str> = reply
                .tool_calls
                .iter()
                .map(|call| call.name.as_str())
                .collect();
            wanted.sort_unstable();
            got.sort_unstable();
            let right_tool = wanted == got;
            if !right_tool {
                problems.push(format!(
                    "expected calls of [{}], got {}",
                    wanted.join(", "),
                    names(&calls)
                ));
            }
            // failures[i][j]: why actual call j does not do for expected call i.
            let failures: Vec<Vec<Option<Vec<String>>>> = expected
                .iter()
                .enumerate()
                .map(|(i, want)| {
                    reply
                        .tool_calls
                        .iter()
                        .zip(&parsed)
                        .map(|(call, arguments)| {
                            if call.name != want.tool {
                                return None;
                            }
                            let Some(arguments) = arguments else {
                                return Some(vec!["the arguments do not parse".to_owned()]);
                            };
                            Some(
                                case.matchers(i)
                                    .iter()
                                    .filter_map(|(key, matcher)| {
                                        let value = if key.starts_with('/') {
                                            arguments.pointer(key)
                                        } else {
                                            arguments.get(key)
                                        };
                                        matcher.failure(value).map(|why| format!("`{key}`: {why}"))
                                    })
                                    .collect(),
                            )
                        })
                        .collect()
                })
                .collect();
            let fits: Vec<Vec<bool>> = failures
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|cell| cell.as_ref().is_some_and(Vec::is_empty))
                        .collect()
                })
                .collect();
            let matched = matching(&fits);
            for (i, partner) in matched.iter().enumerate() {
                if partner.is_some() {
                    continue;
                }
                // The same-named call that came closest says what was wrong.
                let closest = failures[i]
                    .iter()
                    .flatten()
                    .filter(|why| !why.is_empty())
                    .min_by_key(|why| why.len());
                if let Some(why) = closest {
                    problems.push(format!("{}: {}", expected[i].tool, why.join("; ")));
                }
            }
            (right_tool, matched.iter().all(Option::is_some))
        }
    };
    // A reply of thousands of calls would otherwise write a line for each.
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("... and {more} more"));
    }
    let correct = match case.expect() {
        Expect::NoCall { .. } => correct_arguments,
        Expect::Calls(_) => right_tool && correct_arguments && all_accepted,
    };
    Trial {
        run,
        latency_ms,
        usage: reply.usage,
        error: None,
        calls,
        answer,
        answer_clipped: reply.content.as_ref().is_some_and(|text| text.len() > KEPT),
        right_tool,
        correct_arguments,
        correct,
        problems,
    }
}

/// `[a, b]`, or `no call`.
fn names(calls: &[ScoredCall]) -> String {
    if calls.is_empty() {
        return "no call".to_owned();
    }
    let names: Vec<&str> = calls.iter().map(|call| call.tool.as_str()).collect();
    format!("[{}]", names.join(", "))
}

/// A largest matching of expected calls (rows) to actual calls (columns) where `fits`
/// allows (Kuhn's augmenting paths): for each expected call, its actual call if any.
/// Any order of the model's calls scores the same.
fn matching(fits: &[Vec<bool>]) -> Vec<Option<usize>> {
    let columns = fits.first().map_or(0, Vec::len);
    let mut owner: Vec<Option<usize>> = vec![None; columns];
    for row in 0..fits.len() {
        let mut seen = vec![false; columns];
        augment(row, fits, &mut seen, &mut owner);
    }
    let mut partner = vec![None; fits.len()];
    for (column, row) in owner.iter().enumerate() {
        if let Some(row) = row {
            partner[*row] = Some(column);
        }
    }
    partner
}

fn augment(row: usize, fits: &[Vec<bool>], seen: &mut [bool], owner: &mut [Option<usize>]) -> bool {
    for column in 0..seen.len() {
        if !fits[row][column] || seen[column] {
            continue;
        }
        seen[column] = true;
        let free = match owner[column] {
            None => true,
            Some(other) => augment(other, fits, seen, owner),
        };
        if free {
            owner[column] = Some(row);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::matching;

    #[test]
    fn a_call_that_fits_two_expected_calls_gives_way_to_the_one_only_it_fits() {
        // Expected 0 fits actual 0 and 1; expected 1 fits only actual 0.
        let fits = vec![vec![true, true], vec![true, false]];
        assert_eq!(matching(&fits), vec![Some(1), Some(0)]);
        assert_eq!(matching(&[vec![false], vec![true]]), vec![None, Some(0)]);
    }
}
