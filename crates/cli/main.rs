//! The trustlint command line: argument parsing, the walk, rendering and exit codes. The
//! linting itself lives in `trustlint-engine` and the rules in `trustlint-rules`.

mod args;
mod baseline;
mod completions;
mod config;
mod explicit;
mod init;
mod lint;
mod modules;
mod policies;
mod progress;
mod render;
mod report;
mod rules;
mod select;
mod walk;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Exit codes (DESIGN.md §5).
pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage, configuration, policy or internal error.
    pub const ERROR: u8 = 2;
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { exit::ERROR } else { exit::CLEAN };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    // A bug must surface as an error with exit code 2, never as a bare abort: the hook says
    // what happened once, on one line, and the code below turns it into the exit code.
    std::panic::set_hook(Box::new(report_panic));
    let outcome = std::panic::catch_unwind(move || match cli.command {
        args::Command::Lint(args) => lint::run(&args, lint::Mode::Lint),
        args::Command::Baseline(args) => lint::run(&args, lint::Mode::Baseline),
        args::Command::Rules(args) => rules::list(&args),
        args::Command::Explain(args) => rules::explain(&args),
        args::Command::TestPolicies(args) => policies::test(&args),
        args::Command::Init(args) => init::run(&args),
        args::Command::Completions(args) => completions::run(&args),
        args::Command::Report(args) => report::run(&args),
    });
    match outcome {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(error)) => {
            if is_broken_pipe(&error) {
                return ExitCode::from(exit::CLEAN);
            }
            let _ = writeln!(std::io::stderr(), "{:?}", miette::Report::new(CliError(error)));
            ExitCode::from(exit::ERROR)
        }
        // The hook has printed the message.
        Err(_) => ExitCode::from(exit::ERROR),
    }
}

/// The panic hook: while a file is linted, the message goes to that file's note (see
/// `walk::keep_panic_message`); otherwise it is printed once, without the input it may quote
/// in full (secrets masked), with a backtrace only when `RUST_BACKTRACE` asks for one.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let at = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
    let message = panic_text(info.payload(), at.as_deref());
    if walk::keep_panic_message(&message) {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "trustlint: internal error (please report it): {message}");
    let backtrace = std::backtrace::Backtrace::capture();
    if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
        let _ = writeln!(stderr, "{backtrace}");
    }
}

/// A panic's message and place on one line, with anything that looks like a secret masked
/// (a message may quote the input it choked on).
fn panic_text(payload: &(dyn std::any::Any + Send), at: Option<&str>) -> String {
    let payload = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    let at = at.map(|at| format!(" at {at}")).unwrap_or_default();
    let text: String =
        format!("{payload}{at}").chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    trustlint_engine::redact::mask_secret_shapes(&text).into_owned()
}

/// An error from the CLI edge, shown through miette; configuration errors keep their labels.
#[derive(Debug)]
struct CliError(anyhow::Error);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for CliError {}

impl CliError {
    /// The underlying error when it points into a file (configuration or policy).
    fn located(&self) -> Option<&dyn miette::Diagnostic> {
        if let Some(e) = self.0.downcast_ref::<config::ConfigError>() {
            return Some(e);
        }
        self.0.downcast_ref::<policies::PolicyLoadError>().map(|e| e as &dyn miette::Diagnostic)
    }
}

impl miette::Diagnostic for CliError {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.located().and_then(miette::Diagnostic::source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.located().and_then(miette::Diagnostic::labels)
    }
}

/// Whether an error is a closed standard output (`trustlint lint . | head`).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_one_line_without_secrets() {
        let payload: Box<dyn std::any::Any + Send> =
            Box::new(String::from("byte index 3 is not a char boundary of `key AKIAQ3MZ7XW2RT6PL5NB`\nnext"));
        let text = panic_text(payload.as_ref(), Some("crates/x.rs:1"));
        assert_eq!(
            text,
            "byte index 3 is not a char boundary of `key AKIA****************` next at crates/x.rs:1"
        );
        let payload: Box<dyn std::any::Any + Send> = Box::new("static message");
        assert_eq!(panic_text(payload.as_ref(), None), "static message");
        let payload: Box<dyn std::any::Any + Send> = Box::new(42);
        assert_eq!(panic_text(payload.as_ref(), None), "unknown cause");
    }
}
