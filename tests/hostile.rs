//! End to end on a hostile repository: `tests/hostile/` (what git can hold) copied to a
//! temporary directory, plus what it cannot (FIFOs, symbolic links and their loops, an
//! unreadable directory, names that are not UTF-8, files of megabytes). trustlint must finish
//! with exit code 1 (there are findings), list every file it skipped with the reason, and
//! still lint the well-formed files beside them.

#![allow(clippy::panic)] // test code: a panic is a test failure

mod support;

use std::path::Path;
use std::process::Command;

use support::{code, json, root};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read tests/hostile").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// A privileged pod (TL-K8S-001 on line 10), as in `tests/hostile/ok/pod.yaml`.
fn pod(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("ok/pod.yaml")).expect("ok/pod.yaml")
}

/// What git cannot hold, added to the copy. Returns the skipped paths expected in the notes
/// with a piece of their reason.
fn generate(dir: &Path, outside: &Path) -> Vec<(String, &'static str)> {
    let mut skipped = Vec::new();
    let pod = pod(dir);

    // Limits: a file over max-file-size (6 MiB in tests/hostile/trustlint.toml), a long
    // single line within it, and a file with more findings than max-findings-per-file (50).
    write(dir, "limits/too-large.txt", &vec![b'a'; 6 * 1024 * 1024 + 1]);
    skipped.push(("limits/too-large.txt".to_string(), "larger than max-file-size"));
    let mut line = String::with_capacity(3 * 1024 * 1024);
    while line.len() < 3 * 1024 * 1024 {
        line.push_str("password=hunter2hunter2 token=AKIA2E7QZ4PFN5WJHX6M é ${x} ");
    }
    write(dir, "limits/one-line.txt", line.as_bytes());
    // Over max-line-length (4 MiB there) on its third line: skipped, with the line named.
    let mut long = b"a: 1\nb: 2\n".to_vec();
    long.extend(std::iter::repeat_n(b'x', 4 * 1024 * 1024 + 1));
    write(dir, "limits/long-line.yaml", &long);
    skipped.push((
        "limits/long-line.yaml".to_string(),
        "line 3 is 4194305 bytes long, more than max-line-length",
    ));
    let many: Vec<String> = (0..80).map(|i| pod.replace("name: ok", &format!("name: p{i}"))).collect();
    write(dir, "limits/many.yaml", many.join("---\n").as_bytes());

    // Special files and links: none is followed or opened.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        use std::os::unix::fs::symlink;

        let fifo = dir.join("awkward/pipe.yaml");
        if Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            skipped.push(("awkward/pipe.yaml".to_string(), "not a regular file (FIFO)"));
        }
        write(outside, "secret.tf", b"variable \"leak\" { default = \"AKIA2E7QZ4PFN5WJHX6N\" }\n");
        std::fs::create_dir_all(dir.join("links")).expect("mkdir");
        symlink(outside.join("secret.tf"), dir.join("links/outside.tf")).expect("link");
        skipped.push(("links/outside.tf".to_string(), "symbolic link"));
        symlink(outside, dir.join("links/outside-dir")).expect("link");
        skipped.push(("links/outside-dir".to_string(), "symbolic link"));
        symlink(dir.join("links/loop-b"), dir.join("links/loop-a")).expect("link");
        symlink(dir.join("links/loop-a"), dir.join("links/loop-b")).expect("link");
        skipped.push(("links/loop-a".to_string(), "symbolic link"));
        symlink(dir.join("links"), dir.join("links/self")).expect("link");
        skipped.push(("links/self".to_string(), "symbolic link"));

        // Names that are not UTF-8, and spaces: linted, shown lossily.
        let name = std::ffi::OsStr::from_bytes(b"names/bad-\xff-name.yaml");
        std::fs::create_dir_all(dir.join("names")).expect("mkdir");
        std::fs::write(dir.join(name), &pod).expect("write");
        write(dir, "names/with space.yaml", pod.as_bytes());
        let control = std::ffi::OsStr::from_bytes(b"names/line\nbreak\x1b[31m.yaml");
        std::fs::write(dir.join(control), &pod).expect("write");

        // An unreadable directory (root reads it anyway: then it is simply linted).
        use std::os::unix::fs::PermissionsExt as _;
        write(dir, "locked/pod.yaml", pod.as_bytes());
        std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o000)).expect("chmod");
        if std::fs::read_dir(dir.join("locked")).is_err() {
            skipped.push(("locked".to_string(), "Permission denied"));
        }
    }
    skipped
}

#[test]
fn a_hostile_repository_is_linted_to_the_end() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let outside = tmp.path().join("outside");
    copy_tree(&root().join("tests/hostile"), &repo);
    std::fs::create_dir(repo.join(".git")).expect("git marker");
    let skipped = generate(&repo, &outside);

    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_trustlint"))
            .args(args)
            .current_dir(&repo)
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs")
    };
    let started = std::time::Instant::now();
    let output = run(&["lint", ".", "--format", "json"]);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(code(&output), 1, "findings, no error: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(elapsed.as_secs() < 240, "{elapsed:?}");
    let report = json(&output);

    let notes = report["notes"].as_array().expect("notes");
    let noted = |file: &str, reason: &str| {
        notes.iter().any(|n| {
            n["file"].as_str().is_some_and(|f| f == file)
                && n["reason"].as_str().is_some_and(|r| r.contains(reason))
        })
    };
    let mut expected = skipped;
    expected.extend([
        ("awkward/utf16.yaml".to_string(), "UTF-16"),
        ("awkward/latin1.tf".to_string(), "not valid UTF-8 at line 2, column 16"),
        ("awkward/binary.json".to_string(), "binary content"),
        ("limits/many.yaml".to_string(), "30 more findings not reported: at most 50 per file"),
    ]);
    for (file, reason) in &expected {
        assert!(noted(file, reason), "{file}: {reason} not in {notes:#?}");
    }

    let findings = report["findings"].as_array().expect("findings");
    let at = |rule: &str, file: &str| -> Vec<(u64, u64)> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule && f["file"] == file)
            .map(|f| (f["line"].as_u64().unwrap_or(0), f["column"].as_u64().unwrap_or(0)))
            .collect()
    };
    // Well-formed files beside the hostile ones, and the awkward but readable ones.
    assert_eq!(at("TL-K8S-001", "ok/pod.yaml"), [(10, 21)]);
    assert_eq!(at("TL-SECRET-001", "ok/notes.txt"), [(1, 13)]);
    assert_eq!(at("TL-K8S-001", "awkward/crlf.yaml"), [(10, 21)]);
    assert_eq!(at("TL-K8S-001", "awkward/cr.yaml"), [(10, 21)]);
    assert_eq!(at("TL-AWS-004", "awkward/bom.tf"), [(6, 20)], "columns after a byte-order mark");
    assert_eq!(at("TL-K8S-001", "limits/many.yaml").len(), 50);
    assert!(!at("TL-SECRET-001", "limits/one-line.txt").is_empty(), "the long line is read");
    // Nesting and alias bombs are located parse errors.
    for file in
        ["limits/alias-bomb.yaml", "deep/nested.yaml", "deep/nested.json", "deep/nested.tf", "deep/blocks.tf"]
    {
        assert_eq!(at("TL-PARSE-001", file).len(), 1, "{file}");
    }
    // Deep evaluations and resolutions are bounded, not refused: their resources are judged.
    assert!(findings.iter().any(|f| f["file"] == "deep/locals/main.tf" && f["rule"] != "TL-PARSE-001"));
    assert!(findings.iter().any(|f| f["file"] == "deep/template.yaml" && f["rule"] != "TL-PARSE-001"));
    assert!(findings.iter().any(|f| f["file"] == "deep/Dockerfile"));

    #[cfg(unix)]
    {
        let files: Vec<&str> = findings.iter().filter_map(|f| f["file"].as_str()).collect();
        assert!(files.contains(&"names/bad-\u{fffd}-name.yaml"), "{files:?}");
        assert!(files.contains(&"names/with space.yaml"));
        assert!(files.contains(&"names/line\u{fffd}break\u{fffd}[31m.yaml"), "{files:?}");
        assert!(!files.iter().any(|f| f.starts_with("links/")), "links are not followed");
        let all = String::from_utf8_lossy(&output.stdout);
        assert!(!all.contains("AKIA2E7QZ4PFN5WJHX6N"), "nothing read through a link");
        let human = run(&["lint", "names", "links"]);
        let text = String::from_utf8_lossy(&human.stdout);
        assert!(!text.contains('\u{1b}'), "no escape sequence from a file name reaches the terminal");
        assert!(text.contains("note: links/self: skipped: symbolic link (not followed)"), "{text}");
        let concise = run(&["lint", "names", "--format", "concise"]);
        for line in String::from_utf8_lossy(&concise.stdout).lines() {
            assert!(line.contains(": TL-"), "one finding per line: {line:?}");
        }
        // Let the temporary directory be removed.
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(repo.join("locked"), std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn explicit_arguments_that_are_links_or_fifos_are_skipped_not_followed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    std::fs::create_dir(repo.join(".git")).expect("git marker");
    write(repo, "secret.txt", b"AKIA2E7QZ4PFN5WJHX6M\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(repo.join("secret.txt"), repo.join("link.txt")).expect("link");
        let fifo = repo.join("pipe.tf");
        let made_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        let mut args = vec!["lint", "link.txt", "--format", "json"];
        if made_fifo {
            args.insert(2, "pipe.tf");
        }
        let output = support::run_in(repo, &args);
        assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
        let report = json(&output);
        assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
        let notes = report["notes"].to_string();
        assert!(notes.contains("link.txt") && notes.contains("symbolic link"), "{notes}");
        if made_fifo {
            assert!(notes.contains("pipe.tf") && notes.contains("FIFO"), "{notes}");
        }
    }
}
