//! Module evaluation end to end: units of files evaluated directly, and linted through
//! `Linter::lint_unit_with` with small inline policies.

use super::*;
use crate::lint::Linter;
use crate::policy::compile;
use crate::rule::{CheckResult, Rule};

/// Module files in memory, by path.
struct MemoryModules(Vec<(&'static str, &'static str)>);

impl ModuleLoader for MemoryModules {
    fn load(&self, dir: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
        let files: Vec<(String, Vec<u8>)> = self
            .0
            .iter()
            .filter(|(path, _)| parent_dir(path) == dir)
            .map(|(path, text)| ((*path).to_string(), text.as_bytes().to_vec()))
            .collect();
        if files.is_empty() { Err(format!("no directory `{dir}`")) } else { Ok(files) }
    }
}

/// Parse files the way the linter does.
fn parse_unit(files: &[(&str, &str)]) -> Vec<Option<(SourceFile, Syntax)>> {
    files
        .iter()
        .map(|(path, text)| {
            let source = SourceFile::new(*path, *text);
            let syntax = match classify::by_path(path) {
                PathKind::TerraformJson => {
                    Syntax::Hcl(hcl::from_json(&json::parse(text).expect("json").root))
                }
                PathKind::TerraformVarsJson => Syntax::Json(json::parse(text).expect("json")),
                _ => Syntax::Hcl(hcl::parse(text).expect("hcl")),
            };
            Some((source, syntax))
        })
        .collect()
}

/// Evaluate a unit and give each resource's address and evaluated body.
fn bodies(
    files: &[(&str, &str)],
    modules: &[(&'static str, &'static str)],
    var_files: &[VarFile],
) -> Vec<(String, Node)> {
    let parsed = parse_unit(files);
    let unit = unit_files(&parsed);
    let loaded = Modules::load(&unit, &MemoryModules(modules.to_vec()));
    let evaluation = evaluate(&unit, &loaded, var_files);
    evaluation.resources.iter().map(|r| (r.address.clone(), r.body.clone().into_owned())).collect()
}

fn body<'b>(all: &'b [(String, Node)], address: &str) -> &'b Node {
    all.iter().find(|(a, _)| a == address).map(|(_, b)| b).unwrap_or_else(|| panic!("no {address}"))
}

fn text_at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn locals_variables_and_templates_resolve_with_the_expression_span() {
    let main = r#"variable "env" {
  default = "prod"
}

variable "unset" {}

locals {
  name   = "${local.prefix}-logs"
  prefix = "acme-${var.env}"
  tags   = merge({ team = "data" }, { env = var.env })
  kms    = var.env == "prod" ? "aws:kms" : "AES256"
}

resource "aws_s3_bucket" "logs" {
  bucket = local.name
  tags   = local.tags
  acl    = var.unset
  sse    = local.kms
}
"#;
    let all = bodies(&[("main.tf", main)], &[], &[]);
    let logs = body(&all, "aws_s3_bucket.logs");
    let bucket = logs.get("bucket").expect("bucket");
    assert_eq!(bucket.as_str(), Some("acme-prod-logs"));
    assert_eq!(text_at(main, bucket.span), "local.name");
    let tags = logs.get("tags").expect("tags");
    assert_eq!(tags.get("env").and_then(Node::as_str), Some("prod"));
    assert_eq!(text_at(main, tags.get("team").expect("team").span), "local.tags");
    assert_eq!(logs.get("acl").map(|n| &n.value), Some(&Value::Expr("var.unset".into())));
    assert_eq!(logs.get("sse").and_then(Node::as_str), Some("aws:kms"));
}

#[test]
fn variable_precedence_default_tfvars_auto_var_files() {
    let main = r#"variable "a" {
  default = "default"
}
variable "b" {
  default = "default"
}
variable "c" {
  default = "default"
}
variable "d" {
  default = "default"
}
variable "flag" {
  type = bool
}
resource "x" "y" {
  a    = var.a
  b    = var.b
  c    = var.c
  d    = var.d
  flag = var.flag
}
"#;
    let files = [
        ("main.tf", main),
        ("terraform.tfvars", "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\nflag = \"true\"\n"),
        ("z.auto.tfvars", "c = \"z.auto\"\nd = \"z.auto\"\n"),
        ("a.auto.tfvars.json", r#"{"c": "a.auto", "d": "a.auto"}"#),
        ("prod.tfvars", "a = \"not applied\"\n"),
    ];
    let var_files = [VarFile::parse("env/prod.tfvars", "d = \"var-file\"\n").expect("parses")];
    let all = bodies(&files, &[], &var_files);
    let y = body(&all, "x.y");
    let get = |k: &str| y.get(k).and_then(Node::scalar_text).map(|t| t.into_owned());
    assert_eq!(get("a").as_deref(), Some("default"));
    assert_eq!(get("b").as_deref(), Some("tfvars"));
    assert_eq!(get("c").as_deref(), Some("z.auto"));
    assert_eq!(get("d").as_deref(), Some("var-file"));
    assert_eq!(y.get("flag").map(|n| &n.value), Some(&Value::Bool(true)));
}

#[test]
fn references_between_resources() {
    let main = r#"resource "aws_s3_bucket" "b" {
  bucket = "acme-data"
}

locals {
  bucket_id = aws_s3_bucket.b.id
}

resource "aws_s3_bucket_versioning" "v" {
  bucket = local.bucket_id
  name   = aws_s3_bucket.b.bucket
  arn    = "${aws_s3_bucket.b.arn}/*"
  count_ = aws_s3_bucket.b.count
}
"#;
    let all = bodies(&[("main.tf", main)], &[], &[]);
    let v = body(&all, "aws_s3_bucket_versioning.v");
    assert_eq!(v.get("bucket").map(|n| &n.value), Some(&Value::Expr("aws_s3_bucket.b.id".into())));
    assert_eq!(v.get("name").and_then(Node::as_str), Some("acme-data"));
    assert_eq!(v.get("arn").map(|n| &n.value), Some(&Value::Expr(r#""${aws_s3_bucket.b.arn}/*""#.into())));
    assert!(v.get("count_").is_some_and(Node::is_expr));
}

#[test]
fn cycles_and_long_chains_are_unknown_not_crashes() {
    let mut main = String::from("locals {\n  a = local.b\n  b = local.a\n");
    for i in 0..300 {
        main.push_str(&format!("  l{i} = local.l{}\n", i + 1));
    }
    main.push_str("  l300 = \"end\"\n  short = local.l290\n}\nresource \"x\" \"y\" {\n  cyc = local.a\n  long = local.l0\n  short = local.short\n}\n");
    let text: &'static str = Box::leak(main.into_boxed_str());
    let all = bodies(&[("main.tf", text)], &[], &[]);
    let y = body(&all, "x.y");
    assert!(y.get("cyc").is_some_and(Node::is_expr));
    assert!(y.get("long").is_some_and(Node::is_expr));
    assert_eq!(y.get("short").and_then(Node::as_str), Some("end"));
}

#[test]
fn count_zero_and_empty_for_each_remove_the_resource() {
    let main = r#"variable "enabled" {
  default = false
}
resource "a" "off" {
  count = var.enabled ? 1 : 0
}
resource "a" "on" {
  count = 2
  name  = "n-${count.index}"
}
resource "a" "none" {
  for_each = toset([])
}
resource "a" "maybe" {
  for_each = var.unknown
}
"#;
    let all = bodies(&[("main.tf", main)], &[], &[]);
    let addresses: Vec<&str> = all.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(addresses, ["a.on", "a.maybe"]);
    assert!(body(&all, "a.on").get("name").is_some_and(Node::is_expr));
}

#[test]
fn policy_attributes_become_trees() {
    let main = r#"resource "aws_iam_policy" "encoded" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = aws_s3_bucket.b.arn }]
  })
}

resource "aws_iam_policy" "heredoc" {
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "${aws_s3_bucket.b.arn}/*"}]}
EOF
}

resource "aws_iam_policy" "literal" {
  policy = "{\"Statement\": {\"Effect\": \"Deny\"}}"
}

resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.assume.json
  name               = "not json"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
"#;
    let all = bodies(&[("main.tf", main)], &[], &[]);
    let encoded = body(&all, "aws_iam_policy.encoded").get("policy").expect("policy");
    // The decoded document takes the spans of the object as written inside `jsonencode(...)`.
    assert_eq!(text_at(main, encoded.span).lines().next(), Some("{"));
    let statement = &encoded.get("Statement").expect("statements").items()[0];
    assert_eq!(statement.get("Action").and_then(Node::as_str), Some("*"));
    assert_eq!(statement.get("Action").map(|n| text_at(main, n.span)), Some("\"*\""));
    assert_eq!(statement.get("Resource").map(|n| &n.value), Some(&Value::Expr("aws_s3_bucket.b.arn".into())));

    let heredoc = body(&all, "aws_iam_policy.heredoc").get("policy").expect("policy");
    let statement = &heredoc.get("Statement").expect("statements").items()[0];
    assert_eq!(statement.get("Action").map(|a| a.items()[0].as_str()), Some(Some("s3:*")));
    assert_eq!(
        statement.get("Resource").map(|n| &n.value),
        Some(&Value::Expr("${aws_s3_bucket.b.arn}/*".into()))
    );

    let literal = body(&all, "aws_iam_policy.literal").get("policy").expect("policy");
    assert_eq!(literal.get_path("Statement.Effect").and_then(Node::as_str), Some("Deny"));

    let role = body(&all, "aws_iam_role.r");
    let assume = role.get("assume_role_policy").expect("assume");
    // A direct policy-document reference stays a reference, for the IAM rules to follow.
    assert_eq!(assume.value, Value::Expr("data.aws_iam_policy_document.assume.json".into()));
    assert_eq!(role.get("name").and_then(Node::as_str), Some("not json"));
}

#[test]
fn json_syntax_files_evaluate_their_templates() {
    let main = r#"{
  "variable": {"env": {"default": "prod", "type": "string"}},
  "locals": {"name": "acme-${var.env}"},
  "resource": {"aws_s3_bucket": {"b": {"bucket": "${local.name}", "literal": "$${not}", "n": "${1 + 1}"}}}
}"#;
    let all = bodies(&[("main.tf.json", main)], &[], &[]);
    let b = body(&all, "aws_s3_bucket.b");
    assert_eq!(b.get("bucket").and_then(Node::as_str), Some("acme-prod"));
    assert_eq!(b.get("literal").and_then(Node::as_str), Some("${not}"));
    assert_eq!(b.get("n").map(|n| &n.value), Some(&Value::Number("2".into())));
}

const MODULE_MAIN: &str = r#"variable "encrypted" {
  default = true
}

variable "name" {}

resource "aws_db_instance" "this" {
  identifier        = var.name
  storage_encrypted = var.encrypted
}

output "id" {
  value = var.name
}

module "nested" {
  source = "../nested"
  label  = "in-${var.name}"
}
"#;

const NESTED_MAIN: &str = r#"variable "label" {}

resource "aws_sns_topic" "t" {
  name = var.label
}
"#;

const MODULES: [(&str, &str); 2] =
    [("modules/db/main.tf", MODULE_MAIN), ("modules/nested/main.tf", NESTED_MAIN)];

#[test]
fn local_modules_are_instantiated_with_their_inputs() {
    let main = r#"module "db" {
  source    = "./modules/db"
  name      = "primary"
  encrypted = false
}

module "replica" {
  source = "./modules/db"
  name   = aws_db_instance.other.id
}

module "off" {
  source = "./modules/db"
  count  = 0
  name   = "off"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

resource "aws_ssm_parameter" "p" {
  value = module.db.id
  other = module.vpc.vpc_id
}
"#;
    let parsed = parse_unit(&[("main.tf", main)]);
    let unit = unit_files(&parsed);
    let loaded = Modules::load(&unit, &MemoryModules(MODULES.to_vec()));
    assert_eq!(loaded.len(), 2);
    let evaluation = evaluate(&unit, &loaded, &[]);
    let addresses: Vec<&str> = evaluation.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "module.db",
            "module.replica",
            "module.vpc",
            "aws_ssm_parameter.p",
            "module.db.aws_db_instance.this",
            "module.db.module.nested",
            "module.replica.aws_db_instance.this",
            "module.replica.module.nested",
            "module.db.module.nested.aws_sns_topic.t",
            "module.replica.module.nested.aws_sns_topic.t",
        ]
    );
    let find = |a: &str| evaluation.resources.iter().find(|r| r.address == a).expect(a);
    let db = find("module.db.aws_db_instance.this");
    assert_eq!(db.body.get("storage_encrypted").map(|n| &n.value), Some(&Value::Bool(false)));
    assert_eq!(db.body.get("identifier").and_then(Node::as_str), Some("primary"));
    let Place::Instance(k) = db.place else { panic!("{:?}", db.place) };
    let (source, _) = evaluation.instance_file(k, &loaded).expect("file");
    assert_eq!(source.path, "modules/db/main.tf");
    assert_eq!(text_at(MODULE_MAIN, db.header), r#"resource "aws_db_instance" "this""#);
    let call = &evaluation.instance_files[k].call;
    assert_eq!((call.address.as_str(), call.file.as_str(), call.start.line), ("module.db", "main.tf", 1));

    let replica = find("module.replica.aws_db_instance.this");
    assert_eq!(replica.body.get("storage_encrypted").map(|n| &n.value), Some(&Value::Bool(true)));
    // The caller's unknown is known in the module by the variable's name.
    assert_eq!(replica.body.get("identifier").map(|n| &n.value), Some(&Value::Expr("var.name".into())));
    let topic = find("module.db.module.nested.aws_sns_topic.t");
    assert_eq!(topic.body.get("name").and_then(Node::as_str), Some("in-primary"));
    let nested_call = match topic.place {
        Place::Instance(k) => &evaluation.instance_files[k].call,
        Place::Unit(_) => panic!("nested module resource in the unit"),
    };
    assert_eq!(
        (nested_call.address.as_str(), nested_call.file.as_str()),
        ("module.db.module.nested", "modules/db/main.tf")
    );

    let p = find("aws_ssm_parameter.p");
    assert_eq!(p.body.get("value").and_then(Node::as_str), Some("primary"));
    assert_eq!(p.body.get("other").map(|n| &n.value), Some(&Value::Expr("module.vpc.vpc_id".into())));
    let notes: Vec<&str> = evaluation.notes.iter().map(|(_, n)| n.reason.as_str()).collect();
    assert_eq!(
        notes,
        ["module.vpc: remote module `terraform-aws-modules/vpc/aws` is not fetched: not evaluated"]
    );
}

#[test]
fn unreadable_and_cyclic_modules_are_noted() {
    let main =
        "module \"gone\" {\n  source = \"./missing\"\n}\nmodule \"self\" {\n  source = \"./loop\"\n}\n";
    let looping: [(&'static str, &'static str); 1] =
        [("loop/main.tf", "module \"again\" {\n  source = \"../loop\"\n}\n")];
    let parsed = parse_unit(&[("main.tf", main)]);
    let unit = unit_files(&parsed);
    let loaded = Modules::load(&unit, &MemoryModules(looping.to_vec()));
    let evaluation = evaluate(&unit, &loaded, &[]);
    let notes: Vec<&str> = evaluation.notes.iter().map(|(_, n)| n.reason.as_str()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].starts_with("module.gone: local module `./missing` not evaluated: no directory"),
        "{notes:?}"
    );
    assert!(
        notes[1].starts_with("module.self.module.again: local module `../loop` not evaluated"),
        "{notes:?}"
    );
    let without = Modules::load(&unit, &NoModules);
    assert!(without.is_empty());
}

/// [`MemoryModules`] that keeps parsed directories and counts the reads.
struct CachingModules {
    files: MemoryModules,
    reads: std::sync::atomic::AtomicUsize,
    cache: ModuleCache,
}

impl ModuleLoader for CachingModules {
    fn load(&self, dir: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.files.load(dir)
    }

    fn cache(&self) -> Option<&ModuleCache> {
        Some(&self.cache)
    }
}

#[test]
fn a_cache_reads_each_module_directory_once_and_evaluates_the_same() {
    let caching = CachingModules {
        files: MemoryModules(MODULES.to_vec()),
        reads: std::sync::atomic::AtomicUsize::new(0),
        cache: ModuleCache::default(),
    };
    let callers = [
        ("one/main.tf", "module \"db\" {\n  source = \"../modules/db\"\n  name = \"a\"\n}\n"),
        ("two/main.tf", "module \"db\" {\n  source = \"../modules/db\"\n  name = \"b\"\n}\n"),
        ("three/main.tf", "module \"x\" {\n  source = \"../missing\"\n}\n"),
        ("four/main.tf", "module \"x\" {\n  source = \"../missing\"\n}\n"),
    ];
    let mut names = Vec::new();
    for caller in callers {
        let parsed = parse_unit(&[caller]);
        let unit = unit_files(&parsed);
        let cached = Modules::load(&unit, &caching);
        let fresh = Modules::load(&unit, &MemoryModules(MODULES.to_vec()));
        assert_eq!(cached.len(), fresh.len());
        let summary = |modules: &Modules| {
            let evaluation = evaluate(&unit, modules, &[]);
            let resources: Vec<(String, Option<String>)> = evaluation
                .resources
                .iter()
                .map(|r| {
                    (r.address.clone(), r.body.get("identifier").and_then(Node::as_str).map(String::from))
                })
                .collect();
            let notes: Vec<String> = evaluation.notes.iter().map(|(_, n)| n.reason.clone()).collect();
            (resources, notes)
        };
        let (resources, notes) = summary(&cached);
        assert_eq!((&resources, &notes), (&summary(&fresh).0, &summary(&fresh).1));
        names.extend(resources.into_iter().filter_map(|(_, identifier)| identifier));
        names.extend(notes);
    }
    // modules/db and modules/nested once each, ../missing once: not once per caller.
    assert_eq!(caching.reads.load(std::sync::atomic::Ordering::Relaxed), 3);
    // Each caller's inputs still reach its own instance.
    assert!(names.iter().any(|n| n == "a") && names.iter().any(|n| n == "b"), "{names:?}");
    assert_eq!(names.iter().filter(|n| n.contains("not evaluated: no directory")).count(), 2, "{names:?}");
}

#[test]
fn paths_of_local_sources() {
    assert_eq!(join("infra/prod", "./modules/db"), "infra/prod/modules/db");
    assert_eq!(join("infra/prod", "../modules/db/"), "infra/modules/db");
    assert_eq!(join("", "./m"), "m");
    assert_eq!(join("", "../m"), "../m");
    assert_eq!(join("../x", "../../m"), "../../m");
    assert!(
        is_local("./a")
            && is_local("../a")
            && !is_local("git::https://x")
            && !is_local("hashicorp/consul/aws")
    );
}

// Through the linter, with policies.

const RDS: &str = r#"
id = "T-RDS-001"
name = "rds"
title = "RDS unencrypted"
severity = "high"
criteria = ["C1.1"]
message = "`{address}` is unencrypted"
target = "terraform"
resources = ["aws_db_instance"]
fail = { path = "storage_encrypted", is_false = true, default = false }
"#;

const IAM: &str = r#"
id = "T-IAM-001"
name = "iam-star"
title = "IAM allows every action"
severity = "critical"
criteria = ["CC6.1"]
message = "`{address}` allows `*`"
target = "terraform"
resources = ["aws_iam_policy", "aws_iam_role_policy"]
fail = { each = "policy.Statement[*]", where = { all = [
  { path = "Effect", equals = "Allow" },
  { path = "Action[*]", equals = "*" },
] } }
"#;

/// (file, line, resource, message) of every finding, and every verdict.
type Linted = (Vec<(String, usize, String)>, Vec<CheckResult>, Vec<crate::lint::FileReport>);

fn lint(
    policy: &str,
    files: &[(&str, &str)],
    modules: &[(&'static str, &'static str)],
    var_files: Vec<VarFile>,
) -> Linted {
    let policy = compile("policy.toml", policy).unwrap_or_else(|e| panic!("{e}"));
    let linter = Linter::new(vec![Box::new(policy) as Box<dyn Rule>], true).with_var_files(var_files);
    let reports = linter.lint_unit_with(
        files.iter().map(|(p, t)| ((*p).to_string(), t.as_bytes().to_vec())).collect(),
        &MemoryModules(modules.to_vec()),
    );
    let mut findings = Vec::new();
    let mut results = Vec::new();
    for report in &reports {
        for f in &report.findings {
            findings.push((f.file.clone(), f.start.line, f.resource.clone().unwrap_or_default()));
        }
        results.extend(report.evaluations.iter().map(|e| e.result));
    }
    findings.sort();
    (findings, results, reports)
}

const DB: &str = r#"variable "encrypted" {
  type    = bool
  default = false
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  storage_encrypted = var.encrypted
}
"#;

#[test]
fn a_variable_default_fails_at_the_attribute() {
    let (findings, results, _) = lint(RDS, &[("db.tf", DB)], &[], Vec::new());
    assert_eq!(findings, [("db.tf".into(), 8, "aws_db_instance.main".into())]);
    assert_eq!(results, [CheckResult::Fail]);
}

#[test]
fn terraform_tfvars_overrides_the_default() {
    let (findings, results, _) =
        lint(RDS, &[("db.tf", DB), ("terraform.tfvars", "encrypted = \"true\"\n")], &[], Vec::new());
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(results, [CheckResult::Pass]);
}

#[test]
fn an_auto_tfvars_overrides_terraform_tfvars_and_a_var_file_overrides_both() {
    let files = [
        ("db.tf", DB),
        ("terraform.tfvars", "encrypted = true\n"),
        ("prod.auto.tfvars", "encrypted = false\n"),
    ];
    let (findings, _, _) = lint(RDS, &files, &[], Vec::new());
    assert_eq!(findings, [("db.tf".into(), 8, "aws_db_instance.main".into())]);
    let var_file = VarFile::parse("env/secure.tfvars", "encrypted = true\n").expect("parses");
    let (findings, results, _) = lint(RDS, &files, &[], vec![var_file]);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(results, [CheckResult::Pass]);
}

#[test]
fn an_unset_variable_is_unknown() {
    let tf = "variable \"encrypted\" {}\nresource \"aws_db_instance\" \"main\" {\n  storage_encrypted = var.encrypted\n}\n";
    let (findings, results, _) = lint(RDS, &[("db.tf", tf)], &[], Vec::new());
    assert!(findings.is_empty());
    assert_eq!(results, [CheckResult::Unknown]);
}

#[test]
fn a_module_input_makes_its_resource_fail_and_the_finding_names_the_call() {
    let main = r#"module "db" {
  source    = "./modules/db"
  name      = "primary"
  encrypted = false
}

module "safe" {
  source = "./modules/db"
  name   = "safe"
}

module "vpc" {
  source = "git::https://example.com/vpc.git"
}
"#;
    let (findings, results, reports) = lint(RDS, &[("main.tf", main)], &MODULES, Vec::new());
    assert_eq!(findings, [("modules/db/main.tf".into(), 9, "module.db.aws_db_instance.this".into())]);
    assert_eq!(results, [CheckResult::Fail, CheckResult::Pass]);
    // The unit's report, then one per module file that has resources.
    let paths: Vec<(&str, Option<&str>)> = reports
        .iter()
        .map(|r| (r.path.as_str(), r.module_call.as_ref().map(|c| c.address.as_str())))
        .collect();
    assert_eq!(
        paths,
        [
            ("main.tf", None),
            ("modules/db/main.tf", Some("module.db")),
            ("modules/db/main.tf", Some("module.safe")),
            ("modules/nested/main.tf", Some("module.db.module.nested")),
            ("modules/nested/main.tf", Some("module.safe.module.nested")),
        ]
    );
    let failing = &reports[1];
    assert_eq!(failing.resources, 2);
    assert_eq!(failing.source.as_ref().map(|s| s.path.as_str()), Some("modules/db/main.tf"));
    let finding = &failing.findings[0];
    assert_eq!(finding.message, "`module.db.aws_db_instance.this` is unencrypted");
    assert_eq!(text_at(MODULE_MAIN, finding.span), "var.encrypted");
    assert_eq!(reports[0].resources, 3);
    let notes: Vec<&str> = reports[0].notes.iter().map(|n| n.reason.as_str()).collect();
    assert_eq!(
        notes,
        ["module.vpc: remote module `git::https://example.com/vpc.git` is not fetched: not evaluated"]
    );
    assert_eq!(reports[0].notes[0].file, "main.tf");
}

#[test]
fn jsonencode_and_policy_documents_are_read_as_trees() {
    let main = r#"resource "aws_iam_policy" "admin" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Deny", Action = "*", Resource = "*" },
      { Effect = "Allow", Action = ["*"], Resource = "*" },
    ]
  })
}

resource "aws_iam_policy" "scoped" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = aws_s3_bucket.b.arn }]
  })
}

resource "aws_iam_role_policy" "from_document" {
  policy = data.aws_iam_policy_document.admin.json
}

resource "aws_iam_role_policy" "from_scoped_document" {
  policy = data.aws_iam_policy_document.scoped.json
}

data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "scoped" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.q.arn]
  }
}
"#;
    let (findings, results, _) = lint(IAM, &[("iam.tf", main)], &[], Vec::new());
    assert_eq!(
        findings,
        // The finding points at the statement's `Action` as written.
        [("iam.tf".into(), 6, "aws_iam_policy.admin".into())]
    );
    // A direct `data.aws_iam_policy_document.x.json` reference stays a reference (the native
    // IAM rules follow it to the statement blocks): to a policy it is unknown.
    assert_eq!(results, [CheckResult::Fail, CheckResult::Pass, CheckResult::Unknown, CheckResult::Unknown]);
}

#[test]
fn without_module_files_a_local_module_is_a_note() {
    let policy = compile("policy.toml", RDS).unwrap_or_else(|e| panic!("{e}"));
    let linter = Linter::new(vec![Box::new(policy) as Box<dyn Rule>], true);
    let reports =
        linter.lint_unit(vec![("main.tf".into(), b"module \"db\" {\n  source = \"./db\"\n}\n".to_vec())]);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].notes.len(), 1);
    assert!(reports[0].notes[0].reason.contains("module files are not available"), "{:?}", reports[0].notes);
}

#[test]
fn hostile_growth_is_cut_off_by_the_budget() {
    let mut main = String::from("locals {\n  l0 = [\"x\"]\n  s0 = \"0123456789abcdef\"\n");
    for i in 1..=48 {
        let p = i - 1;
        main.push_str(&format!(
            "  l{i} = concat(local.l{p}, local.l{p})\n  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n"
        ));
    }
    main.push_str(
        "  loops = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]\n}\n",
    );
    main.push_str("resource \"x\" \"y\" {\n  big = local.l48\n  str = local.s48\n  loops = local.loops\n}\n");
    let text: &'static str = Box::leak(main.into_boxed_str());
    let started = std::time::Instant::now();
    let all = bodies(&[("main.tf", text)], &[], &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
    let y = body(&all, "x.y");
    for key in ["big", "str"] {
        assert!(y.get(key).is_some_and(Node::is_expr), "{key}");
    }
    // The outer loop may finish, its elements past the budget unknown.
    let loops = y.get("loops").expect("loops");
    assert!(loops.is_expr() || loops.items().iter().any(Node::is_expr));
}

#[test]
fn lookups_in_large_locals_copy_only_what_they_select() {
    let mut main = String::from("locals {\n  config = {\n");
    // Copying the whole map for each lookup would be 600 x 2000 x 4 units: over the budget.
    for i in 0..2000 {
        main.push_str(&format!("    k{i} = {{ size = {i}, tags = {{ team = \"t{i}\" }} }}\n"));
    }
    main.push_str("  }\n}\n");
    for i in 0..600 {
        main.push_str(&format!("resource \"x\" \"r{i}\" {{\n  size = local.config[\"k{i}\"].size\n  team = local.config.k{i}.tags.team\n}}\n"));
    }
    let text: &'static str = Box::leak(main.into_boxed_str());
    let all = bodies(&[("main.tf", text)], &[], &[]);
    assert_eq!(all.len(), 600);
    let last = body(&all, "x.r599");
    assert_eq!(last.get("size").map(|n| &n.value), Some(&Value::Number("599".into())));
    assert_eq!(last.get("team").and_then(Node::as_str), Some("t599"));
}

#[test]
fn dynamic_blocks_and_counted_modules() {
    let main = r#"variable "ports" {
  default = [22, 443]
}

resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      cidr_blocks = ["0.0.0.0/0"]
      description = "port ${ingress.value}"
    }
  }
}

module "each" {
  source   = "./modules/db"
  for_each = toset(["a", "b"])
  name     = each.key
}

resource "x" "y" {
  id = module.each["a"].id
}
"#;
    let all = bodies(&[("main.tf", main)], &MODULES, &[]);
    let ingress = body(&all, "aws_security_group.sg").get("ingress").expect("ingress").items();
    assert_eq!(ingress.len(), 1);
    assert!(ingress[0].get("from_port").is_some_and(Node::is_expr));
    assert_eq!(ingress[0].get("cidr_blocks").map(|c| c.items()[0].as_str()), Some(Some("0.0.0.0/0")));
    assert!(ingress[0].get("description").is_some_and(Node::is_expr));
    // One instance of the module, whose `each.key` is unknown.
    let db = body(&all, "module.each.aws_db_instance.this");
    assert_eq!(db.get("identifier").map(|n| &n.value), Some(&Value::Expr("var.name".into())));
    assert!(body(&all, "x.y").get("id").is_some_and(Node::is_expr));
}

#[test]
fn relations_see_references_through_locals_and_resolved_names() {
    let policy = r#"
id = "T-S3-001"
name = "versioning"
title = "no versioning"
severity = "medium"
criteria = ["A1.2"]
message = "`{address}` is not versioned"
target = "terraform"
resources = ["aws_s3_bucket"]
fail = { related = ["aws_s3_bucket_versioning"], via = "bucket", by = ["bucket"], exists = false }
"#;
    let main = r#"locals {
  logs_id = aws_s3_bucket.logs.id
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-${var.env}-data"
}

resource "aws_s3_bucket" "named" {
  bucket = "acme-named"
}

resource "aws_s3_bucket" "bare" {
  bucket = "acme-bare"
}

variable "env" {
  default = "prod"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = local.logs_id
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = "acme-prod-data"
}

resource "aws_s3_bucket_versioning" "named" {
  bucket = aws_s3_bucket.named.bucket
}
"#;
    let (findings, results, _) = lint(policy, &[("s3.tf", main)], &[], Vec::new());
    assert_eq!(findings, [("s3.tf".into(), 17, "aws_s3_bucket.bare".into())]);
    assert_eq!(results, [CheckResult::Pass, CheckResult::Pass, CheckResult::Pass, CheckResult::Fail]);
}
