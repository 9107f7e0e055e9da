//! The eval suite format: a JSON file of cases, each a thread and the outcome expected of
//! the model's next reply (docs/evaluation.md). Loading compiles every check once; a
//! suite with a bad regex or schema is refused with a message naming the case.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::chat::Message;
use crate::registry::ToolRegistry;

use super::check::{Check, Matcher};

/// The most calls one case may expect: scoring pairs expected with actual calls, and a
/// reply of one user turn with more calls than this is not a case but a script.
pub const MAX_EXPECTED_CALLS: usize = 32;

/// An eval suite: cases, loaded from JSON and checked.
///
/// ```
/// use tool_runtime::eval::Suite;
///
/// let suite = Suite::from_json(r#"{
///   "name": "weather",
///   "cases": [
///     {"id": "tokyo", "tags": ["city"], "user": "Weather in Tokyo?",
///      "expect": {"calls": [{"tool": "get_current_weather",
///                            "arguments": {"location": {"regex": "(?i)tokyo"}}}]}},
///     {"id": "greeting", "user": "Hello!", "expect": {"no_call": {}}}
///   ]
/// }"#)?;
/// assert_eq!((suite.name(), suite.cases().len()), ("weather", 2));
///
/// // A regex that does not compile is refused at load, naming the case.
/// let bad = Suite::from_json(r#"{"name": "x", "cases": [{"id": "c1", "user": "Hi",
///   "expect": {"calls": [{"tool": "t", "arguments": {"a": {"regex": "("}}}]}}]}"#);
/// assert!(bad.unwrap_err().to_string().contains("case `c1`"));
/// # Ok::<(), tool_runtime::eval::SuiteError>(())
/// ```
#[derive(Debug)]
pub struct Suite {
    name: String,
    cases: Vec<Case>,
}

/// One case of a [`Suite`]: a thread, what is expected of the model's reply, and tags.
#[derive(Debug)]
pub struct Case {
    id: String,
    tags: Vec<String>,
    thread: Vec<Message>,
    expect: Expect,
    /// Per expected call, its checks compiled: (argument key, matcher).
    matchers: Vec<Vec<(String, Matcher)>>,
}

/// What a case expects of the model's reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Expect {
    /// These calls and no others, in any order.
    Calls(Vec<ExpectedCall>),
    /// No tool call; an answer containing `answer_contains` (ignoring case), when given.
    NoCall {
        /// Text the answer must contain, ignoring case.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer_contains: Option<String>,
    },
}

/// One call a case expects: the tool, and checks on its arguments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExpectedCall {
    /// The tool's name.
    pub tool: String,
    /// A check per argument: the key is the argument's name, or a JSON pointer (`/a/0/b`)
    /// into the arguments. Arguments without a check may be anything (whether they fit
    /// the tool's schema is measured on its own).
    #[serde(default)]
    pub arguments: BTreeMap<String, Check>,
}

/// Why a suite was refused: what is wrong, naming the case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    /// The file could not be read.
    #[error("could not read the suite {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The JSON is not a suite (serde's message, with line and column).
    #[error("the suite is not valid: {0}")]
    Format(String),
    /// A case is wrong: a check that does not compile, a missing thread, a duplicate id...
    #[error("case `{case}`: {problem}")]
    Case {
        /// The case's id.
        case: String,
        /// What is wrong.
        problem: String,
    },
    /// Cases expect tools the registry does not have.
    #[error("the suite expects tools the registry does not have: {}", .0.join(", "))]
    UnknownTools(Vec<String>),
}

/// The file's shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    name: String,
    /// Instructions put before every case's thread.
    #[serde(default)]
    system: Option<String>,
    cases: Vec<CaseFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    id: String,
    #[serde(default)]
    tags: Vec<String>,
    /// The user's message (or `thread`).
    #[serde(default)]
    user: Option<String>,
    /// A short thread (or `user`).
    #[serde(default)]
    thread: Option<Vec<Message>>,
    expect: Expect,
}

impl Suite {
    /// The suite in `text` (JSON), checked and compiled.
    ///
    /// # Errors
    ///
    /// [`SuiteError::Format`] when the JSON does not have the suite's shape,
    /// [`SuiteError::Case`] when a case is wrong (naming it).
    pub fn from_json(text: &str) -> Result<Self, SuiteError> {
        let file: SuiteFile =
            serde_json::from_str(text).map_err(|error| SuiteError::Format(error.to_string()))?;
        if file.cases.is_empty() {
            return Err(SuiteError::Format("the suite has no cases".into()));
        }
        let mut seen = BTreeSet::new();
        let mut cases = Vec::with_capacity(file.cases.len());
        for case in file.cases {
            let refuse = |problem: String| SuiteError::Case {
                case: case.id.clone(),
                problem,
            };
            if case.id.trim().is_empty() {
                return Err(SuiteError::Format("a case has an empty id".into()));
            }
            if !seen.insert(case.id.clone()) {
                return Err(refuse("the id is used twice".into()));
            }
            let mut thread: Vec<Message> = file.system.iter().map(Message::system).collect();
            match (case.user, case.thread) {
                (Some(user), None) => thread.push(Message::user(user)),
                (None, Some(messages)) if !messages.is_empty() => thread.extend(messages),
                (None, Some(_)) => return Err(refuse("the thread is empty".into())),
                _ => return Err(refuse("give either `user` or `thread`".into())),
            }
            let matchers = match &case.expect {
                Expect::NoCall { .. } => Vec::new(),
                Expect::Calls(calls) if calls.is_empty() => {
                    return Err(refuse(
                        "`calls` is empty: expect `no_call` for a reply without calls".into(),
                    ))
                }
                Expect::Calls(calls) if calls.len() > MAX_EXPECTED_CALLS => {
                    return Err(refuse(format!(
                        "{} calls expected; at most {MAX_EXPECTED_CALLS}",
                        calls.len()
                    )))
                }
                Expect::Calls(calls) => calls
                    .iter()
                    .map(|call| {
                        call.arguments
                            .iter()
                            .map(|(key, check)| {
                                if let Some(problem) = pointer_problem(key) {
                                    return Err(refuse(format!(
                                        "{}: `{key}`: {problem}",
                                        call.tool
                                    )));
                                }
                                check
                                    .compile()
                                    .map(|matcher| (key.clone(), matcher))
                                    .map_err(|problem| {
                                        refuse(format!("{}: `{key}`: {problem}", call.tool))
                                    })
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            };
            cases.push(Case {
                id: case.id,
                tags: case.tags,
                thread,
                expect: case.expect,
                matchers,
            });
        }
        Ok(Self {
            name: file.name,
            cases,
        })
    }

    /// The suite in the JSON file at `path`.
    ///
    /// # Errors
    ///
    /// [`SuiteError::Read`] when the file cannot be read; otherwise as
    /// [`from_json`](Self::from_json).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SuiteError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| SuiteError::Read {
            path: path.display().to_string(),
            error,
        })?;
        Self::from_json(&text)
    }

    /// The suite's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cases, in the file's order.
    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// Every tool a case expects that `registry` does not have, sorted.
    pub fn unknown_tools(&self, registry: &ToolRegistry) -> Vec<String> {
        let mut unknown: BTreeSet<&str> = BTreeSet::new();
        for case in &self.cases {
            if let Expect::Calls(calls) = &case.expect {
                for call in calls {
                    if registry.definition(&call.tool).is_none() {
                        unknown.insert(&call.tool);
                    }
                }
            }
        }
        unknown.into_iter().map(str::to_owned).collect()
    }

    /// Refuses a check on an argument the expected tool does not have (the first segment
    /// of a pointer): a misspelt key would be a check that fails every run for the wrong
    /// reason, or, under `absent_or_one_of`, passes every run and checks nothing.
    /// Tools `registry` does not have are [`unknown_tools`](Self::unknown_tools)' to report.
    pub(super) fn check_arguments(&self, registry: &ToolRegistry) -> Result<(), SuiteError> {
        for case in &self.cases {
            let Expect::Calls(calls) = &case.expect else {
                continue;
            };
            for call in calls {
                let Some(definition) = registry.definition(&call.tool) else {
                    continue;
                };
                let schema = definition.parameters();
                for key in call.arguments.keys() {
                    let name = first_segment(key);
                    if !has_property(schema, &name, 0) {
                        return Err(SuiteError::Case {
                            case: case.id.clone(),
                            problem: format!(
                                "{}: `{key}`: the tool has no argument `{name}`",
                                call.tool
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// Why `key`, a JSON pointer (it starts with `/`), is not a valid one: `~` must be
/// followed by `0` (for `~`) or `1` (for `/`). `None` for a valid pointer or a name.
fn pointer_problem(key: &str) -> Option<String> {
    if !key.starts_with('/') {
        return None;
    }
    let mut chars = key.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Some(
                "not a JSON pointer: `~` must be followed by `0` (for `~`) or `1` (for `/`)".into(),
            );
        }
    }
    None
}

/// The argument a key checks: the key itself, or a pointer's first segment, unescaped.
fn first_segment(key: &str) -> String {
    match key.strip_prefix('/') {
        Some(pointer) => {
            let segment = pointer.split('/').next().unwrap_or_default();
            segment.replace("~1", "/").replace("~0", "~")
        }
        None => key.to_owned(),
    }
}

/// Whether an object schema lets an argument be called `name`: one of its `properties`,
/// or those of its alternatives (a flattened enum's variants sit in `anyOf`, `oneOf` or
/// `allOf`), or any name where it allows more properties than it lists.
fn has_property(schema: &serde_json::Value, name: &str, depth: usize) -> bool {
    // A tool's parameter schema nests alternatives a level or two deep, no more.
    if depth > 8 {
        return false;
    }
    if schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|properties| properties.contains_key(name))
    {
        return true;
    }
    let open = |key: &str| {
        schema
            .get(key)
            .is_some_and(|more| more != &serde_json::Value::Bool(false))
    };
    if open("additionalProperties") || open("patternProperties") {
        return true;
    }
    ["anyOf", "oneOf", "allOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(serde_json::Value::as_array)
            .is_some_and(|branches| {
                branches
                    .iter()
                    .any(|branch| has_property(branch, name, depth + 1))
            })
    })
}

impl Case {
    /// The case's id, unique in its suite.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its tags.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The thread the model is sent: the suite's `system` instructions, if any, then the
    /// case's `user` message or `thread`.
    pub fn thread(&self) -> &[Message] {
        &self.thread
    }

    /// What the reply is expected to be.
    pub fn expect(&self) -> &Expect {
        &self.expect
    }

    /// The tools it expects called, each once, sorted (none for a no-call case).
    pub fn expected_tools(&self) -> Vec<String> {
        match &self.expect {
            Expect::Calls(calls) => calls
                .iter()
                .map(|call| call.tool.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            Expect::NoCall { .. } => Vec::new(),
        }
    }

    /// The compiled checks of expected call `index`.
    pub(super) fn matchers(&self, index: usize) -> &[(String, Matcher)] {
        self.matchers.get(index).map_or(&[], Vec::as_slice)
    }
}
