//! Secrets are never printed: known secrets planted in every kind of file trustlint reads
//! must not appear in full in any output format, whether a rule reported them or they only
//! stand near a finding in a source excerpt.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::Path;

use support::{code, json, run_in};

const AWS_KEY_ID: &str = "AKIAQ3MZ7XW2RT6PL5NB";
const AWS_SECRET: &str = "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";
const GITHUB_TOKEN: &str = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sX";
const SLACK_TOKEN: &str = "xoxb-2048123456-4096123456-AbCdEfGhIjKlMnOpQrStUvWx";
const PASSWORD: &str = "Tr0ub4dor-3-xyzzy-Q";

/// A private key body: base64 lines that look like key material.
fn key_lines() -> Vec<String> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state: u32 = 12345;
    (0..12)
        .map(|_| {
            (0..64)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    char::from(alphabet[((state >> 16) % 64) as usize])
                })
                .collect()
        })
        .collect()
}

fn private_key(indent: &str) -> String {
    let mut key = format!("{indent}-----BEGIN RSA PRIVATE KEY-----\n");
    for line in key_lines() {
        key.push_str(&format!("{indent}{line}\n"));
    }
    key.push_str(&format!("{indent}-----END RSA PRIVATE KEY-----\n"));
    key
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// One file of each kind, each holding every secret, next to findings of other rules.
fn plant(dir: &Path) {
    write(
        dir,
        "infra/main.tf",
        &format!(
            r#"provider "aws" {{
  region     = "eu-west-1"
  access_key = "{AWS_KEY_ID}"
  secret_key = "{AWS_SECRET}"
}}

resource "aws_db_instance" "db" {{
  engine              = "postgres"
  password            = "{PASSWORD}"
  publicly_accessible = true
  tags = {{
    github = "{GITHUB_TOKEN}"
    slack  = "{SLACK_TOKEN}"
  }}
}}

locals {{
  key = <<EOT
{key}EOT
}}
"#,
            key = private_key("")
        ),
    );
    write(
        dir,
        "k8s/deploy.yaml",
        &format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: nginx:latest
          securityContext:
            privileged: true
          env:
            - name: AWS_ACCESS_KEY_ID
              value: {AWS_KEY_ID}
            - name: AWS_SECRET_ACCESS_KEY
              value: {AWS_SECRET}
            - name: DB_PASSWORD
              value: {PASSWORD}
            - name: GITHUB_TOKEN
              value: {GITHUB_TOKEN}
            - name: SLACK_TOKEN
              value: {SLACK_TOKEN}
            - name: TLS_KEY
              value: |
{key}"#,
            key = private_key("                ")
        ),
    );
    write(
        dir,
        "cfn/template.yaml",
        &format!(
            r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    Default: {PASSWORD}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MasterUsername: admin
      MasterUserPassword: {PASSWORD}
      PubliclyAccessible: true
      Tags:
        - Key: aws
          Value: {AWS_KEY_ID}
        - Key: secret_access_key
          Value: {AWS_SECRET}
        - Key: github
          Value: {GITHUB_TOKEN}
        - Key: slack
          Value: {SLACK_TOKEN}
"#
        ),
    );
    write(
        dir,
        "docker-compose.yml",
        &format!(
            r#"services:
  api:
    image: nginx:latest
    privileged: true
    environment:
      AWS_ACCESS_KEY_ID: {AWS_KEY_ID}
      AWS_SECRET_ACCESS_KEY: {AWS_SECRET}
      DB_PASSWORD: {PASSWORD}
      GITHUB_TOKEN: {GITHUB_TOKEN}
      SLACK_TOKEN: {SLACK_TOKEN}
"#
        ),
    );
    write(
        dir,
        "app/Dockerfile",
        &format!(
            "FROM ubuntu:latest\nENV AWS_ACCESS_KEY_ID={AWS_KEY_ID}\nENV AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n\
             ENV DB_PASSWORD={PASSWORD}\nARG GITHUB_TOKEN={GITHUB_TOKEN}\nARG SLACK_TOKEN={SLACK_TOKEN}\n\
             RUN curl -fsSL https://example.com/install.sh | sh\n"
        ),
    );
    write(
        dir,
        "app/.env",
        &format!(
            "AWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\nDB_PASSWORD={PASSWORD}\n\
             GITHUB_TOKEN={GITHUB_TOKEN}\nSLACK_TOKEN={SLACK_TOKEN}\nTLS_KEY=\"{key}\"\n",
            key = private_key("")
        ),
    );
    write(
        dir,
        ".github/workflows/ci.yml",
        &format!(
            r#"on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: {AWS_KEY_ID}
      AWS_SECRET_ACCESS_KEY: {AWS_SECRET}
      DB_PASSWORD: {PASSWORD}
      GITHUB_TOKEN: {GITHUB_TOKEN}
      SLACK_TOKEN: {SLACK_TOKEN}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
      - run: echo "${{{{ github.event.pull_request.title }}}}"
"#
        ),
    );
    write(
        dir,
        "notes.txt",
        &format!(
            "aws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\npassword: {PASSWORD}\n\
             github: {GITHUB_TOKEN}\nslack: {SLACK_TOKEN}\n{key}",
            key = private_key("")
        ),
    );
}

#[test]
fn no_output_format_prints_a_secret() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    std::fs::create_dir(repo.join(".git")).expect("git marker");
    plant(repo);

    let report = json(&run_in(repo, &["lint", ".", "--format", "json"]));
    let findings = report["findings"].as_array().expect("findings");
    let found = |rule: &str, file: &str| findings.iter().any(|f| f["rule"] == rule && f["file"] == file);
    // The test means something only if the secrets are found and rendered near other findings.
    for file in [
        "infra/main.tf",
        "k8s/deploy.yaml",
        "cfn/template.yaml",
        "app/.env",
        "notes.txt",
        "docker-compose.yml",
    ] {
        assert!(found("TL-SECRET-001", file), "TL-SECRET-001 in {file}");
    }
    for file in ["infra/main.tf", "k8s/deploy.yaml", "app/.env", "notes.txt"] {
        assert!(found("TL-SECRET-002", file), "TL-SECRET-002 in {file}");
    }
    for file in ["app/Dockerfile", ".github/workflows/ci.yml"] {
        assert!(findings.iter().any(|f| f["file"] == file), "findings in {file}");
    }

    let mut secrets: Vec<String> = [AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN, SLACK_TOKEN, PASSWORD]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    secrets.extend(key_lines());
    for format in ["human", "concise", "json", "sarif", "junit", "github", "markdown"] {
        let output = run_in(repo, &["lint", ".", "--format", format]);
        assert_eq!(code(&output), 1, "{format}: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.len() > 200, "{format} rendered something: {text}");
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{format} prints `{secret}`:\n{text}");
        }
        // Nor a long piece of one (a secret cut by a window or a message).
        for secret in &secrets {
            let piece = secret.get(4..secret.len().min(20)).unwrap_or_default();
            assert!(!text.contains(piece), "{format} prints `{piece}` of `{secret}`");
        }
    }
    // The SOC 2 readiness report quotes findings too.
    for format in ["markdown", "html", "json"] {
        let output = run_in(repo, &["report", ".", "--format", format]);
        assert_eq!(code(&output), 0, "report {format}: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("TL-SECRET-001"), "report {format} lists the secret findings");
        for secret in &secrets {
            let piece = secret.get(4..secret.len().min(20)).unwrap_or_default();
            assert!(!text.contains(piece), "report {format} prints `{piece}` of `{secret}`");
        }
    }
}
