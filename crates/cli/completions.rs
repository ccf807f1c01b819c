//! `trustlint completions SHELL`: the shell completion script, generated from the same
//! declaration as the help text (`args.rs`), so it never falls behind the options.

use anyhow::{Context, Result};
use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use crate::{args, exit, render};

/// Options of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut command = args::Cli::command();
    let mut script = Vec::new();
    // Generated in memory: clap_complete panics on a failed write, and a closed pipe
    // (`trustlint completions bash | head`) must end quietly instead.
    clap_complete::generate(shell, &mut command, "trustlint", &mut script);
    script
}

/// Print the completion script.
pub fn run(args: &CompletionsArgs) -> Result<u8> {
    let mut stdout = std::io::stdout().lock();
    render::write_all(&mut stdout, &script(args.shell)).context("writing the completion script")?;
    Ok(exit::CLEAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_completes_the_subcommands_and_their_options() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
            let text = String::from_utf8(script(shell)).expect("utf-8");
            // fish writes long options without their dashes (`-l fail-on`).
            for word in ["lint", "explain", "fail-on", "select"] {
                assert!(text.contains(word), "{shell:?} script lacks {word}");
            }
        }
    }
}
