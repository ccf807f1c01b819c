//! Dockerfile stages as resources, and the variables in scope at an instruction.
//!
//! A stage starts at each `FROM` and runs to the next one. Its base image has the global
//! build arguments (the `ARG`s before the first `FROM`) substituted from their defaults; a
//! `FROM` that names an earlier stage (by alias, case-insensitively, or by index) records it
//! as the stage's parent, because the stage then inherits that stage's filesystem, `ENV`,
//! `USER` and `WORKDIR`.
//!
//! Values are resolved from the defaults written in the file, as if no `--build-arg` were
//! passed. A reference to a variable that has no known value (an `ARG` without default, a
//! predefined platform argument, an undeclared name) is not guessed: [`Scope::expand`] returns
//! `None` and the stage keeps the image text as written, so [`ImageRef::is_variable`] holds.
//!
//! [`ImageRef::is_variable`]: crate::image::ImageRef::is_variable
//!
//! ```
//! use trustlint_engine::{model::dockerfile::stages, parse::dockerfile::parse};
//! let df = parse("ARG PY=3.12\nFROM python:${PY}-slim AS build\nRUN make\nFROM build\nUSER app\n").unwrap();
//! let s = stages(&df);
//! assert_eq!(s[0].image, "python:3.12-slim");
//! assert_eq!(s[1].parent, Some(0));
//! assert_eq!(s[1].instructions, 3..5);
//! ```

use std::collections::HashMap;
use std::ops::Range;

use crate::parse::MAX_DEPTH;
use crate::parse::dockerfile::{Dockerfile, Instruction, raw_words};
use crate::{Resource, Target};

/// One build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Position among the stages (0-based).
    pub index: usize,
    /// Index of its `FROM` instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// The base image (or earlier stage name) with global `ARG` defaults substituted; left as
    /// written when a variable in it has no known value.
    pub image: String,
    /// The `AS <name>` alias, as written.
    pub alias: Option<String>,
    /// Indices of the stage's instructions, its `FROM` included (`instructions.start == from`).
    pub instructions: Range<usize>,
    /// The stage it builds on, when `FROM` names an earlier stage's alias or index.
    pub parent: Option<usize>,
}

/// The stages of a Dockerfile, in order, worked out once per parsed file (rules ask for them
/// for every stage of the file, which would cost the square of the stage count).
pub fn stages_of(df: &Dockerfile) -> &[Stage] {
    df.stages.get_or_init(|| stages(df))
}

/// The stages of a Dockerfile, in order (see [`stages_of`], which computes them once).
pub fn stages(df: &Dockerfile) -> Vec<Stage> {
    let froms: Vec<usize> =
        df.instructions.iter().enumerate().filter(|(_, i)| i.keyword == "FROM").map(|(n, _)| n).collect();
    let global = global_scope(df, froms.first().copied().unwrap_or(df.instructions.len()));
    let mut stages: Vec<Stage> = Vec::with_capacity(froms.len());
    // The last stage of each alias (lowercased): a later stage with the same alias wins.
    let mut by_alias: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (index, &from) in froms.iter().enumerate() {
        let end = froms.get(index + 1).copied().unwrap_or(df.instructions.len());
        let text = df.instructions.get(from).and_then(|i| i.args.shell_text()).unwrap_or("");
        let words: Vec<&str> = raw_words(text).into_iter().filter_map(|(s, e)| text.get(s..e)).collect();
        let raw = words.first().copied().unwrap_or("");
        let image = global.expand(raw).unwrap_or_else(|| raw.to_string());
        let alias = match (words.get(1), words.get(2)) {
            (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => Some((*name).to_string()),
            _ => None,
        };
        let parent = by_alias
            .get(&image.to_ascii_lowercase())
            .copied()
            .or_else(|| image.parse::<usize>().ok().filter(|n| *n < index));
        if let Some(alias) = &alias {
            by_alias.insert(alias.to_ascii_lowercase(), index);
        }
        stages.push(Stage { index, from, image, alias, instructions: from..end, parent });
    }
    stages
}

/// One `stage` resource per stage: address `stage[<i>]` or `stage[<i>] <alias>`, span the
/// first line of its `FROM`, index the stage index.
pub fn resources<'a>(df: &'a Dockerfile) -> Vec<Resource<'a>> {
    stages_of(df)
        .iter()
        .map(|s| {
            let address = match &s.alias {
                Some(alias) => format!("stage[{}] {alias}", s.index),
                None => format!("stage[{}]", s.index),
            };
            let span = df.instructions.get(s.from).map(|i| i.first_line).unwrap_or_default();
            Resource::bare(Target::Dockerfile, "stage", address, span, s.index)
        })
        .collect()
}

/// The `ARG` and `ENV` variables visible at an instruction, with their default values.
#[derive(Debug, Clone)]
pub struct Scope {
    vars: HashMap<String, Var>,
    escape: char,
}

#[derive(Debug, Clone)]
struct Var {
    /// `None`: declared without a known value (`ARG NAME`).
    value: Option<String>,
    /// Set by `ENV`, which takes precedence over an `ARG` of the same name.
    env: bool,
}

impl Scope {
    fn new(escape: char) -> Self {
        Scope { vars: HashMap::new(), escape }
    }

    /// The known value of a variable.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(|v| v.value.as_deref())
    }

    /// Whether a variable is declared (with or without a known value).
    pub fn is_declared(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// Substitute variables in a word the way Docker does for `FROM`, `USER`, `ENV`, ...:
    /// `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`,
    /// with quotes removed and escapes applied. `None` when the result depends on a variable
    /// without a known value, or uses a form not modelled here (`${NAME#pattern}`, ...).
    pub fn expand(&self, word: &str) -> Option<String> {
        self.expand_depth(word, 0)
    }

    fn expand_depth(&self, word: &str, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut out = String::new();
        let mut chars = word.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                c if c == self.escape => out.push(chars.next().unwrap_or(c)),
                '\'' => out.extend(chars.by_ref().take_while(|x| *x != '\'')),
                '"' => {
                    while let Some(x) = chars.next() {
                        match x {
                            '"' => break,
                            '$' => out.push_str(&self.variable(&mut chars, depth)?),
                            x if x == self.escape => match chars.peek() {
                                Some(&n) if n == '"' || n == '$' || n == self.escape => {
                                    out.push(n);
                                    chars.next();
                                }
                                _ => out.push(x),
                            },
                            x => out.push(x),
                        }
                    }
                }
                '$' => out.push_str(&self.variable(&mut chars, depth)?),
                c => out.push(c),
            }
        }
        Some(out)
    }

    /// The value of the reference after a `$`.
    fn variable(&self, chars: &mut std::iter::Peekable<std::str::Chars<'_>>, depth: usize) -> Option<String> {
        let name_char = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
        match chars.peek() {
            Some('{') => {
                chars.next();
                let mut name = String::new();
                while let Some(c) = chars.next_if(name_char) {
                    name.push(c);
                }
                match chars.next()? {
                    '}' => self.value(&name).map(str::to_string),
                    ':' => {
                        let op = chars.next()?;
                        let word = braced_word(chars)?;
                        self.modifier(&name, op, true, &word, depth)
                    }
                    op @ ('-' | '+') => {
                        let word = braced_word(chars)?;
                        self.modifier(&name, op, false, &word, depth)
                    }
                    _ => None,
                }
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                let mut name = String::new();
                while let Some(c) = chars.next_if(name_char) {
                    name.push(c);
                }
                self.value(&name).map(str::to_string)
            }
            _ => Some("$".to_string()),
        }
    }

    /// `${NAME:-word}` and friends; a name without a value counts as unset.
    fn modifier(&self, name: &str, op: char, colon: bool, word: &str, depth: usize) -> Option<String> {
        let value = self.value(name);
        let set = if colon { value.is_some_and(|v| !v.is_empty()) } else { value.is_some() };
        match op {
            '-' if set => value.map(str::to_string),
            '-' => self.expand_depth(word, depth + 1),
            '+' if set => self.expand_depth(word, depth + 1),
            '+' => Some(String::new()),
            _ => None,
        }
    }

    /// Apply an `ARG` instruction; `global` supplies defaults for re-declared global args.
    fn arg(&mut self, instruction: &Instruction, global: Option<&Scope>) {
        let text = instruction.args.shell_text().unwrap_or("");
        let mut pending = Vec::new();
        for (s, e) in raw_words(text) {
            let word = text.get(s..e).unwrap_or("");
            let (name, value) = match word.split_once('=') {
                Some((name, raw)) => (name, self.expand(raw)),
                None => (word, global.and_then(|g| g.value(word)).map(str::to_string)),
            };
            pending.push((name.to_string(), value));
        }
        for (name, value) in pending {
            match self.vars.get(&name) {
                // ENV wins over ARG; re-declaring without a value keeps what is known.
                Some(existing) if existing.env || value.is_none() => {}
                _ => {
                    self.vars.insert(name, Var { value, env: false });
                }
            }
        }
    }

    /// Apply an `ENV` instruction (`ENV A=1 B="x y"` or the legacy `ENV A value`).
    fn env(&mut self, instruction: &Instruction) {
        let text = instruction.args.shell_text().unwrap_or("");
        let words = raw_words(text);
        let first = words.first().and_then(|(s, e)| text.get(*s..*e)).unwrap_or("");
        let mut pending = Vec::new();
        if first.contains('=') {
            for (s, e) in words {
                let Some((name, raw)) = text.get(s..e).and_then(|w| w.split_once('=')) else { continue };
                pending.push((name.to_string(), self.expand(raw)));
            }
        } else if !first.is_empty() {
            let rest = text.get(first.len()..).unwrap_or("").trim();
            pending.push((first.to_string(), self.expand(rest)));
        }
        // Every value is expanded against the scope before the instruction, as Docker does.
        for (name, value) in pending {
            self.vars.insert(name, Var { value, env: true });
        }
    }
}

/// The text of a `${NAME<op>word}` word up to its closing brace (nested `${}` included).
fn braced_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut word = String::new();
    let mut depth = 0usize;
    let mut prev_dollar = false;
    for c in chars.by_ref() {
        match c {
            '}' if depth == 0 => return Some(word),
            '}' => depth -= 1,
            '{' if prev_dollar => depth += 1,
            _ => {}
        }
        prev_dollar = c == '$';
        word.push(c);
    }
    None
}

fn escape_of(df: &Dockerfile) -> char {
    df.directives.iter().find(|(n, _)| n == "escape").and_then(|(_, v)| v.chars().next()).unwrap_or('\\')
}

/// The global scope: the `ARG`s before the first `FROM` (or before `end`).
fn global_scope(df: &Dockerfile, end: usize) -> Scope {
    let mut scope = Scope::new(escape_of(df));
    for instruction in df.instructions.iter().take(end) {
        if instruction.keyword == "ARG" {
            scope.arg(instruction, None);
        }
    }
    scope
}

/// Call `visit` with each instruction of `stage` (its `FROM` first) and the variables visible
/// at it, as [`scope_at`] would give them, in one pass: a stage of thousands of instructions
/// costs what it holds, not its square.
pub fn visit_scopes(df: &Dockerfile, stages: &[Stage], stage: &Stage, mut visit: impl FnMut(usize, &Scope)) {
    let first_from = stages.first().map_or(df.instructions.len(), |s| s.from);
    let global = global_scope(df, first_from.min(stage.from));
    let mut scope = scope_at(df, stages, stage.from);
    for at in stage.instructions.clone() {
        visit(at, &scope);
        if at == stage.from {
            continue;
        }
        let Some(instruction) = df.instructions.get(at) else { continue };
        match instruction.keyword.as_str() {
            "ARG" => scope.arg(instruction, Some(&global)),
            "ENV" => scope.env(instruction),
            _ => {}
        }
    }
}

/// The variables visible at instruction `at` (before it runs): the stage's `ARG`s (a
/// re-declared global `ARG` takes the global default) and `ENV`s, plus the `ENV`s inherited
/// through `FROM <earlier stage>`. Before the first `FROM`, the global `ARG`s so far.
pub fn scope_at(df: &Dockerfile, stages: &[Stage], at: usize) -> Scope {
    let first_from = stages.first().map_or(df.instructions.len(), |s| s.from);
    let global = global_scope(df, first_from.min(at));
    let Some(target) = stages.iter().find(|s| s.instructions.contains(&at)) else { return global };
    let mut chain = vec![target];
    while let Some(parent) = chain.last().and_then(|s| s.parent).and_then(|p| stages.get(p)) {
        // Parents always come earlier, so the chain ends; the bound guards a hand-built list.
        if chain.len() > stages.len() {
            break;
        }
        chain.push(parent);
    }
    let mut inherited = Scope::new(global.escape);
    for stage in chain.iter().rev() {
        let mut scope = inherited.clone();
        let end = if stage.index == target.index { at } else { stage.instructions.end };
        for instruction in df.instructions.iter().take(end).skip(stage.from + 1) {
            match instruction.keyword.as_str() {
                "ARG" => scope.arg(instruction, Some(&global)),
                "ENV" => scope.env(instruction),
                _ => {}
            }
        }
        if stage.index == target.index {
            return scope;
        }
        scope.vars.retain(|_, v| v.env);
        inherited = scope;
    }
    inherited
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::dockerfile::parse;
    use crate::{LineIndex, Location};

    fn df(text: &str) -> Dockerfile {
        match parse(text) {
            Ok(df) => df,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    #[test]
    fn stages_aliases_parents_and_ranges() {
        let d = df(
            "# syntax=docker/dockerfile:1\nARG GO=1.22\nFROM --platform=$BUILDPLATFORM golang:${GO} AS Build\nRUN go build\nFROM build AS test\nRUN go test\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\nFROM 0\n",
        );
        let s = stages(&d);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].image, "golang:1.22");
        assert_eq!(s[0].alias.as_deref(), Some("Build"));
        assert_eq!(s[0].from, 1);
        assert_eq!(s[0].instructions, 1..3);
        assert_eq!(s[1].parent, Some(0));
        assert_eq!(s[1].alias.as_deref(), Some("test"));
        assert_eq!(s[2].parent, None);
        assert_eq!(s[2].image, "gcr.io/distroless/static:nonroot");
        assert_eq!(s[3].parent, Some(0));
        assert_eq!(s[3].instructions, 7..8);
    }

    #[test]
    fn global_args_substitution_forms() {
        let d = df(
            "ARG REG=registry.example.com\nARG TAG\nARG V=\"3.20\"\nFROM $REG/app:${TAG:-1.0}\nFROM ${REG}/base:${TAG}\nFROM alpine:${V}\nFROM ${UNDECLARED}\nFROM x:${V:+set}${TAG+never}\n",
        );
        let s = stages(&d);
        assert_eq!(s[0].image, "registry.example.com/app:1.0");
        assert_eq!(s[1].image, "${REG}/base:${TAG}");
        assert_eq!(s[2].image, "alpine:3.20");
        assert_eq!(s[3].image, "${UNDECLARED}");
        assert_eq!(s[4].image, "x:set");
    }

    #[test]
    fn args_after_the_first_from_are_not_global() {
        let d = df("FROM a\nARG IMG=b\nFROM ${IMG}\n");
        assert_eq!(stages(&d)[1].image, "${IMG}");
    }

    #[test]
    fn resources_point_at_the_from_line() {
        let text = "FROM node:20 \\\n  AS web\nRUN npm ci\nFROM nginx:1.27\n";
        let d = df(text);
        let r = resources(&d);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].address, "stage[0] web");
        assert_eq!(r[1].address, "stage[1]");
        assert_eq!(r[1].index, 1);
        assert_eq!(r[0].kind, "stage");
        assert_eq!(r[0].target, Target::Dockerfile);
        assert_eq!(&text[r[0].span.start..r[0].span.end], "FROM node:20 \\");
        let idx = LineIndex::new(text);
        assert_eq!(idx.location(text, r[1].span.start), Location { line: 4, column: 1 });
    }

    #[test]
    fn scope_env_arg_and_inheritance() {
        let d = df(
            "ARG U=builder\nFROM a AS base\nARG U\nENV HOME_DIR=/home/$U APP_USER=\"app user\"\nENV LEGACY some value\nFROM base\nARG LATE=1\nENV X=$LATE\nUSER $APP_USER\n",
        );
        let s = stages(&d);
        let scope = scope_at(&d, &s, 5);
        assert_eq!(scope.value("HOME_DIR"), Some("/home/builder"));
        assert_eq!(scope.value("LEGACY"), Some("some value"));
        let at_user = scope_at(&d, &s, 8);
        assert_eq!(at_user.value("APP_USER"), Some("app user"));
        assert_eq!(at_user.value("X"), Some("1"));
        assert_eq!(at_user.value("U"), None, "ARG does not cross stages");
        assert_eq!(at_user.expand("$APP_USER:${X}").as_deref(), Some("app user:1"));
        assert_eq!(at_user.expand("'$APP_USER'").as_deref(), Some("$APP_USER"));
        assert_eq!(at_user.expand("$NOPE"), None);
        assert_eq!(at_user.expand("${APP_USER#app}"), None);
        assert_eq!(at_user.expand("cost: 5$").as_deref(), Some("cost: 5$"));
    }

    #[test]
    fn env_is_expanded_against_the_previous_scope() {
        let d = df("FROM a\nENV A=1\nENV A=2 B=$A\nUSER x\n");
        let scope = scope_at(&d, &stages(&d), 3);
        assert_eq!(scope.value("A"), Some("2"));
        assert_eq!(scope.value("B"), Some("1"));
    }

    #[test]
    fn env_wins_over_arg() {
        let d = df("FROM a\nENV U=app\nARG U=root\nUSER $U\n");
        assert_eq!(scope_at(&d, &stages(&d), 3).value("U"), Some("app"));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let d = df("FROM a\nUSER x\n");
        let scope = scope_at(&d, &stages(&d), 1);
        let deep = format!("{}x{}", "${A:-".repeat(5_000), "}".repeat(5_000));
        assert_eq!(scope.expand(&deep), None);
        let ok = format!("{}x{}", "${A:-".repeat(10), "}".repeat(10));
        assert_eq!(scope.expand(&ok).as_deref(), Some("x"));
    }

    #[test]
    fn visited_scopes_are_those_of_scope_at() {
        let d = df(
            "ARG V=1\nARG G=g\nFROM alpine AS a\nENV A=$V\nARG G\nARG L=l\nRUN x\nFROM a\nARG L=m\nENV B=$L\nRUN y\n",
        );
        let s = stages(&d);
        for stage in &s {
            let mut seen = 0;
            visit_scopes(&d, &s, stage, |at, scope| {
                seen += 1;
                let fresh = scope_at(&d, &s, at);
                for name in ["V", "G", "A", "L", "B"] {
                    assert_eq!(scope.value(name), fresh.value(name), "{name} at {at}");
                    assert_eq!(scope.is_declared(name), fresh.is_declared(name), "{name} at {at}");
                }
            });
            assert_eq!(seen, stage.instructions.len());
        }
        assert!(std::ptr::eq(stages_of(&d), stages_of(&d)), "worked out once");
        assert_eq!(stages_of(&d), s.as_slice());
    }

    #[test]
    fn no_from_means_no_stages() {
        let d = df("ARG A=1\n# nothing else\n");
        assert!(stages(&d).is_empty());
        assert_eq!(scope_at(&d, &[], 1).value("A"), Some("1"));
    }
}
