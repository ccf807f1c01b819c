//! Terraform module semantics: the effective values rules judge.
//!
//! A module is every `.tf` and `.tf.json` file of a directory together. [`evaluate`] takes
//! the files of one directory (a unit), the local modules it calls ([`Modules`]) and the
//! configured variable files ([`VarFile`]), and gives every resource with its body
//! *evaluated*: the same spanned tree the parser gave, with each expression replaced by its
//! value when that is known statically, keeping the expression's span so findings point at
//! the attribute as written. What is not known stays a [`Value::Expr`],
//! whose text still names what it refers to (`aws_s3_bucket.b.id`), which is how relations
//! recognise references.
//!
//! What is evaluated:
//! - input variables: `default`, then `terraform.tfvars`, `*.auto.tfvars` and configured var
//!   files, in that order (see [`VarFile`]); a variable without a value is unknown;
//! - `locals`, string templates (with `%{if}` and `%{for}`), conditionals whose condition is
//!   known, operators, `for` expressions, splats, and the common functions (`jsonencode`,
//!   `merge`, `concat`, `lookup`, `try`, `coalesce`, `format`, `lower`, `to*`, `length`,
//!   `contains`, `element`, `keys`, `values`, ...);
//! - references to another resource's arguments (`aws_s3_bucket.b.bucket` is `b`'s `bucket`
//!   when set); attributes the provider computes (`id`, `arn`) are unknown;
//! - IAM documents: a JSON string assigned to `policy`, `*_policy` or `container_definitions`
//!   (quoted or heredoc, interpolations allowed) and any `jsonencode(...)` value become trees;
//!   `data.aws_iam_policy_document.x.json` is the tree of the policy the block renders;
//! - local modules (`source = "./..."`): each `module` block instantiates the module's files
//!   with its inputs; their resources are addressed `module.<call>.<type>.<name>` and point
//!   into the module's files, and [`ModuleCall`] says which call produced them. Remote
//!   modules are not fetched: they are noted as not evaluated;
//! - `count` and `for_each`: one instance whose `count.index`, `each.key` and `each.value`
//!   are unknown; a resource (or module call) whose `count` is `0` or whose `for_each` is
//!   empty does not exist and is not judged. `dynamic` blocks are one block whose iterator
//!   values are unknown.
//!
//! Data sources (other than `aws_iam_policy_document`), `terraform.workspace`, `self`,
//! provider-defined functions and functions reading files or the clock are unknown.
//!
//! Each module instance is evaluated once per unit, lazily: a value is computed when first
//! needed and remembered.

mod eval;
mod functions;
mod iam;
mod module;
mod value;
mod vars;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::classify::{self, PathKind};
use crate::document::Syntax;
use crate::lint::{FileReport, Note};
use crate::parse::hcl::{self, HclFile};
use crate::parse::json;
use crate::span::Location;
use crate::{Node, Resource, SourceFile, Span, Target, Value};

pub use vars::VarFile;

/// Most module directories read for one unit.
const MAX_MODULE_DIRS: usize = 64;

/// Reads the files of local modules: the engine never touches the file system itself, the
/// caller decides what may be read (the CLI: directories within the scanned root).
pub trait ModuleLoader: Sync {
    /// The `.tf` and `.tf.json` files of the module directory `dir` (a `/`-separated path in
    /// the same form as the unit's paths, `..` already resolved where possible), each as its
    /// path in that form and its bytes; or why they cannot be read.
    ///
    /// # Errors
    /// A reason for people: the directory does not exist, lies outside the scanned root, ...
    fn load(&self, dir: &str) -> Result<Vec<(String, Vec<u8>)>, String>;

    /// Where module directories, once read and parsed, are kept for the next unit that calls
    /// them (the examples of a repository all call its root module): a loader whose `load`
    /// answers the same for a directory during its whole life may keep one. None by default.
    fn cache(&self) -> Option<&ModuleCache> {
        None
    }
}

/// A module directory read and parsed: its files, or why it was not read.
type ParsedDir = Arc<Result<Vec<Arc<ModuleFile>>, String>>;

/// Parsed module directories shared by the units of one run (see [`ModuleLoader::cache`]):
/// each directory is read and parsed once, however many units call it.
#[derive(Debug, Default)]
pub struct ModuleCache {
    dirs: Mutex<HashMap<String, ParsedDir>>,
}

impl ModuleCache {
    /// The directory as `loader` reads it, parsed: from the cache when it is there.
    fn get_or_load(&self, dir: &str, loader: &dyn ModuleLoader) -> ParsedDir {
        // A poisoned lock only means another thread panicked mid-insert: the map is still a
        // valid map of complete entries.
        let cached = self.dirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(dir).cloned();
        if let Some(parsed) = cached {
            return parsed;
        }
        // Read and parse without holding the lock: another thread parsing the same directory
        // meanwhile produces the same files, and the first insert wins.
        let parsed = load_dir(dir, loader);
        let mut dirs = self.dirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(dirs.entry(dir.to_string()).or_insert(parsed))
    }
}

/// Read and parse one module directory through `loader`.
fn load_dir(dir: &str, loader: &dyn ModuleLoader) -> ParsedDir {
    Arc::new(loader.load(dir).map(|files| {
        files.into_iter().filter_map(|(path, bytes)| parse_module_file(path, &bytes)).map(Arc::new).collect()
    }))
}

/// A loader without files: local modules are noted as not evaluated.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoModules;

impl ModuleLoader for NoModules {
    fn load(&self, _dir: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
        Err("module files are not available".into())
    }
}

/// The `module` block that instantiated a local module: findings on the module's resources
/// come from this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleCall {
    /// The instance's address: `module.db`, or `module.app.module.db` for a nested call.
    pub address: String,
    /// The file holding the `module` block.
    pub file: String,
    /// The block's header (`module "db"`) in that file.
    pub span: Span,
    /// Where the header starts.
    pub start: Location,
}

/// A file of the unit, as the linter parsed it.
#[derive(Debug, Clone, Copy)]
pub struct UnitFile<'a> {
    /// Its index among the unit's files (reports are indexed the same way).
    pub index: usize,
    /// The file.
    pub source: &'a SourceFile,
    /// Its syntax (`Hcl` for `.tf`, `.tf.json` and `.tfvars`; `Json` for `.tfvars.json`).
    pub syntax: &'a Syntax,
}

/// A parsed file of a local module.
#[derive(Debug)]
struct ModuleFile {
    source: SourceFile,
    syntax: Syntax,
    json: bool,
}

/// The files of the local modules a unit calls (directly or through other local modules),
/// read once through a [`ModuleLoader`].
#[derive(Debug, Default)]
pub struct Modules {
    files: Vec<Arc<ModuleFile>>,
    /// Module directory -> its files (indexes into `files`), or why it was not read.
    dirs: HashMap<String, Result<Vec<usize>, String>>,
}

impl Modules {
    /// Read the local modules the unit's `module` blocks call, and those they call in turn.
    pub fn load(unit: &[UnitFile<'_>], loader: &dyn ModuleLoader) -> Modules {
        let mut modules = Modules::default();
        let mut pending: Vec<String> = Vec::new();
        let unit_dir = unit.first().map_or("", |f| parent_dir(&f.source.path));
        for file in unit {
            if let Some((hcl, _)) = module_syntax(file.source, file.syntax) {
                pending.extend(local_sources(hcl).map(|source| join(unit_dir, source)));
            }
        }
        while let Some(dir) = pending.pop() {
            if modules.dirs.contains_key(&dir) {
                continue;
            }
            if modules.dirs.len() >= MAX_MODULE_DIRS {
                modules.dirs.insert(dir, Err(format!("more than {MAX_MODULE_DIRS} module directories")));
                continue;
            }
            let parsed = match loader.cache() {
                Some(cache) => cache.get_or_load(&dir, loader),
                None => load_dir(&dir, loader),
            };
            let read = match parsed.as_ref() {
                Ok(files) => {
                    let mut indexes = Vec::with_capacity(files.len());
                    for file in files {
                        if let Syntax::Hcl(hcl) = &file.syntax {
                            pending.extend(local_sources(hcl).map(|source| join(&dir, source)));
                        }
                        indexes.push(modules.files.len());
                        modules.files.push(Arc::clone(file));
                    }
                    Ok(indexes)
                }
                Err(reason) => Err(reason.clone()),
            };
            modules.dirs.insert(dir, read);
        }
        modules
    }

    /// A module file by index: its source and syntax.
    pub fn file(&self, index: usize) -> Option<(&SourceFile, &Syntax)> {
        self.files.get(index).map(|f| (&f.source, &f.syntax))
    }

    /// Number of module files read.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no module file was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Parse one module file; files that are not Terraform configuration, are not UTF-8 or do not
/// parse are left out (linted on their own, they report their own errors).
fn parse_module_file(path: String, bytes: &[u8]) -> Option<ModuleFile> {
    let kind = classify::by_path(&path);
    if !matches!(kind, PathKind::TerraformHcl | PathKind::TerraformJson) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = SourceFile::new(path, text);
    let json = kind == PathKind::TerraformJson;
    let parsed = if json {
        json::parse(&source.text).ok().map(|doc| hcl::from_json(&doc.root))
    } else {
        hcl::parse(&source.text).ok()
    };
    Some(ModuleFile { syntax: Syntax::Hcl(parsed?), source, json })
}

/// The configuration of a unit file (`.tf`, `.tf.json`) and whether it is JSON syntax;
/// `None` for variables files and others.
fn module_syntax<'a>(source: &SourceFile, syntax: &'a Syntax) -> Option<(&'a HclFile, bool)> {
    match (classify::by_path(&source.path), syntax) {
        (PathKind::TerraformHcl, Syntax::Hcl(hcl)) => Some((hcl, false)),
        (PathKind::TerraformJson, Syntax::Hcl(hcl)) => Some((hcl, true)),
        _ => None,
    }
}

/// The local `source`s of a file's `module` blocks.
fn local_sources(file: &HclFile) -> impl Iterator<Item = &str> {
    file.blocks.iter().filter(|b| b.ident == "module").filter_map(|b| match b.body.get("source") {
        Some(Node { value: Value::String(source), .. }) if is_local(source) => Some(source.as_str()),
        _ => None,
    })
}

/// Whether a module source is a local path (Terraform: it starts with `./` or `../`).
fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || source == "." || source == ".."
}

/// The directory part of a `/`-separated path (`""` for a file at the top).
fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `dir` joined with a relative `source`, `.` and `..` resolved where the path allows (a
/// leading `..` stays: the loader decides whether such a directory may be read).
fn join(dir: &str, source: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Where an evaluated resource, or a note, belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A file of the unit, by its index.
    Unit(usize),
    /// A file of a module instance, by its index in [`Evaluation::instance_files`].
    Instance(usize),
}

/// A file of a local module as one call instantiated it.
#[derive(Debug, Clone)]
pub struct InstanceFile {
    /// The module file (see [`Modules::file`]).
    pub file: usize,
    /// The call.
    pub call: ModuleCall,
}

/// A resource (or data source, module call, provider, `terraform` block) with its evaluated
/// body.
#[derive(Debug, Clone)]
pub struct EvaluatedResource<'a> {
    /// Its type, as in the resource model (`aws_s3_bucket`, `data.aws_iam_policy_document`,
    /// `module`, `provider.aws`, `terraform`).
    pub kind: String,
    /// Its address: `aws_s3_bucket.logs`, or `module.db.aws_db_instance.this` in a module.
    pub address: String,
    /// The block's header in its file.
    pub header: Span,
    /// Its file.
    pub place: Place,
    /// The evaluated body (borrowed when nothing in it needed evaluating).
    pub body: Cow<'a, Node>,
}

/// What evaluating a unit produced.
#[derive(Debug, Default)]
pub struct Evaluation<'a> {
    /// The resources, root module first, then each module instance, in source order.
    pub resources: Vec<EvaluatedResource<'a>>,
    /// The files of module instances that resources or notes refer to.
    pub instance_files: Vec<InstanceFile>,
    /// What was not evaluated, and why (remote modules, unreadable local modules).
    pub notes: Vec<(Place, Note)>,
}

/// Evaluate the unit's Terraform files as one module: `unit` is every file of the unit (the
/// ones that are not Terraform are ignored), `modules` the local modules read for it,
/// `var_files` the configured variables files.
pub fn evaluate<'a>(unit: &[UnitFile<'a>], modules: &'a Modules, var_files: &'a [VarFile]) -> Evaluation<'a> {
    module::Evaluator::new(unit, modules, var_files).run()
}

/// The unit's files the evaluation reads, from the linter's parsed files (indexed as the
/// unit's files are).
pub fn unit_files(parsed: &[Option<(SourceFile, Syntax)>]) -> Vec<UnitFile<'_>> {
    parsed
        .iter()
        .enumerate()
        .filter_map(|(index, file)| {
            let (source, syntax) = file.as_ref()?;
            let terraform = matches!(
                classify::by_path(&source.path),
                PathKind::TerraformHcl
                    | PathKind::TerraformJson
                    | PathKind::TerraformVars
                    | PathKind::TerraformVarsJson
            );
            terraform.then_some(UnitFile { index, source, syntax })
        })
        .collect()
}

impl<'a> Evaluation<'a> {
    /// The resources for the linter: a resource of the unit's file `i` is in file `i`, one of
    /// instance file `k` in file `unit_files + k` (its report follows the unit's).
    pub fn model(&self, unit_files: usize) -> Vec<Resource<'_>> {
        self.resources
            .iter()
            .map(|r| {
                let mut resource =
                    Resource::tree(Target::Terraform, r.kind.clone(), r.address.clone(), r.header, &r.body);
                resource.file = match r.place {
                    Place::Unit(index) => index,
                    Place::Instance(k) => unit_files + k,
                };
                resource
            })
            .collect()
    }

    /// One report per instance file, in order, each saying which call it belongs to.
    pub fn instance_reports(&self, modules: &Modules) -> Vec<FileReport> {
        self.instance_files
            .iter()
            .map(|f| FileReport {
                target: Some(Target::Terraform),
                linted: true,
                path: modules.file(f.file).map_or_else(String::new, |(source, _)| source.path.clone()),
                module_call: Some(f.call.clone()),
                ..FileReport::default()
            })
            .collect()
    }

    /// The source and syntax of instance file `k`.
    pub fn instance_file<'m>(&self, k: usize, modules: &'m Modules) -> Option<(&'m SourceFile, &'m Syntax)> {
        self.instance_files.get(k).and_then(|f| modules.file(f.file))
    }
}
