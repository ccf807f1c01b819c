//! Generated inputs shared by the benchmarks: realistic files of each format, sized by a
//! count of resources, deterministic (no randomness: every `n` gives the same text).
#![allow(dead_code)] // each benchmark uses the generators it needs

use std::fmt::Write as _;

/// Whether resource `i` carries the misconfiguration (about one in five), so rules report
/// findings as on real code.
fn bad(i: usize) -> bool {
    i % 5 == 3
}

/// A Terraform file of `n` groups of resources (bucket with its settings, security group,
/// database, IAM role with a `jsonencode` policy): about 1 KB per group.
pub fn terraform(n: usize) -> String {
    let mut out = String::from(
        "variable \"prefix\" {\n  type    = string\n  default = \"shop\"\n}\n\nlocals {\n  tags = { owner = \"platform\" }\n}\n\n",
    );
    for i in 0..n {
        let acl = if bad(i) { "public-read" } else { "private" };
        let cidr = if bad(i) { "\"0.0.0.0/0\"" } else { "\"10.0.0.0/8\"" };
        let encrypted = !bad(i);
        let _ = write!(
            out,
            r#"resource "aws_s3_bucket" "b{i}" {{
  bucket = "${{var.prefix}}-data-{i}"
  tags   = local.tags
}}

resource "aws_s3_bucket_acl" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  acl    = "{acl}"
}}

resource "aws_s3_bucket_versioning" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_security_group" "sg{i}" {{
  name   = "app-{i}"
  vpc_id = "vpc-0123456789abcdef0"
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [{cidr}]
  }}
}}

resource "aws_db_instance" "db{i}" {{
  identifier             = "db-{i}"
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  storage_encrypted      = {encrypted}
  publicly_accessible    = false
  vpc_security_group_ids = [aws_security_group.sg{i}.id]
}}

resource "aws_iam_role_policy" "p{i}" {{
  role = "app-{i}"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${{aws_s3_bucket.b{i}.arn}}/*" }}]
  }})
}}

"#
        );
    }
    out
}

/// A Kubernetes stream of `n` Deployments, each followed by its Service: about 0.9 KB each.
pub fn kubernetes(n: usize) -> String {
    (0..n).map(kubernetes_app).collect()
}

/// Deployment and Service number `i`.
fn kubernetes_app(i: usize) -> String {
    let mut out = String::new();
    {
        let privileged = bad(i);
        let _ = write!(
            out,
            r#"---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: shop
  labels:
    app: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: app
          image: registry.example.com/app-{i}:1.4.2 # pinned by tag
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
          securityContext:
            privileged: {privileged}
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
          resources:
            requests: {{ cpu: 100m, memory: 128Mi }}
            limits: {{ cpu: 500m, memory: 512Mi }}
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: shop
spec:
  selector:
    app: app-{i}
  ports:
    - port: 80
      targetPort: 8080
"#
        );
    }
    out
}

/// A CloudFormation template in JSON with `n` buckets and `n` security groups.
pub fn cloudformation_json(n: usize) -> String {
    let mut resources = Vec::with_capacity(2 * n);
    for i in 0..n {
        let cidr = if bad(i) { "0.0.0.0/0" } else { "10.0.0.0/8" };
        resources.push(format!(
            r#"    "Bucket{i}": {{
      "Type": "AWS::S3::Bucket",
      "Properties": {{
        "BucketName": {{ "Fn::Sub": "${{AWS::StackName}}-data-{i}" }},
        "VersioningConfiguration": {{ "Status": "Enabled" }},
        "BucketEncryption": {{ "ServerSideEncryptionConfiguration": [ {{ "ServerSideEncryptionByDefault": {{ "SSEAlgorithm": "aws:kms" }} }} ] }},
        "Tags": [ {{ "Key": "owner", "Value": "platform" }} ]
      }}
    }},
    "Group{i}": {{
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {{
        "GroupDescription": "app {i}",
        "VpcId": {{ "Ref": "VpcId" }},
        "SecurityGroupIngress": [ {{ "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "{cidr}" }} ]
      }}
    }}"#
        ));
    }
    format!(
        "{{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Parameters\": {{ \"VpcId\": {{ \"Type\": \"String\" }} }},\n  \"Resources\": {{\n{}\n  }}\n}}\n",
        resources.join(",\n")
    )
}

/// A multi-stage Dockerfile with `n` build stages (about 0.4 KB each) and a final stage.
pub fn dockerfile(n: usize) -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1\nARG BASE=python:3.12-slim\n");
    for i in 0..n {
        let pipe = if bad(i) { "RUN curl -fsSL https://get.example.com/install.sh | sh\n" } else { "" };
        let _ = write!(
            out,
            r#"FROM ${{BASE}} AS build{i}
WORKDIR /src/{i}
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --no-cache-dir -r requirements.txt && \
    apt-get update && apt-get install -y --no-install-recommends ca-certificates && \
    rm -rf /var/lib/apt/lists/*
{pipe}RUN <<EOF
set -eux
make build TARGET={i}
EOF
ENV APP_{i}=enabled

"#
        );
    }
    out.push_str("FROM ${BASE}\nCOPY --from=build0 /src/0/bin /app\nUSER 10001\nHEALTHCHECK CMD [\"/app/health\"]\nENTRYPOINT [\"/app/run\"]\n");
    out
}

/// A `.env` file of `n` variables, with comments, quotes and an occasional key-like value.
pub fn dotenv(n: usize) -> String {
    let mut out = String::from("# Local development settings\n");
    for i in 0..n {
        let _ = match i % 4 {
            0 => writeln!(out, "APP_SETTING_{i}=value-{i}"),
            1 => writeln!(out, "export QUOTED_{i}=\"hello world {i}\" # trailing comment"),
            2 => writeln!(out, "SINGLE_{i}='literal ${{NOT_EXPANDED}}'"),
            _ => writeln!(out, "DATABASE_URL_{i}=postgres://app@db:5432/app_{i}"),
        };
    }
    out
}

/// A representative Terraform module directory: `main.tf` with `groups` groups of
/// resources, `variables.tf`, `outputs.tf` and `versions.tf`, as (path, bytes).
pub fn terraform_module(groups: usize) -> Vec<(String, Vec<u8>)> {
    let variables = "variable \"environment\" {\n  type    = string\n  default = \"prod\"\n}\n\nvariable \"tags\" {\n  type    = map(string)\n  default = {}\n}\n";
    let outputs = "output \"bucket_arn\" {\n  value = aws_s3_bucket.b0.arn\n}\n\noutput \"db\" {\n  value = aws_db_instance.db0.id\n}\n";
    let versions = "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n";
    vec![
        ("infra/main.tf".to_string(), terraform(groups).into_bytes()),
        ("infra/variables.tf".to_string(), variables.as_bytes().to_vec()),
        ("infra/outputs.tf".to_string(), outputs.as_bytes().to_vec()),
        ("infra/versions.tf".to_string(), versions.as_bytes().to_vec()),
    ]
}

/// A directory of Kubernetes manifests: `apps` files of one Deployment and Service each.
pub fn kubernetes_dir(apps: usize) -> Vec<(String, Vec<u8>)> {
    (0..apps).map(|i| (format!("deploy/app-{i}.yaml"), kubernetes_app(i).into_bytes())).collect()
}
