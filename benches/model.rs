//! The resource model: from parsed trees to resources (Terraform, Kubernetes,
//! CloudFormation, Dockerfile, dotenv), and the per-unit index relations use.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trustlint_engine::model;
use trustlint_engine::parse::{dockerfile, dotenv, hcl, json, yaml};
use trustlint_engine::rule::Scope;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("model");
    let terraform = hcl::parse(&common::terraform(100)).expect("generated HCL parses");
    let kubernetes = yaml::parse(&common::kubernetes(100)).expect("generated YAML parses");
    let mut cloudformation = json::parse(&common::cloudformation_json(100)).expect("generated JSON parses");
    let docker = dockerfile::parse(&common::dockerfile(100)).expect("generated Dockerfile parses");
    let env = dotenv::parse(&common::dotenv(1_000)).expect("generated dotenv parses");

    let count = model::terraform::resources(&terraform).len();
    group.throughput(Throughput::Elements(count as u64));
    group
        .bench_function("terraform", |b| b.iter(|| model::terraform::resources(black_box(&terraform)).len()));

    let count = model::kubernetes::resources(&kubernetes.documents).len();
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("kubernetes", |b| {
        b.iter(|| model::kubernetes::resources(black_box(&kubernetes.documents)).len())
    });

    model::cloudformation::resolve(std::slice::from_mut(&mut cloudformation.root));
    let documents = std::slice::from_ref(&cloudformation.root);
    let count = model::cloudformation::resources(documents).len();
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("cloudformation", |b| {
        b.iter(|| model::cloudformation::resources(black_box(documents)).len())
    });
    group.bench_function("cloudformation-resolve", |b| {
        b.iter_batched_ref(
            || cloudformation.root.clone(),
            |root| model::cloudformation::resolve(std::slice::from_mut(root)),
            criterion::BatchSize::SmallInput,
        )
    });

    let count = model::dockerfile::resources(&docker).len();
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("dockerfile", |b| b.iter(|| model::dockerfile::resources(black_box(&docker)).len()));

    let count = model::dotenv::resources(&env).len();
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("dotenv", |b| b.iter(|| model::dotenv::resources(black_box(&env)).len()));

    // The index relations search, over a unit of a thousand mixed resources.
    let mut resources = model::terraform::resources(&terraform);
    resources.extend(model::kubernetes::resources(&kubernetes.documents));
    group.throughput(Throughput::Elements(resources.len() as u64));
    group.bench_function("scope", |b| b.iter(|| Scope::new(black_box(&resources)).resources().len()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
