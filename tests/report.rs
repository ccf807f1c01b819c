//! `trustlint report` end to end: statuses per criterion, the exceptions register, the
//! population against the lint's own evaluations (its JUnit test cases), determinism, masking,
//! and an HTML page a browser reads the per-criterion table from.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{code, json, run_in};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const DATABASES: &str = r#"resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false
}

# trustlint:ignore TL-AWS-029 expires=2099-01-31 -- legacy reporting DB, migration in SEC-7 <script>
resource "aws_db_instance" "legacy" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = false
}

resource "aws_db_instance" "good" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = true
}
"#;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27.2
      securityContext:
        privileged: true
";

/// Rules narrowed so every status is exercised and the counts are known:
/// TL-AWS-029 (C1.1, CC6.1) fails one database, passes one and one is suppressed;
/// TL-AWS-010 (CC6.6, CC6.1, C1.1) passes all three; TL-K8S-001 (CC6.1, CC6.8) fails the pod;
/// TL-AWS-012 (CC7.2, CC7.3, CC4.1) has no trail to judge.
const SELECT: &str = "TL-AWS-029,TL-AWS-010,TL-K8S-001,TL-AWS-012";

fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "infra/main.tf", DATABASES);
    write(dir.path(), "k8s/pod.yaml", POD);
    dir
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn report_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["report", ".", "--format", "json", "--select", SELECT];
    args.extend_from_slice(extra);
    let output = run_in(dir, &args);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    json(&output)
}

fn criterion<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|row| row["id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().expect("array").iter().map(|v| v.as_str().expect("string")).collect()
}

#[test]
fn criteria_rows_carry_counts_and_the_three_statuses() {
    let dir = repository();
    let report = report_json(dir.path(), &[]);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["report"], "soc2-readiness");

    let c11 = criterion(&report, "C1.1");
    assert_eq!(strings(&c11["rules"]), ["TL-AWS-010", "TL-AWS-029"]);
    assert_eq!(c11["evaluated"], 6);
    assert_eq!(c11["pass"], 4);
    assert_eq!(c11["fail"], serde_json::json!({"critical": 0, "high": 1, "medium": 0, "low": 0}));
    assert_eq!(c11["suppressed"], 1);
    assert_eq!(c11["unknown"], 0);
    assert_eq!(strings(&c11["files_affected"]), ["infra/main.tf"]);
    assert_eq!(c11["status"], "Exceptions noted");

    let cc68 = criterion(&report, "CC6.8");
    assert_eq!(cc68["fail"]["critical"], 1);
    assert_eq!(strings(&cc68["files_affected"]), ["k8s/pod.yaml"]);
    assert_eq!(cc68["status"], "Exceptions noted");

    let cc66 = criterion(&report, "CC6.6");
    assert_eq!((cc66["evaluated"].as_u64(), cc66["pass"].as_u64()), (Some(3), Some(3)));
    assert_eq!(cc66["status"], "No exceptions noted");

    let cc73 = criterion(&report, "CC7.3");
    assert_eq!(strings(&cc73["rules"]), ["TL-AWS-012"]);
    assert_eq!(cc73["evaluated"], 0);
    assert_eq!(cc73["status"], "Not assessable from configuration");

    // Criteria appear in the published order; the catalogue's other criteria are listed as
    // having no rule in this run, and the organisational ones as not assessable.
    let ids: Vec<&str> =
        report["criteria"].as_array().expect("rows").iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["CC4.1", "CC6.1", "CC6.6", "CC6.8", "CC7.2", "CC7.3", "C1.1"]);
    let without: Vec<&str> = report["criteria_without_rules"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(without.contains(&"A1.2") && !without.contains(&"CC6.1"), "{without:?}");
    let not_assessable: Vec<&str> =
        report["not_assessable"].as_array().expect("list").iter().filter_map(|c| c["id"].as_str()).collect();
    for id in ["CC1.1", "CC2.3", "CC5.3", "CC6.4", "CC6.5", "CC7.4", "CC9.2", "PI1.1", "PI1.4", "P8.1"] {
        assert!(not_assessable.contains(&id), "{id} missing from {not_assessable:?}");
    }
    assert_eq!(strings(&report["summary"]["criteria_with_exceptions"]), ["CC6.1", "CC6.8", "C1.1"]);
    assert!(
        report["scope"]["statement"].as_str().is_some_and(|s| s.contains("does not observe deployed state"))
    );
}

#[test]
fn the_exceptions_register_holds_the_suppressed_finding_with_its_reason() {
    let dir = repository();
    let report = report_json(dir.path(), &[]);
    let exceptions = report["exceptions"].as_array().expect("exceptions");
    assert_eq!(exceptions.len(), 1, "{exceptions:?}");
    let x = &exceptions[0];
    assert_eq!(x["rule"], "TL-AWS-029");
    assert_eq!(x["resource"], "aws_db_instance.legacy");
    assert_eq!(x["file"], "infra/main.tf");
    assert_eq!(x["line"], 11);
    assert_eq!(x["reason"], "legacy reporting DB, migration in SEC-7 <script>");
    assert_eq!(x["expires"], "2099-01-31");
    assert_eq!(x["kind"], "inline");
    // The suppressed finding is not among the findings; the open ones are, with their fix.
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.iter().any(|f| f["resource"] == "aws_db_instance.legacy"));
    let main = findings.iter().find(|f| f["resource"] == "aws_db_instance.main").expect("main's finding");
    assert_eq!(
        (main["rule"].as_str(), main["severity"].as_str(), main["line"].as_u64()),
        (Some("TL-AWS-029"), Some("high"), Some(4))
    );
    assert!(main["fix"].as_str().is_some_and(|f| f.contains("storage_encrypted = true")));
    assert_eq!(strings(&main["criteria"]), ["C1.1", "CC6.1"]);

    // With inline suppressions ignored, the register is empty and the failure counts.
    let audit = report_json(dir.path(), &["--no-inline-suppressions"]);
    assert!(audit["exceptions"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(criterion(&audit, "C1.1")["fail"]["high"], 2);
}

#[test]
fn the_population_is_the_lint_evaluations() {
    let dir = repository();
    let report = report_json(dir.path(), &[]);
    let output = run_in(dir.path(), &["lint", ".", "--format", "junit", "--select", SELECT]);
    let xml = String::from_utf8(output.stdout).expect("utf-8");
    let junit = roxmltree::Document::parse(&xml).expect("JUnit XML");
    let suites: Vec<_> = junit.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    let population = report["population"].as_array().expect("population");
    assert_eq!(population.len(), suites.len(), "one population per rule that evaluated something");
    let mut total = 0;
    for suite in &suites {
        let rule = suite.attribute("name").expect("suite name");
        let p = population
            .iter()
            .find(|p| p["rule"] == rule)
            .unwrap_or_else(|| panic!("no population for {rule}"));
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        let entries = p["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), cases.len(), "{rule}");
        let failures = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
        let skipped = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("skipped"))).count();
        assert_eq!(p["fail"].as_u64(), Some(failures as u64), "{rule}");
        assert_eq!(p["unknown"].as_u64(), Some(skipped as u64), "{rule}");
        let mut resources: Vec<&str> = entries.iter().filter_map(|e| e["resource"].as_str()).collect();
        let mut names: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
        resources.sort_unstable();
        names.sort_unstable();
        assert_eq!(resources, names, "{rule}");
        total += entries.len();
    }
    assert_eq!(report["summary"]["evaluations"].as_u64(), Some(total as u64));
    let tl029 = population.iter().find(|p| p["rule"] == "TL-AWS-029").expect("TL-AWS-029");
    assert_eq!(
        (tl029["pass"].as_u64(), tl029["fail"].as_u64(), tl029["suppressed"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    let legacy = tl029["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["resource"] == "aws_db_instance.legacy")
        .expect("legacy");
    assert_eq!((legacy["result"].as_str(), legacy["suppressed"].as_bool()), (Some("fail"), Some(true)));

    // The counts agree with the lint's JSON summary, and the coverage lists every file read.
    let lint = json(&run_in(dir.path(), &["lint", ".", "--format", "json", "--select", SELECT]));
    assert_eq!(report["summary"]["findings"], lint["summary"]["findings"]);
    assert_eq!(report["summary"]["suppressed_findings"], lint["summary"]["suppressed"]);
    assert_eq!(report["summary"]["files"], lint["summary"]["files"]);
    assert_eq!(strings(&report["coverage"]["files_by_target"]["terraform"]), ["infra/main.tf"]);
    assert_eq!(strings(&report["coverage"]["files_by_target"]["kubernetes"]), ["k8s/pod.yaml"]);
}

#[test]
fn the_run_is_identified_and_otherwise_deterministic() {
    let dir = repository();
    write(dir.path(), "trustlint.toml", "[lint]\nexclude = [\"vendor/**\"]\n");
    if git_available() {
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "infrastructure"]);
    }
    let first = report_json(dir.path(), &[]);
    let run = &first["run"];
    assert_eq!(run["tool"]["name"], "trustlint");
    let hex64 = |v: &Value| {
        v.as_str().is_some_and(|s| {
            s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
    };
    assert!(hex64(&run["rule_pack"]["sha256"]), "{run}");
    assert!(hex64(&run["tool"]["sha256"]), "{run}");
    assert_eq!(run["rule_pack"]["rules"], 4);
    let config_bytes = std::fs::read(dir.path().join("trustlint.toml")).expect("config");
    assert_eq!(run["config"]["sha256"].as_str(), Some(sha256(&config_bytes).as_str()));
    for key in ["started_at", "finished_at"] {
        let time = run[key].as_str().expect("time");
        let bytes = time.as_bytes();
        assert!(time.len() == 20 && bytes[10] == b'T' && time.ends_with('Z') && bytes[4] == b'-', "{time}");
    }
    assert_eq!(strings(&first["scope"]["excludes"]), ["vendor/**"]);

    if git_available() {
        let head = git(dir.path(), &["rev-parse", "HEAD"]);
        assert_eq!(run["git"]["commit"].as_str(), Some(head.as_str()));
        assert_eq!(run["git"]["clean"], true);
        write(dir.path(), "infra/extra.tf", "locals {}\n");
        let dirty = report_json(dir.path(), &[]);
        assert_eq!(dirty["run"]["git"]["clean"], false);
        std::fs::remove_file(dir.path().join("infra/extra.tf")).expect("remove");
    } else {
        eprintln!("git is not installed: the git fields are not checked");
        assert!(run["git"].is_null());
    }

    // Another rule set hashes differently; the same one the same.
    let other = json(&run_in(dir.path(), &["report", ".", "--format", "json", "--select", "TL-AWS-029"]));
    assert_ne!(other["run"]["rule_pack"]["sha256"], run["rule_pack"]["sha256"]);

    let second = report_json(dir.path(), &[]);
    assert_eq!(stable(first), stable(second), "reports differ beyond the documented fields");
    let markdown = |dir: &Path| {
        let output = run_in(dir, &["report", ".", "--select", SELECT]);
        String::from_utf8(output.stdout)
            .expect("utf-8")
            .lines()
            .filter(|l| !l.contains("(UTC)") && !l.starts_with("Generated by"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(markdown(dir.path()), markdown(dir.path()));
}

/// The report without the fields documented to vary between runs.
fn stable(mut report: Value) -> Value {
    if let Some(run) = report["run"].as_object_mut() {
        for key in ["started_at", "finished_at", "git", "ci"] {
            run.remove(key);
        }
    }
    report
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn markdown_has_the_table_the_register_and_the_scope() {
    let dir = repository();
    let output = run_in(dir.path(), &["report", ".", "--format", "markdown", "--select", SELECT]);
    assert_eq!(code(&output), 0);
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(text.starts_with("# SOC 2 readiness report\n"));
    assert!(text.contains(
        "| Criterion | Description | Rules (count · ids) | Resources evaluated | Pass | Fail (C/H/M/L) | Suppressed | Unknown | Files affected | Status |"
    ));
    let row = |id: &str| {
        text.lines().find(|l| l.starts_with(&format!("| {id} |"))).unwrap_or_else(|| panic!("no {id} row"))
    };
    assert!(row("C1.1").contains("| 2 · TL-AWS-010, TL-AWS-029 | 6 | 4 | 0/1/0/0 | 1 | 0 | `infra/main.tf` | **Exceptions noted** |"), "{}", row("C1.1"));
    assert!(row("CC6.6").ends_with("| No exceptions noted |"), "{}", row("CC6.6"));
    assert!(row("CC7.3").ends_with("| Not assessable from configuration |"), "{}", row("CC7.3"));
    assert!(row("P8.1").contains("Not assessable from configuration"));
    let register = text.split("## 6. Exceptions register").nth(1).expect("register section");
    let register = register.split("## 7.").next().expect("section end");
    assert!(register.contains(
        "| TL-AWS-029 | high | `aws_db_instance.legacy` | `infra/main.tf:11` | legacy reporting DB, migration in SEC-7 &lt;script&gt; | 2099-01-31 | inline |"
    ), "{register}");
    assert!(text.contains("does not observe deployed state"));
    assert!(
        text.contains("## Appendix B. Population")
            && text.contains("| `infra/main.tf` | `aws_db_instance.legacy` | fail, suppressed |")
    );
    assert!(text.contains("## Appendix C. Coverage") && text.contains("| terraform | 1 |"));
    assert!(!text.to_lowercase().contains("compliant"));
}

#[test]
fn secrets_stay_masked_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = support::root().join("fixtures/TL-SECRET-001/fail-dotenv/.env");
    let env = std::fs::read_to_string(&fixture).expect("fixture");
    std::fs::write(dir.path().join(".env"), &env).expect("write");
    let secrets: Vec<String> = env
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.starts_with("AWS_") && *k != "AWS_REGION")
        .map(|(_, v)| v.split('"').nth(1).unwrap_or(v).to_string())
        .collect();
    assert!(secrets.len() >= 2, "{secrets:?}");
    for format in ["markdown", "html", "json"] {
        let output = run_in(dir.path(), &["report", ".", "--format", format]);
        assert_eq!(code(&output), 0);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("TL-SECRET-001"), "{format}: the secret is reported");
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{format} shows a secret unmasked");
        }
    }
}

#[test]
fn html_is_one_escaped_self_contained_page() {
    let dir = repository();
    let out = tempfile::tempdir().expect("tempdir");
    let page = out.path().join("report.html");
    let output = run_in(
        dir.path(),
        &[
            "report",
            ".",
            "--format",
            "html",
            "--select",
            SELECT,
            "--output",
            page.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty(), "--output writes the file only");
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<table id=\"criteria\">"));
    assert!(html.contains("<tr id=\"criterion-C1.1\">"));
    assert!(html.contains("@media print"));
    // The reason's markup is text, and nothing is loaded from elsewhere.
    assert!(html.contains("SEC-7 &lt;script&gt;"));
    assert!(!html.contains("<script"));
    for external in ["<link", "src=", "href=\"http", "url(", "@import"] {
        assert!(!html.contains(external), "external reference `{external}`");
    }
    assert!(!html.to_lowercase().contains("compliant"));

    let Some(dom) = chromium_dom(&page) else { return };
    assert!(dom.contains("id=\"criteria\""), "the per-criterion table is in the DOM");
    let row = dom.split("<tr id=\"criterion-C1.1\">").nth(1).expect("the C1.1 row in the DOM");
    let row = row.split("</tr>").next().expect("row end");
    assert!(row.contains("Exceptions noted"), "{row}");
    assert!(dom.contains("id=\"criterion-CC6.6\"") && dom.contains("No exceptions noted"));
}

/// The DOM of a page as headless Chromium builds it, or `None` (with a message) when Chromium
/// is not installed.
fn chromium_dom(page: &Path) -> Option<String> {
    let Some(browser) = ["chromium", "chromium-browser"].into_iter().find(|b| on_path(b)) else {
        eprintln!("skipped: chromium is not on PATH, the page is not rendered in a browser");
        return None;
    };
    let profile = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(page)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read the DOM while the browser writes it: a full pipe would stall it.
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut dom).map(|_| dom)
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        match child.try_wait().expect("waiting for chromium") {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                panic!("chromium did not finish in time");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert!(status.success(), "chromium failed: {status:?}");
    Some(reader.join().expect("reader thread").expect("the DOM as text"))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[test]
fn bad_formats_are_usage_errors() {
    let dir = repository();
    let output = run_in(dir.path(), &["report", ".", "--format", "pdf"]);
    assert_eq!(code(&output), 2);
    let output = run_in(dir.path(), &["report", "missing-dir", "--format", "json"]);
    assert_eq!(code(&output), 2);
}
