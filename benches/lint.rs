//! The whole lint of representative units through `Linter`, with the built-in pack: a
//! Terraform module (parse, module evaluation, model, every rule, suppressions, findings)
//! and a directory of Kubernetes manifests.

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use trustlint_engine::lint::Linter;

fn bench(c: &mut Criterion) {
    let linter = Linter::new(trustlint_rules::builtin(), true);
    let mut group = c.benchmark_group("lint");
    group.sample_size(20);
    for groups in [10, 50] {
        let files = common::terraform_module(groups);
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::new("terraform-module", groups), &files, |b, files| {
            b.iter(|| {
                let reports = linter.lint_unit(black_box(files.clone()));
                reports.iter().map(|r| r.findings.len()).sum::<usize>()
            })
        });
    }
    let files = common::kubernetes_dir(20);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("kubernetes-dir", |b| {
        b.iter(|| {
            let reports = linter.lint_unit(black_box(files.clone()));
            reports.iter().map(|r| r.findings.len()).sum::<usize>()
        })
    });
    // Start-up: compiling the built-in pack and indexing it.
    group.throughput(Throughput::Elements(1));
    group.bench_function("startup", |b| {
        b.iter(|| Linter::new(trustlint_rules::builtin(), true).rules().len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
