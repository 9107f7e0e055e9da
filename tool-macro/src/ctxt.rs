//! The one place every stage reports its errors.
//!
//! Each stage (`attr`, `ast`, `docs`, `valid`, `expand`) takes a `&Ctxt`, reports every
//! problem it finds there with a span at the user's tokens, and goes on reading: a user
//! fixing a tool sees all of its mistakes at once, not one per build. A stage returns what
//! it read, or `None` when what it read is not fit for the stages after it (which are then
//! not run, so they do not report consequences of an error already reported).
//!
//! The entry point calls [`Ctxt::check`] once, at the end, to turn what was reported into
//! one `syn::Error`. A context dropped without being checked panics, so an error reported
//! on some path cannot be lost by forgetting to look.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

pub(crate) struct Ctxt {
    /// `None` once checked: what tells `Drop` that the errors were looked at.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// An error spanning `tokens` (from their first token to their last).
    pub(crate) fn error_spanned_by(&self, tokens: impl ToTokens, message: impl Display) {
        self.syn_error(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// An error at one span.
    pub(crate) fn error_at(&self, span: Span, message: impl Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// An error from syn's parsers, or one built elsewhere.
    pub(crate) fn syn_error(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("error reported to a checked Ctxt")
            .push(error);
    }

    /// How many errors have been reported so far. A stage compares it before and after
    /// reading, to tell whether what it read is fit for the next stage.
    pub(crate) fn error_count(&self) -> usize {
        self.errors.borrow().as_ref().map_or(0, Vec::len)
    }

    /// Every error reported, in the order reported, as one error; consumes the context.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self
            .errors
            .borrow_mut()
            .take()
            .expect("a Ctxt is checked once");
        let mut errors = errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut all) => {
                all.extend(errors);
                Err(all)
            }
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // Not while unwinding: a second panic would abort and hide the first.
        if self.errors.borrow().is_some() && !std::thread::panicking() {
            panic!("tool-macro: a Ctxt was dropped without `check`; errors would be lost");
        }
    }
}
