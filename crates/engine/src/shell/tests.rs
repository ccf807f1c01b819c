//! Tests of the shell analysis: many scripts that must and must not be reported.

use super::*;

/// The texts of the downloads reported in `script`.
fn reported(script: &str) -> Vec<&str> {
    analyse(script).downloads_piped_to_interpreter.iter().map(|s| &script[s.start..s.end]).collect()
}

#[track_caller]
fn assert_reports(script: &str, download: &str) {
    assert_eq!(reported(script), [download], "script: {script}");
}

#[track_caller]
fn assert_clean(script: &str) {
    assert_eq!(reported(script), Vec::<&str>::new(), "script: {script}");
}

#[test]
fn pipes_into_shells_are_reported() {
    assert_reports("curl -fsSL https://x | bash -s -- --flag", "curl -fsSL https://x");
    assert_reports("wget -qO- x | sudo sh", "wget -qO- x");
    assert_reports("wget -q -O - https://x | sudo -E bash -", "wget -q -O - https://x");
    assert_reports("curl x | tee i.sh | sh", "curl x");
    assert_reports("curl x |& sh", "curl x");
    assert_reports("curl -sSL https://x | sh -s -- -y", "curl -sSL https://x");
    assert_reports("fetch -o - https://x | sh", "fetch -o - https://x");
    assert_reports("curl https://x | zsh", "curl https://x");
    assert_reports("curl https://x | /bin/bash", "curl https://x");
    assert_reports("curl https://x | sudo -u app env HOME=/h dash", "curl https://x");
    assert_reports("curl https://x | sh /dev/stdin", "curl https://x");
    assert_reports("curl https://x | source /dev/stdin", "curl https://x");
}

#[test]
fn pipes_into_other_interpreters_are_reported() {
    for interpreter in
        ["python", "python3", "python3 -", "pypy3", "perl", "ruby", "node", "php", "sudo python3"]
    {
        let script = format!("curl -sSL https://x | {interpreter}");
        assert_reports(&script, "curl -sSL https://x");
    }
}

#[test]
fn pipes_through_filters_are_followed() {
    assert_reports("curl https://x/i.sh.gz | gunzip | sh", "curl https://x/i.sh.gz");
    assert_reports("curl https://x | sed 's/a/b/' | tr -d '\\r' | bash", "curl https://x");
    assert_reports("curl https://x | base64 -d | sudo tee /tmp/i.sh | sh", "curl https://x");
}

#[test]
fn wrappers_and_paths_are_stripped_from_the_download_too() {
    let script = "sudo -E env A=1 /usr/bin/curl -fsSL https://x | bash";
    assert_reports(script, "sudo -E env A=1 /usr/bin/curl -fsSL https://x");
    assert_reports("timeout 60 curl https://x | nohup sh", "timeout 60 curl https://x");
}

#[test]
fn pipelines_are_regrouped_around_lists() {
    // tree-sitter-bash nests `c && d` inside the pipeline here; the shell does not.
    assert_reports("a | b | curl https://x | sh && echo done", "curl https://x");
    assert_reports("apt-get update && curl https://x | sh && rm -rf /var/lib/apt/lists/*", "curl https://x");
    assert_reports("set -eux; curl https://x | sh || true", "curl https://x");
    assert_reports("! curl https://x | sh", "curl https://x");
}

#[test]
fn substitutions_are_reported() {
    assert_reports("sh -c \"$(curl -fsSL https://x)\"", "curl -fsSL https://x");
    assert_reports("bash -c \"$(wget -O- https://x)\"", "wget -O- https://x");
    assert_reports("/bin/bash -c \"$(curl -fsSL https://x | gunzip)\"", "curl -fsSL https://x");
    assert_reports("eval \"$(curl -s https://x)\"", "curl -s https://x");
    assert_reports("eval `curl -s https://x`", "curl -s https://x");
    assert_reports("$(curl -s https://x)", "curl -s https://x");
    assert_reports("python3 -c \"$(curl -s https://x)\"", "curl -s https://x");
    assert_reports("bash <<< \"$(curl -s https://x)\"", "curl -s https://x");
    assert_reports("bash <(curl -s https://x)", "curl -s https://x");
    assert_reports("source <(curl -s https://x)", "curl -s https://x");
    assert_reports(". <(wget -qO- https://x)", "wget -qO- https://x");
    assert_reports("sh < <(curl -s https://x)", "curl -s https://x");
    assert_reports("sudo bash <(curl -s https://x) --install", "curl -s https://x");
}

#[test]
fn how_content_reaches_the_interpreter_is_recorded() {
    let vias =
        |script: &str| analyse(script).remote_executions.into_iter().map(|e| e.via).collect::<Vec<_>>();
    assert_eq!(vias("curl x | sh"), [Via::Pipe]);
    assert_eq!(vias("sh -c \"$(curl x)\""), [Via::CommandSubstitution]);
    assert_eq!(vias("bash <(curl x)"), [Via::ProcessSubstitution]);
    assert_eq!(vias("curl -o i.sh x; sh i.sh"), [Via::SavedFile("i.sh".into())]);
    let report = analyse("curl x | sudo python3");
    let execution = &report.remote_executions[0];
    assert_eq!((execution.downloader.as_str(), execution.interpreter.as_str()), ("curl", "python3"));
    assert_eq!(execution.executor, Span::new(9, 21));
}

#[test]
fn quoted_text_and_comments_are_data() {
    assert_clean("echo 'curl x | sh'");
    assert_clean("echo \"curl x | sh\"");
    assert_clean("printf '%s\\n' \"sh -c \\\"\\$(curl x)\\\"\"");
    assert_clean("# curl https://x | sh\necho ok");
    assert_clean("cat > README <<'EOF'\nInstall with: curl https://x | sh\nEOF");
}

#[test]
fn downloads_that_are_not_executed_are_clean() {
    assert_clean("curl -fsSL https://x/a.tgz | tar -xz -C /opt");
    assert_clean("curl -s https://api | python3 -c 'import json,sys; print(json.load(sys.stdin))'");
    assert_clean("curl -s https://api | python3 -m json.tool");
    assert_clean("curl -s https://api | jq -r .version");
    assert_clean("curl -fsSL https://x/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg");
    assert_clean("curl -fsSL https://x/key | sudo apt-key add -");
    assert_clean("VERSION=$(curl -s https://x/latest) && echo $VERSION");
    assert_clean("curl -s https://x | bash -c 'cat > /tmp/out'");
    assert_clean("diff <(curl -s https://a) <(curl -s https://b)");
    assert_clean("curl -o f https://x; sh g");
    assert_clean("cat install.sh | sh");
    assert_clean("sh install.sh");
    assert_clean("curl -fsSL https://x | cat /etc/hosts | sh");
    assert_clean("command -v curl && curl --version");
}

#[test]
fn verified_saved_downloads_pass() {
    assert_clean("curl -o f https://x && sha256sum -c f.sha256 && sh f");
    assert_clean("curl -fsSLo f https://x && echo \"abc  f\" | sha256sum -c - && sh f");
    assert_clean("curl -O https://x/i.sh && shasum -a 256 -c i.sh.sha256 && bash i.sh");
    assert_clean("wget -O i.sh https://x && sha512sum --check i.sh.sha512 && ./i.sh");
    assert_clean("curl -o i.sh https://x && gpg --verify i.sh.asc i.sh && sh i.sh");
    assert_clean("set -e\ncurl -o f https://x\nsha256sum -c f.sha256\nsh f");
    assert_clean("#!/bin/sh -e\ncurl -o f https://x\nsha256sum -c f.sha256\nsh f");
    assert_clean("curl -o f https://x\nsha256sum -c f.sha256 || exit 1\nsh f");
    assert_clean("curl -o f https://x\nif sha256sum -c f.sha256; then sh f; fi");
}

#[test]
fn unverified_saved_downloads_are_reported() {
    // Saving first and running the file later is the pipe split in two: reported.
    assert_reports("curl x > f; sh f", "curl x");
    assert_reports("curl -fsSL -o /tmp/i.sh https://x && sh /tmp/i.sh", "curl -fsSL -o /tmp/i.sh https://x");
    assert_reports("curl -fsSLo i.sh https://x && chmod +x i.sh && ./i.sh", "curl -fsSLo i.sh https://x");
    assert_reports("wget https://x/install.sh && bash install.sh", "wget https://x/install.sh");
    assert_reports("cd /tmp && curl -O https://x/i.sh && sh /tmp/i.sh", "curl -O https://x/i.sh");
    assert_reports("curl https://x | tee /tmp/i.sh >/dev/null && sh /tmp/i.sh", "curl https://x");
    assert_reports("curl -s https://x -o i.py && python3 i.py", "curl -s https://x -o i.py");
    assert_reports("curl -so i.sh https://x; sh < i.sh", "curl -so i.sh https://x");
    assert_reports("curl -o f https://x; . ./f", "curl -o f https://x");
}

#[test]
fn verifications_must_gate_the_execution() {
    // Not stopped on failure without `set -e`.
    assert_reports("curl -o f x; sha256sum -c f.sha256; sh f", "curl -o f x");
    // Failure ignored.
    assert_reports("set -e; curl -o f x; sha256sum -c f.sha256 || true; sh f", "curl -o f x");
    // Verified after it ran.
    assert_reports("curl -o f x && sh f && sha256sum -c f.sha256", "curl -o f x");
    // Verified before it was downloaded.
    assert_reports("sha256sum -c f.sha256 && curl -o f x && sh f", "curl -o f x");
    // The else branch runs when verification fails.
    assert_reports("curl -o f x\nif sha256sum -c f.sha256; then echo ok; else sh f; fi", "curl -o f x");
    // `set +e` switched errexit off again.
    assert_reports("set -e; set +e; curl -o f x; sha256sum -c f.sha256; sh f", "curl -o f x");
    // MD5 is not a verification.
    assert_reports("curl -o f x && md5sum -c f.md5 && sh f", "curl -o f x");
    // A pipe is never verified, whatever comes later.
    assert_reports("curl https://x | sh; sha256sum -c f.sha256", "curl https://x");
    assert_reports("sha256sum -c f.sha256 && curl https://x | sh", "curl https://x");
}

#[test]
fn compound_statements_are_searched() {
    assert_reports("if true; then curl https://x | sh; fi", "curl https://x");
    assert_reports("f() { curl https://x | bash; }", "curl https://x");
    assert_reports("(cd /tmp && curl https://x | sh)", "curl https://x");
    assert_reports("case $1 in a) curl https://x | sh ;; esac", "curl https://x");
    assert_reports("for i in 1; do wget -qO- https://x | sh; done", "wget -qO- https://x");
    assert_reports("echo $(curl -s https://x | sh)", "curl -s https://x");
}

#[test]
fn program_text_run_by_the_script_is_analysed() {
    let script = "sh -c 'apt-get update && curl -fsSL https://x | sh'";
    assert_reports(script, "curl -fsSL https://x");
    let script = "su app -c \"wget -qO- https://x | bash\"";
    assert_reports(script, "wget -qO- https://x");
    let script = "bash -e <<'EOF'\ncd /tmp\ncurl -fsSL https://x | sh\nEOF\necho done";
    assert_reports(script, "curl -fsSL https://x");
    // A double-quoted string with escapes maps to the whole word.
    let script = "sh -c \"echo \\\"hi\\\" && curl https://x | sh\"";
    assert_eq!(reported(script), [&script[6..]]);
    // cat's heredoc is data.
    assert_clean("cat <<EOF > /etc/motd\ncurl https://x | sh\nEOF");
}

#[test]
fn syntax_errors_do_not_stop_the_analysis() {
    let report = analyse("curl x | ) sh ; if then fi; curl y | bash");
    assert!(report.syntax_errors);
    let script = "curl x | ) sh ; if then fi; curl y | bash";
    assert!(reported(script).contains(&"curl y"));
    assert!(!analyse("curl x | sh").syntax_errors);
    assert_reports("curl https://x | sh; echo \"unterminated", "curl https://x");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 20_000;
    let script = format!("{}curl https://x | sh{}", "( ".repeat(depth), " )".repeat(depth));
    let report = analyse(&script);
    assert!(report.too_deep);
    assert!(report.pipelines.len() < crate::parse::MAX_DEPTH + 1, "{}", report.pipelines.len());
    let script = format!("echo {}x{}", "$(echo ".repeat(depth), ")".repeat(depth));
    let report = analyse(&script);
    assert!(report.too_deep);
    assert!(report.commands().count() >= 1);
    // Nesting within the limit is analysed in full.
    let script = format!("{}curl https://x | sh{}", "( ".repeat(50), " )".repeat(50));
    let report = analyse(&script);
    assert!(!report.too_deep);
    assert_eq!(report.downloads_piped_to_interpreter.len(), 1);
    // A long `&&` chain is deep in tree-sitter's tree but not nested for the shell.
    let script = format!("{}curl https://x | sh", "true && ".repeat(depth));
    let report = analyse(&script);
    assert!(!report.too_deep);
    assert_eq!(report.downloads_piped_to_interpreter.len(), 1);
    // Program text inside program text is followed to a bounded depth.
    let mut nested = String::from("curl https://x | sh");
    for _ in 0..10 {
        nested = format!("sh -c {}", shell_quote(&nested));
    }
    let report = analyse(&nested);
    assert!(report.too_deep);
    assert!(report.commands().count() <= MAX_NESTED_SCRIPTS + 2);
    assert!(!analyse("sh -c 'sh -c \"curl https://x | sh\"'").too_deep);
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[test]
fn commands_carry_names_wrappers_and_argument_spans() {
    let script = "sudo -E env A=1 /usr/bin/curl -fsSL 'https://x' | tee i.sh";
    let report = analyse(script);
    assert_eq!(report.pipelines.len(), 1);
    let pipeline = &report.pipelines[0];
    assert_eq!(pipeline.span, Span::new(0, script.len()));
    let commands: Vec<&Command> = report.commands().collect();
    let curl = commands[0];
    assert_eq!(curl.name, "curl");
    assert_eq!(curl.invoked_as.as_text(), "/usr/bin/curl");
    assert_eq!(curl.wrappers, ["sudo", "env"]);
    assert!(curl.elevated());
    assert_eq!(curl.arg_texts(), ["-fsSL", "https://x"]);
    let url = &curl.args[1];
    assert_eq!(&script[url.span.start..url.span.end], "'https://x'");
    assert_eq!(url.text, "'https://x'");
    assert_eq!(&script[curl.span.start..curl.span.end], "sudo -E env A=1 /usr/bin/curl -fsSL 'https://x'");
    assert_eq!(commands[1].name, "tee");
    assert!(!commands[1].elevated());
}

#[test]
fn command_names_in_other_forms() {
    let name = |script: &str| analyse(script).commands().next().map(|c| c.name.clone()).unwrap_or_default();
    assert_eq!(name("exec /bin/sh -c 'x'"), "sh");
    assert_eq!(name("command -v curl"), "command");
    assert_eq!(name("command curl -s x"), "curl");
    assert_eq!(name("sudo -u app VAR=1 sh"), "sh");
    assert_eq!(name("sudo -v"), "sudo");
    assert_eq!(name("timeout -s KILL 30 wget x"), "wget");
    assert_eq!(name("\"/usr/bin/curl\" -s"), "curl");
    assert_eq!(name("A=1 B=2 curl x"), "curl");
    assert_eq!(name("$CURL x"), "$CURL");
    assert_eq!(name("busybox wget -qO- x"), "wget");
    let report = analyse("x=$(echo \"a\\\"b\" 'c d' e\\ f)");
    let echo = report.commands().next().expect("echo");
    assert_eq!(echo.arg_texts(), ["a\"b", "c d", "e f"]);
    let report = analyse("echo \"$HOME/x\" pre'fix'");
    let echo = report.commands().next().expect("echo");
    assert_eq!(echo.args[0].value, None);
    assert_eq!(echo.args[0].as_text(), "\"$HOME/x\"");
    assert_eq!(echo.args[1].value.as_deref(), Some("prefix"));
}

#[test]
fn compound_stages_are_kept_in_pipelines() {
    let report = analyse("(curl https://x) | sh");
    let outer = report.pipelines.iter().find(|p| p.stages.len() == 2).expect("two stages");
    assert!(matches!(&outer.stages[0], Stage::Compound { kind, .. } if kind == "subshell"));
    // Content produced inside a subshell is not followed into the pipe.
    assert!(report.downloads_piped_to_interpreter.is_empty());
}

#[test]
fn span_maps_align_derived_text() {
    let original = "curl x \\\n  | sh";
    let derived = "curl x   | sh";
    let map = SpanMap::aligned(derived, original, 100, Span::new(0, 5));
    assert_eq!(map.map(Span::new(0, 6)), Span::new(100, 106));
    let pipe = derived.find("| sh").expect("pipe");
    assert_eq!(map.map(Span::new(pipe, pipe + 4)), Span::new(111, 115));
    // A span across the removed continuation keeps both ends.
    assert_eq!(map.map(Span::new(0, derived.len())), Span::new(100, 115));
    let broken = SpanMap::aligned("xyz", "abc", 10, Span::new(3, 4));
    assert_eq!(broken.map(Span::new(0, 1)), Span::new(3, 4));
    let mut joined = SpanMap::fallback(Span::new(0, 50));
    joined.append(&SpanMap::shifted(4, 10, Span::new(0, 1)), 0);
    joined.append(&SpanMap::shifted(2, 30, Span::new(0, 1)), 5);
    assert_eq!(joined.map(Span::new(1, 3)), Span::new(11, 13));
    assert_eq!(joined.map(Span::new(5, 7)), Span::new(30, 32));
    assert_eq!(joined.map(Span::new(4, 5)), Span::new(0, 50));
    assert_eq!(joined.fallback_span(), Span::new(0, 50));
    let shifted = SpanMap::shifted(3, 7, Span::new(0, 1));
    assert_eq!(shifted.map(Span::new(1, 2)), Span::new(8, 9));
    assert_eq!(shifted.map(Span::new(2, 9)), Span::new(0, 1));
    assert_eq!(shifted.map(Span::point(0)), Span::point(7));
}

#[test]
fn empty_and_odd_inputs() {
    assert_eq!(analyse(""), ShellReport::default());
    assert!(reported("\u{0}\u{1}|||&&;;").is_empty());
    assert_clean("curl");
    assert_clean("| sh");
    assert_reports("curl é | sh # ünïcode", "curl é");
}
