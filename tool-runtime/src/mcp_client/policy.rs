//! What an MCP server's annotations are allowed to decide: they are hints from a server
//! we do not control, so whether a call needs a person's approval is the user's policy.

use rmcp::model::ToolAnnotations;

use crate::definition::ToolMarkers;

/// Which imported tools need a person's approval before the assistant loop runs them.
///
/// MCP annotations are hints the server gives about its own tools; a server can say a
/// tool only reads when it deletes. The hints are kept as markers either way (and shown
/// again if the registry is served over MCP); the policy decides only approval:
///
/// | policy | needs approval |
/// | --- | --- |
/// | [`UnlessReadOnly`](Self::UnlessReadOnly) (default) | every tool but those with `readOnlyHint: true` |
/// | [`Always`](Self::Always) | every tool |
/// | [`FollowHints`](Self::FollowHints) | tools MCP counts as destructive: not `readOnlyHint: true` and not `destructiveHint: false` (an absent hint means destructive) |
/// | [`Never`](Self::Never) | none: you trust the server entirely (its `destructiveHint` is then dropped, since a destructive marker implies approval) |
///
/// ```
/// use tool_runtime::mcp_client::ApprovalPolicy;
///
/// assert_eq!(ApprovalPolicy::default(), ApprovalPolicy::UnlessReadOnly);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApprovalPolicy {
    /// Every tool but those the server says only read.
    #[default]
    UnlessReadOnly,
    /// Every tool.
    Always,
    /// The tools the hints, with MCP's defaults, call destructive.
    FollowHints,
    /// No tool.
    Never,
}

impl ApprovalPolicy {
    /// The markers of a tool with `annotations`.
    pub(super) fn markers(self, annotations: Option<&ToolAnnotations>) -> ToolMarkers {
        let hint = |pick: fn(&ToolAnnotations) -> Option<bool>| annotations.and_then(pick);
        let read_only = hint(|a| a.read_only_hint) == Some(true);
        let destructive_hint = hint(|a| a.destructive_hint);
        let mut markers = ToolMarkers {
            // MCP: `destructiveHint` means something only when the tool is not read-only.
            destructive: !read_only && destructive_hint == Some(true),
            requires_approval: false,
            read_only,
            idempotent: hint(|a| a.idempotent_hint) == Some(true),
            open_world: hint(|a| a.open_world_hint) == Some(true),
        };
        markers.requires_approval = match self {
            Self::UnlessReadOnly => !read_only,
            Self::Always => true,
            Self::FollowHints => !read_only && destructive_hint != Some(false),
            Self::Never => {
                markers.destructive = false;
                false
            }
        };
        markers
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::ToolAnnotations;

    use super::ApprovalPolicy;

    fn annotations(read_only: Option<bool>, destructive: Option<bool>) -> ToolAnnotations {
        let mut annotations = ToolAnnotations::default();
        annotations.read_only_hint = read_only;
        annotations.destructive_hint = destructive;
        annotations
    }

    #[test]
    fn approval_follows_the_policy_and_the_hints_stay_markers() {
        let cases = [
            (None, None),
            (Some(true), None),
            (Some(false), Some(false)),
            (None, Some(true)),
            (Some(true), Some(true)),
        ];
        let approvals = |policy: ApprovalPolicy| -> Vec<bool> {
            (cases.iter())
                .map(|&(r, d)| policy.markers(Some(&annotations(r, d))).needs_approval())
                .collect()
        };
        assert_eq!(
            approvals(ApprovalPolicy::UnlessReadOnly),
            [true, false, true, true, false]
        );
        assert_eq!(approvals(ApprovalPolicy::Always), [true; 5]);
        assert_eq!(
            approvals(ApprovalPolicy::FollowHints),
            [true, false, false, true, false]
        );
        assert_eq!(approvals(ApprovalPolicy::Never), [false; 5]);
        assert!(ApprovalPolicy::UnlessReadOnly
            .markers(None)
            .needs_approval());
        let marked = ApprovalPolicy::FollowHints.markers(Some(&annotations(None, Some(true))));
        assert!(marked.destructive && !marked.read_only);
    }
}
