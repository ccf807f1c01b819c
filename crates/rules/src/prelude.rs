//! What every native rule file needs in scope.
#![allow(unused_imports)]

pub(crate) use crate::native::Meta;
pub(crate) use trustlint_engine::document::Syntax;
pub(crate) use trustlint_engine::rule::{FileContext, Outcome};
pub(crate) use trustlint_engine::{Node, Resource, Severity, Span, Target, Value};
