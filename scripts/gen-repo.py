#!/usr/bin/env python3
"""Generate a synthetic infrastructure tree for scaling benchmarks.

    scripts/gen-repo.py OUT_DIR --files N [--seed S]

Writes exactly N files under OUT_DIR (which must not exist or be empty), deterministic for a
given seed. The tree is a checkout of many small service repositories, as an organisation
scan sees them, each with the mix of a typical infrastructure repository:

- Terraform (about 45%): `modules/<name>/{main,variables,outputs,versions}.tf` (S3 buckets
  with their versioning, encryption and public-access resources, security groups, RDS,
  IAM roles with `jsonencode` policies, KMS keys, CloudWatch log groups) and
  `environments/<env>/{main.tf,variables.tf,terraform.tfvars}` calling the modules;
- Kubernetes manifests (about 30%): a directory per application with a Deployment,
  Service, ConfigMap, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, Ingress;
- Dockerfiles (about 8%), compose files (about 5%), GitHub Actions workflows (about 6%),
  `.env` files and a README.

About one resource in five carries a common misconfiguration (public bucket, open
ingress, privileged container, unpinned action, ...), so rules report findings as on real
code. Directories stay small (under 20 files), as in real repositories: the benchmark
measures how the linter scales with the number of files, not with one huge directory.
"""

import argparse
import os
import random
import sys

ENVIRONMENTS = ["dev", "staging", "prod", "sandbox"]
WORDS = [
    "orders", "billing", "search", "catalog", "checkout", "users", "auth", "ledger",
    "reports", "events", "media", "notify", "audit", "gateway", "inventory", "pricing",
    "shipping", "ratings", "profile", "session",
]
IMAGES = ["python:3.12-slim", "node:20-alpine", "golang:1.23", "eclipse-temurin:21-jre",
          "nginx:1.27", "ubuntu:24.04", "alpine:3.20"]


class Repo:
    """Writes files until the budget is spent."""

    def __init__(self, root, budget):
        self.root = root
        self.left = budget

    def write(self, rel, text):
        if self.left <= 0:
            return False
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.left -= 1
        return True


def tf_module(rng, name):
    bad = lambda: rng.random() < 0.2  # noqa: E731
    acl = '"public-read"' if bad() else '"private"'
    cidr = '"0.0.0.0/0"' if bad() else "var.allowed_cidr"
    encrypted = "false" if bad() else "true"
    public_db = "true" if bad() else "false"
    actions = '"*"' if bad() else '["s3:GetObject", "s3:PutObject"]'
    port = rng.choice([22, 443, 5432, 3306, 8080])
    main = f'''locals {{
  name = "${{var.prefix}}-{name}"
  tags = merge(var.tags, {{
    service = "{name}"
    owner   = var.owner
  }})
}}

resource "aws_s3_bucket" "data" {{
  bucket = "${{local.name}}-data"
  tags   = local.tags
}}

resource "aws_s3_bucket_acl" "data" {{
  bucket = aws_s3_bucket.data.id
  acl    = {acl}
}}

resource "aws_s3_bucket_versioning" "data" {{
  bucket = aws_s3_bucket.data.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {{
  bucket = aws_s3_bucket.data.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "data" {{
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_kms_key" "data" {{
  description         = "{name} data key"
  enable_key_rotation = {"false" if bad() else "true"}
}}

resource "aws_security_group" "app" {{
  name        = "${{local.name}}-app"
  description = "{name} application"
  vpc_id      = var.vpc_id

  ingress {{
    description = "service port"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = [{cidr}]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_db_instance" "main" {{
  identifier              = "${{local.name}}-db"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = var.db_instance_class
  allocated_storage       = 20
  storage_encrypted       = {encrypted}
  publicly_accessible     = {public_db}
  backup_retention_period = {rng.choice([0, 7, 14])}
  deletion_protection     = var.environment == "prod"
  vpc_security_group_ids  = [aws_security_group.app.id]
  tags                    = local.tags
}}

resource "aws_iam_role" "app" {{
  name = "${{local.name}}-app"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "app" {{
  name = "data-access"
  role = aws_iam_role.app.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {actions}
      Resource = "${{aws_s3_bucket.data.arn}}/*"
    }}]
  }})
}}

resource "aws_cloudwatch_log_group" "app" {{
  name              = "/ecs/${{local.name}}"
  retention_in_days = {rng.choice([7, 30, 90, 365])}
}}
'''
    variables = '''variable "prefix" {
  type = string
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "owner" {
  type    = string
  default = "platform"
}

variable "vpc_id" {
  type = string
}

variable "allowed_cidr" {
  type    = string
  default = "10.0.0.0/8"
}

variable "db_instance_class" {
  type    = string
  default = "db.t3.micro"
}

variable "tags" {
  type    = map(string)
  default = {}
}
'''
    outputs = '''output "bucket_arn" {
  value = aws_s3_bucket.data.arn
}

output "role_arn" {
  value = aws_iam_role.app.arn
}

output "db_endpoint" {
  value = aws_db_instance.main.endpoint
}
'''
    versions = '''terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
'''
    return [("main.tf", main), ("variables.tf", variables), ("outputs.tf", outputs),
            ("versions.tf", versions)]


def tf_environment(rng, env, modules):
    calls = "\n".join(
        f'''module "{m}" {{
  source      = "../../modules/{m}"
  prefix      = "${{var.project}}-{env}"
  environment = "{env}"
  vpc_id      = var.vpc_id
  tags        = {{ environment = "{env}" }}
}}
''' for m in modules)
    main = f'''provider "aws" {{
  region = var.region
}}

{calls}'''
    variables = '''variable "project" {
  type = string
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "vpc_id" {
  type = string
}
'''
    tfvars = f'''project = "{rng.choice(WORDS)}"
region  = "{rng.choice(["eu-west-1", "us-east-1", "ap-southeast-2"])}"
vpc_id  = "vpc-{rng.randrange(16**8):08x}"
'''
    return [("main.tf", main), ("variables.tf", variables), ("terraform.tfvars", tfvars)]


def k8s_app(rng, app):
    bad = lambda: rng.random() < 0.2  # noqa: E731
    privileged = "true" if bad() else "false"
    image = f"registry.example.com/{app}:{'latest' if bad() else '1.4.2'}"
    run_as_non_root = "false" if bad() else "true"
    limits = "" if bad() else '''          limits:
            cpu: 500m
            memory: 512Mi
'''
    labels = f'''    app.kubernetes.io/name: {app}
    app.kubernetes.io/part-of: shop'''
    deployment = f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: shop
  labels:
{labels}
spec:
  replicas: {rng.choice([1, 2, 3])}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
{labels.replace("    ", "        ")}
    spec:
      serviceAccountName: {app}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: {run_as_non_root}
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {app}
          image: {image}
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {app}-db
                  key: password
          securityContext:
            privileged: {privileged}
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
{limits}          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
'''
    service = f'''apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: shop
spec:
  type: {"LoadBalancer" if bad() else "ClusterIP"}
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - port: 80
      targetPort: 8080
'''
    configmap = f'''apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: shop
data:
  LOG_FORMAT: json
  FEATURE_FLAGS: "search,recommendations"
  UPSTREAM_URL: http://{rng.choice(WORDS)}.shop.svc.cluster.local
'''
    hpa = f'''apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {app}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
'''
    pdb = f'''apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {app}
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
'''
    netpol = f'''apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {app}
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {app}
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/part-of: shop
      ports:
        - port: 8080
'''
    ingress = f'''apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: shop
spec:
  ingressClassName: nginx
  tls:
    - hosts: ["{app}.example.com"]
      secretName: {app}-tls
  rules:
    - host: {app}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {app}
                port:
                  number: 80
'''
    return [("deployment.yaml", deployment), ("service.yaml", service),
            ("configmap.yaml", configmap), ("hpa.yaml", hpa), ("pdb.yaml", pdb),
            ("networkpolicy.yaml", netpol), ("ingress.yaml", ingress)]


def dockerfile(rng, svc):
    base = rng.choice(IMAGES)
    user = "" if rng.random() < 0.2 else "USER 10001\n"
    curl = "RUN curl -fsSL https://get.example.com/install.sh | sh\n" if rng.random() < 0.2 else ""
    return f'''# syntax=docker/dockerfile:1
FROM {base} AS build
WORKDIR /src
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates make \\
    && rm -rf /var/lib/apt/lists/*
{curl}RUN make build SERVICE={svc}

FROM {base}
WORKDIR /app
COPY --from=build /src/bin/{svc} /app/{svc}
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["/app/{svc}", "health"]
{user}ENTRYPOINT ["/app/{svc}"]
'''


def compose(rng, services):
    blocks = []
    for s in services:
        privileged = "\n    privileged: true" if rng.random() < 0.2 else ""
        blocks.append(f'''  {s}:
    build: ./{s}
    image: registry.example.com/{s}:1.4.2
    restart: unless-stopped
    environment:
      LOG_LEVEL: info
      DATABASE_URL: postgres://app@db:5432/{s}
    ports:
      - "{rng.randrange(8000, 9000)}:8080"
    depends_on:
      - db{privileged}
''')
    return f'''services:
{"".join(blocks)}  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    volumes:
      - db-data:/var/lib/postgresql/data
volumes:
  db-data: {{}}
'''


def workflow(rng, name):
    ref = "v4" if rng.random() < 0.2 else "11bd71901bbe5b1630ceea73d27597364c9af683"
    injection = ('''      - name: Greet
        run: echo "Building ${{ github.event.pull_request.title }}"
''' if rng.random() < 0.2 else "")
    return f'''name: {name}
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@{ref}
        with:
          persist-credentials: false
{injection}      - name: Test
        run: make test
      - name: Build
        run: make build
'''


def dotenv(rng):
    leaked = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    secret = leaked if rng.random() < 0.2 else "change-me"
    return f'''APP_ENV=development
LOG_LEVEL=debug
DATABASE_URL=postgres://app@localhost:5432/app
AWS_ACCESS_KEY_ID={secret}
FEATURE_FLAGS=search,recommendations
'''


def generate_repo(rng, repo, out):
    """One service repository, written through `out`; about 100 files."""
    names = rng.sample(WORDS, 6)
    for m in names:
        for file, text in tf_module(rng, m):
            out.write(f"{repo}/terraform/modules/{m}/{file}", text)
    for env in ENVIRONMENTS:
        for file, text in tf_environment(rng, env, names):
            out.write(f"{repo}/terraform/environments/{env}/{file}", text)
    for app in names[:4]:
        for file, text in k8s_app(rng, app):
            out.write(f"{repo}/deploy/k8s/{app}/{file}", text)
    for svc in names[:5]:
        out.write(f"{repo}/services/{svc}/Dockerfile", dockerfile(rng, svc))
    for group in range(3):
        out.write(f"{repo}/compose/stack-{group}/docker-compose.yml", compose(rng, names[group:group + 2]))
    for wf in ["ci", "release", "deploy", "codeql", "lint", "nightly"]:
        out.write(f"{repo}/.github/workflows/{wf}.yml", workflow(rng, wf))
    out.write(f"{repo}/.env.example", dotenv(rng))
    out.write(f"{repo}/services/{names[0]}/.env", dotenv(rng))
    out.write(f"{repo}/README.md", f"# {repo}\n\nInfrastructure of the {names[0]} service.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"{args.out} exists and is not empty")
    rng = random.Random(args.seed)
    out = Repo(args.out, args.files)
    index = 0
    while out.left > 0:
        generate_repo(rng, f"repo-{index:05d}", out)
        index += 1
    print(f"{args.files} files in {index} repositories under {args.out}")


if __name__ == "__main__":
    main()
