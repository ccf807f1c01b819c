//! Policy evaluation: every built-in rule bound to each resource of a Terraform file and of
//! a Kubernetes stream (declarative policies and native rules alike), and single declarative
//! policies: a leaf test, and a relation join whose cost grows with the unit.

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use trustlint_engine::document::Syntax;
use trustlint_engine::parse::{hcl, yaml};
use trustlint_engine::policy::compile;
use trustlint_engine::rule::{FileContext, Outcome, Rule, Scope, WORKLOAD_KINDS};
use trustlint_engine::{Resource, SourceFile, model};

/// Whether `rule` judges `resource` (its bindings, with `*` and `@workload`).
fn bound(rule: &dyn Rule, resource: &Resource<'_>) -> bool {
    rule.meta().bindings.iter().any(|b| {
        b.target == resource.target
            && b.resources.iter().any(|k| {
                k == "*"
                    || *k == resource.kind
                    || (k == "@workload" && WORKLOAD_KINDS.contains(&resource.kind.as_str()))
            })
    })
}

/// Evaluate every (rule, resource) pair that is bound; the number of failures.
fn evaluate(rules: &[&dyn Rule], resources: &[Resource<'_>], file: &FileContext<'_>) -> usize {
    let mut failures = 0;
    for resource in resources {
        for rule in rules.iter().filter(|r| bound(**r, resource)) {
            let mut outcome = Outcome::default();
            rule.check(resource, file, &mut outcome);
            failures += outcome.violations.len();
        }
    }
    failures
}

const LEAF: &str = r#"
id = "BENCH-001"
name = "rds-unencrypted"
title = "RDS storage is not encrypted"
severity = "high"
criteria = ["C1.1"]
message = "`{address}` stores data unencrypted"
target = "terraform"
resources = ["aws_db_instance"]
fail = { any = [
  { path = "storage_encrypted", is_false = true, default = false },
  { path = "publicly_accessible", equals = true },
  { path = "identifier", matches = "^(tmp|test)-" },
] }
"#;

const RELATION: &str = r#"
id = "BENCH-002"
name = "bucket-without-versioning"
title = "Bucket without versioning"
severity = "medium"
criteria = ["A1.2"]
message = "`{address}` is not versioned"
target = "terraform"
resources = ["aws_s3_bucket"]
fail = { not = { related = ["aws_s3_bucket_versioning"], via = "bucket", by = ["bucket"], where = { path = "versioning_configuration.status", equals = "Enabled" } } }
"#;

fn bench(c: &mut Criterion) {
    let builtin = trustlint_rules::builtin();
    let rules: Vec<&dyn Rule> = builtin.iter().map(|r| r.as_ref()).collect();
    let mut group = c.benchmark_group("policy");

    let tf_source = SourceFile::new("main.tf", common::terraform(100));
    let tf_syntax = Syntax::Hcl(hcl::parse(&tf_source.text).expect("generated HCL parses"));
    let Syntax::Hcl(tf_file) = &tf_syntax else { return };
    let tf_resources = model::terraform::resources(tf_file);
    let tf_scope = Scope::new(&tf_resources);
    let tf_context = FileContext { source: &tf_source, syntax: &tf_syntax, scope: &tf_scope };
    group.throughput(Throughput::Elements(tf_resources.len() as u64));
    group.bench_function("builtin/terraform", |b| {
        b.iter(|| evaluate(black_box(&rules), &tf_resources, &tf_context))
    });

    let k8s_source = SourceFile::new("deploy.yaml", common::kubernetes(100));
    let k8s_syntax = Syntax::Yaml(yaml::parse(&k8s_source.text).expect("generated YAML parses"));
    let k8s_resources = model::kubernetes::resources(k8s_syntax.documents());
    let k8s_scope = Scope::new(&k8s_resources);
    let k8s_context = FileContext { source: &k8s_source, syntax: &k8s_syntax, scope: &k8s_scope };
    group.throughput(Throughput::Elements(k8s_resources.len() as u64));
    group.bench_function("builtin/kubernetes", |b| {
        b.iter(|| evaluate(black_box(&rules), &k8s_resources, &k8s_context))
    });

    let leaf = compile("leaf.toml", LEAF).expect("the leaf policy compiles");
    group.throughput(Throughput::Elements(tf_resources.len() as u64));
    group.bench_function("leaf", |b| b.iter(|| evaluate(&[&leaf], black_box(&tf_resources), &tf_context)));

    // A relation looks at every resource of the related type in the unit: per-bucket cost
    // grows with the unit unless the join is indexed.
    let relation = compile("relation.toml", RELATION).expect("the relation policy compiles");
    for groups in [50, 200] {
        let source = SourceFile::new("main.tf", common::terraform(groups));
        let syntax = Syntax::Hcl(hcl::parse(&source.text).expect("generated HCL parses"));
        let Syntax::Hcl(file) = &syntax else { return };
        let resources = model::terraform::resources(file);
        let scope = Scope::new(&resources);
        let context = FileContext { source: &source, syntax: &syntax, scope: &scope };
        group.throughput(Throughput::Elements(groups as u64));
        group.bench_with_input(BenchmarkId::new("relation", groups), &resources, |b, resources| {
            b.iter(|| evaluate(&[&relation], black_box(resources), &context))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
