//! What an import did: the tools registered, and those refused with the reason.

/// What importing a server's tools into a registry did: which were registered, which
/// refused and why, and how many the tool list limit left out. The tools registered are
/// usable whatever happened to the others.
///
/// Its `Display` is the report a person reads (at most 20 refusals, then a count).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// The server, as its `serverInfo` names it (or the command or URL).
    pub server: String,
    /// The names registered, in the server's order (with the prefix).
    pub imported: Vec<String>,
    /// The tools refused, in the server's order.
    pub refused: Vec<Refused>,
    /// The tools the filter left out (by their name on the server).
    pub filtered: Vec<String>,
    /// Whether the server had more tools than the tool list limit: those past it were
    /// not imported (nor their pages read).
    pub truncated: bool,
}

/// One tool that was not registered, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refused {
    /// Its name on the server.
    pub tool: String,
    /// Why: the registry's or the schema validator's words.
    pub reason: String,
}

/// At most this many refusals are spelled out by `Display`.
const SHOWN: usize = 20;

impl ImportReport {
    /// Whether every tool the server listed (and the filter let through) was registered.
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty() && !self.truncated
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MCP server `{}`: {} tool(s) registered",
            self.server,
            self.imported.len()
        )?;
        if !self.filtered.is_empty() {
            write!(f, ", {} left out by the filter", self.filtered.len())?;
        }
        if self.truncated {
            write!(
                f,
                "; the server has more tools than the tool list limit, and those past it were not imported"
            )?;
        }
        if !self.refused.is_empty() {
            write!(f, "; {} refused:", self.refused.len())?;
            for refused in self.refused.iter().take(SHOWN) {
                write!(f, "\n- `{}`: {}", refused.tool, refused.reason)?;
            }
            if self.refused.len() > SHOWN {
                write!(f, "\n- and {} more", self.refused.len() - SHOWN)?;
            }
        }
        Ok(())
    }
}
