//! Admitting tools: each is checked (name, duplicates, state, strictness, the checked
//! formats' rules) before it joins, and a refused tool leaves the registry as it was.

use std::sync::Arc;

use crate::definition::{Strictness, ToolDefinition};
use crate::format::SchemaForm;
use crate::tool::DynTool;
use crate::validate::{OnViolation, Violation};

use super::{RegistryError, ToolRegistry};

impl ToolRegistry {
    /// Adds one tool (see `add`).
    pub(super) fn add_one(&mut self, tool: Arc<dyn DynTool>) -> Result<&mut Self, RegistryError> {
        self.add(vec![tool])
    }

    /// Adds `tools` after checking each against the registry and the ones before it.
    pub(super) fn add(&mut self, tools: Vec<Arc<dyn DynTool>>) -> Result<&mut Self, RegistryError> {
        for (i, tool) in tools.iter().enumerate() {
            self.admit(tool.as_ref(), &tools[..i])?;
        }
        for tool in tools {
            let name = tool.definition().name();
            self.index.insert(name.to_owned(), self.tools.len());
            self.names.push(name.into());
            self.tools.push(tool);
        }
        Ok(self)
    }

    /// Whether `tool` may join the registry and the tools `before` it in its batch.
    fn admit(&self, tool: &dyn DynTool, before: &[Arc<dyn DynTool>]) -> Result<(), RegistryError> {
        let definition = tool.definition();
        let name = definition.name().to_owned();
        if !is_portable_name(&name) {
            return Err(RegistryError::InvalidName { name });
        }
        let existing = (self.position(&name).map(|i| &self.tools[i])).or_else(|| {
            before
                .iter()
                .find(|other| other.definition().name() == name)
        });
        if let Some(existing) = existing {
            return Err(RegistryError::DuplicateName {
                name,
                existing: existing.type_name(),
                new: tool.type_name(),
            });
        }
        if let Some(missing) = tool
            .required_state()
            .into_iter()
            .find(|key| !self.state.contains(key))
        {
            return Err(RegistryError::MissingState {
                tool: name,
                type_name: missing.type_name(),
                hint: self.state_hint(missing.type_name()),
            });
        }
        if let (Strictness::On, Some(reason)) =
            (definition.strictness(), definition.strict_unavailable())
        {
            return Err(RegistryError::NotStrict {
                tool: name,
                reason: reason.to_owned(),
            });
        }
        self.check(definition, self.len() + before.len())
    }

    /// What the registry holds instead, when it is near what `wanted` needs: the usual
    /// slip is `with_state(Arc::new(x))`, which holds an `Arc<T>` where a `T` is wanted.
    fn state_hint(&self, wanted: &str) -> String {
        let shared = format!("alloc::sync::Arc<{wanted}>");
        if self.state.type_names().any(|held| held == shared) {
            format!(
                "; it holds an `Arc<{wanted}>`: add a shared value with ToolRegistry::with_shared_state(arc)"
            )
        } else {
            String::new()
        }
    }

    /// Checks a tool about to be added against the checked formats' rules and limits, with
    /// `count` tools before it.
    fn check(&self, definition: &ToolDefinition, count: usize) -> Result<(), RegistryError> {
        for validator in &self.checks.validators {
            let format = validator.format();
            let mut violations =
                validator.check_tool(&definition.export(format, SchemaForm::Declared));
            if let Some(max) = validator.limits().max_tools.filter(|max| count >= *max) {
                violations.push(Violation {
                    tool: definition.name().to_owned(),
                    pointer: "/".into(),
                    message: format!("a request can offer at most {max} tools"),
                });
            }
            if violations.is_empty() {
                continue;
            }
            match self.checks.on_violation {
                OnViolation::Error => {
                    return Err(RegistryError::InvalidDefinition {
                        tool: definition.name().to_owned(),
                        format,
                        violations,
                    })
                }
                OnViolation::Warn => {
                    for violation in violations {
                        tracing::warn!(%format, "{violation}");
                    }
                }
            }
        }
        Ok(())
    }
}

/// `^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$`: the names OpenAI, Anthropic, Gemini and MCP all accept.
fn is_portable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && name.len() <= 64 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::is_portable_name;

    #[test]
    fn portable_names() {
        for good in ["a", "_x", "get_current_weather", "a-b", &"a".repeat(64)] {
            assert!(is_portable_name(good), "{good}");
        }
        for bad in ["", "1a", "-a", "a.b", "a b", "é", &"a".repeat(65)] {
            assert!(!is_portable_name(bad), "{bad}");
        }
    }
}
