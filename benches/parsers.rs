//! Parser throughput on generated inputs of about 100 KB and 1 MB: YAML, JSON, HCL,
//! Dockerfile and dotenv, each producing the engine's spanned tree.

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use trustlint_engine::parse::{dockerfile, dotenv, hcl, json, yaml};

/// Resource counts giving inputs of roughly 100 KB and 1 MB.
fn sizes(bytes_per_item: usize) -> [usize; 2] {
    [100_000 / bytes_per_item, 1_000_000 / bytes_per_item]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(20);
    for n in sizes(940) {
        let text = common::kubernetes(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("yaml", text.len()), &text, |b, text| {
            b.iter(|| yaml::parse(black_box(text)).map(|s| s.documents.len()))
        });
    }
    for n in sizes(700) {
        let text = common::cloudformation_json(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("json", text.len()), &text, |b, text| {
            b.iter(|| json::parse(black_box(text)).map(|d| d.comments.len()))
        });
    }
    for n in sizes(1_030) {
        let text = common::terraform(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("hcl", text.len()), &text, |b, text| {
            b.iter(|| hcl::parse(black_box(text)).map(|f| f.blocks.len()))
        });
    }
    for n in sizes(365) {
        let text = common::dockerfile(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("dockerfile", text.len()), &text, |b, text| {
            b.iter(|| dockerfile::parse(black_box(text)).map(|d| d.instructions.len()))
        });
    }
    for n in sizes(40) {
        let text = common::dotenv(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("dotenv", text.len()), &text, |b, text| {
            b.iter(|| dotenv::parse(black_box(text)).map(|f| f.entries.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
