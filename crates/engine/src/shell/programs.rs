//! What the shell analysis knows about particular programs: which ones download, where a
//! download is written, which run a script and where they read it from, which pass their
//! input through to their output, and which verify a checksum or a signature.
//!
//! Everything here works on argument texts (the static value of a word when it has one, its
//! source text otherwise), so a word built from a variable never looks like an option.

/// Where a downloader writes what it fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Output {
    /// To standard output (curl's default, `wget -O -`).
    Stdout,
    /// To a file; the key is the path as written (see [`file_key`]).
    File(String),
}

/// Where an interpreter takes its program from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ScriptSource {
    /// Standard input (`sh`, `sh -s -- args`, `python3 -`, `perl`).
    Stdin,
    /// Program text given as arguments (`sh -c TEXT`, `perl -e TEXT`, `eval TEXT...`): the
    /// indices of those arguments.
    Inline(Vec<usize>),
    /// A script file operand (`bash install.sh`, `source ./env.sh`): its index.
    File(usize),
    /// Something else (`python3 -m module`, `sh --version`, `source` without operand).
    Other,
}

/// Families of programs that execute the program text they are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// POSIX-ish shells: sh, bash, zsh, dash, ksh, ash, mksh, yash, and fish.
    Shell,
    /// python, python3, python3.12, pypy3.
    Python,
    /// perl.
    Perl,
    /// ruby.
    Ruby,
    /// node, nodejs.
    Node,
    /// php.
    Php,
    /// `source` and `.`.
    Source,
    /// `eval`.
    Eval,
}

/// Whether `name` fetches from the network.
pub(super) fn is_downloader(name: &str) -> bool {
    matches!(name, "curl" | "wget" | "fetch")
}

/// `name` followed by nothing but digits and dots (`python3.12`, `php8.2`).
fn versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base).is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The interpreter family of a command name, if it is one.
pub(super) fn family(name: &str) -> Option<Family> {
    match name {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "yash" | "fish" | "rbash" => {
            Some(Family::Shell)
        }
        "node" | "nodejs" => Some(Family::Node),
        "source" | "." => Some(Family::Source),
        "eval" => Some(Family::Eval),
        "pypy" | "pypy3" => Some(Family::Python),
        _ if versioned(name, "python") => Some(Family::Python),
        _ if versioned(name, "perl") => Some(Family::Perl),
        _ if versioned(name, "ruby") => Some(Family::Ruby),
        _ if versioned(name, "php") => Some(Family::Php),
        _ => None,
    }
}

/// Whether an operand names standard input rather than a script file.
fn is_stdin_operand(arg: &str) -> bool {
    matches!(arg, "-" | "/dev/stdin" | "/proc/self/fd/0" | "/dev/fd/0")
}

/// Where an interpreter of `family` invoked with `args` reads its program from.
pub(super) fn script_source(family: Family, args: &[&str]) -> ScriptSource {
    match family {
        Family::Shell => shell_source(args),
        Family::Python => short_option_source(args, &['c'], &['m'], &['W', 'X', 'Q']),
        Family::Perl => perl_source(args),
        Family::Ruby => short_option_source(args, &['e'], &[], &['I', 'r', 'C', 'E', 'F', 'x']),
        Family::Node => node_source(args),
        Family::Php => php_source(args),
        Family::Source => {
            // `source FILE [ARGS]`: the first word is the file (bash accepts no options here).
            match args.first() {
                None => ScriptSource::Other,
                Some(file) if is_stdin_operand(file) => ScriptSource::Stdin,
                Some(_) => ScriptSource::File(0),
            }
        }
        Family::Eval => {
            if args.is_empty() {
                ScriptSource::Other
            } else {
                ScriptSource::Inline((0..args.len()).collect())
            }
        }
    }
}

/// `sh [-abefhkmnptuvxBCHP] [-o option] [-c string | -s | file] [args]`.
fn shell_source(args: &[&str]) -> ScriptSource {
    let (mut inline, mut stdin) = (false, false);
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if *arg == "--" || *arg == "-" {
            i += 1;
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            match long {
                "rcfile" | "init-file" => i += 1,
                "version" | "help" => return ScriptSource::Other,
                _ => {}
            }
        } else if arg.len() > 1 && (arg.starts_with('-') || arg.starts_with('+')) {
            let cluster = arg.get(1..).unwrap_or("");
            inline |= cluster.contains('c');
            stdin |= cluster.contains('s');
            // `-o pipefail`, `-euo pipefail`, `-O extglob` take the next word.
            if cluster.contains('o') || cluster.contains('O') {
                i += 1;
            }
        } else {
            break;
        }
        i += 1;
    }
    if inline {
        return if i < args.len() { ScriptSource::Inline(vec![i]) } else { ScriptSource::Other };
    }
    match args.get(i) {
        _ if stdin => ScriptSource::Stdin,
        None => ScriptSource::Stdin,
        Some(operand) if is_stdin_operand(operand) => ScriptSource::Stdin,
        Some(_) => ScriptSource::File(i),
    }
}

/// Interpreters with getopt-like short options (python, ruby): `inline` options take the
/// program text (attached or as the next word), `other` options mean no script runs from
/// stdin or a file (`-m module`), `with_value` options consume a value.
fn short_option_source(args: &[&str], inline: &[char], other: &[char], with_value: &[char]) -> ScriptSource {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if *arg == "--" {
            i += 1;
            break;
        }
        if arg.starts_with("--") {
            i += 1;
            continue;
        }
        if arg.len() < 2 || !arg.starts_with('-') {
            break;
        }
        let cluster = arg.get(1..).unwrap_or("");
        for (at, ch) in cluster.char_indices() {
            let attached = cluster.get(at + ch.len_utf8()..).unwrap_or("");
            if inline.contains(&ch) {
                let index = if attached.is_empty() { i + 1 } else { i };
                return if index < args.len() {
                    ScriptSource::Inline(vec![index])
                } else {
                    ScriptSource::Other
                };
            }
            if other.contains(&ch) {
                return ScriptSource::Other;
            }
            if with_value.contains(&ch) {
                if attached.is_empty() {
                    i += 1;
                }
                break;
            }
        }
        i += 1;
    }
    match args.get(i) {
        None => ScriptSource::Stdin,
        Some(operand) if is_stdin_operand(operand) => ScriptSource::Stdin,
        Some(_) => ScriptSource::File(i),
    }
}

/// perl: `-e`/`-E` take program text; many switches carry an attached value (`-Mstrict`,
/// `-I/lib`, `-i.bak`, `-l0`, `-0777`) in which an `e` is not the `-e` switch.
fn perl_source(args: &[&str]) -> ScriptSource {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if *arg == "--" {
            i += 1;
            break;
        }
        if arg.len() < 2 || !arg.starts_with('-') {
            break;
        }
        let cluster = arg.get(1..).unwrap_or("");
        for (at, ch) in cluster.char_indices() {
            if matches!(ch, 'e' | 'E') {
                let attached = cluster.get(at + 1..).unwrap_or("");
                let index = if attached.is_empty() { i + 1 } else { i };
                return if index < args.len() {
                    ScriptSource::Inline(vec![index])
                } else {
                    ScriptSource::Other
                };
            }
            if matches!(ch, 'I' | 'M' | 'm' | 'x' | 'i' | '0' | 'l' | 'd' | 'D' | 'C' | 'V') {
                break;
            }
        }
        i += 1;
    }
    match args.get(i) {
        None => ScriptSource::Stdin,
        Some(operand) if is_stdin_operand(operand) => ScriptSource::Stdin,
        Some(_) => ScriptSource::File(i),
    }
}

/// node: `-e`/`--eval` and `-p`/`--print` take program text; `-r`/`--require`,
/// `--import` and `--loader` take a value.
fn node_source(args: &[&str]) -> ScriptSource {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match *arg {
            "--" => {
                i += 1;
                break;
            }
            "-e" | "--eval" | "-p" | "--print" | "-pe" => {
                return if i + 1 < args.len() {
                    ScriptSource::Inline(vec![i + 1])
                } else {
                    ScriptSource::Other
                };
            }
            "-r" | "--require" | "--import" | "--loader" | "--input-type" | "-C" | "--conditions" => i += 1,
            "-v" | "--version" | "-h" | "--help" => return ScriptSource::Other,
            a if a.len() > 1 && a.starts_with('-') => {}
            _ => break,
        }
        i += 1;
    }
    match args.get(i) {
        None => ScriptSource::Stdin,
        Some(operand) if is_stdin_operand(operand) => ScriptSource::Stdin,
        Some(_) => ScriptSource::File(i),
    }
}

/// php: `-r CODE` runs code, `-f FILE` a file; `-B/-R/-E/-F/-d/-c/-z` take a value.
fn php_source(args: &[&str]) -> ScriptSource {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match *arg {
            "--" => {
                i += 1;
                break;
            }
            "-r" => {
                return if i + 1 < args.len() {
                    ScriptSource::Inline(vec![i + 1])
                } else {
                    ScriptSource::Other
                };
            }
            "-f" => {
                return if i + 1 < args.len() { ScriptSource::File(i + 1) } else { ScriptSource::Other };
            }
            "-B" | "-R" | "-E" | "-F" | "-d" | "-c" | "-z" => i += 1,
            "-v" | "-m" | "-i" | "-h" | "-l" | "-S" | "-a" => return ScriptSource::Other,
            a if a.len() > 1 && a.starts_with('-') => {}
            _ => break,
        }
        i += 1;
    }
    match args.get(i) {
        None => ScriptSource::Stdin,
        Some(operand) if is_stdin_operand(operand) => ScriptSource::Stdin,
        Some(_) => ScriptSource::File(i),
    }
}

/// Options of a program: which short letters take a value, which long names do.
struct OptionTable {
    short_with_value: &'static str,
    long_with_value: &'static [&'static str],
}

const CURL: OptionTable = OptionTable {
    short_with_value: "AbcCdDeEFHKmoPQrTuUwxXyYz",
    long_with_value: &[
        "output",
        "output-dir",
        "url",
        "header",
        "data",
        "data-raw",
        "data-binary",
        "data-urlencode",
        "user",
        "user-agent",
        "proto",
        "proto-redir",
        "retry",
        "retry-delay",
        "retry-max-time",
        "max-time",
        "connect-timeout",
        "cacert",
        "capath",
        "cert",
        "key",
        "config",
        "request",
        "write-out",
        "referer",
        "cookie",
        "cookie-jar",
        "form",
        "range",
        "limit-rate",
        "max-filesize",
        "dump-header",
        "proxy",
        "resolve",
        "connect-to",
        "interface",
        "oauth2-bearer",
        "continue-at",
        "upload-file",
        "time-cond",
        "ciphers",
        "netrc-file",
        "stderr",
        "trace",
        "trace-ascii",
    ],
};

const WGET: OptionTable = OptionTable {
    short_with_value: "OoaePtTwUQiBlARDIX",
    long_with_value: &[
        "output-document",
        "output-file",
        "append-output",
        "execute",
        "directory-prefix",
        "tries",
        "timeout",
        "wait",
        "user-agent",
        "quota",
        "input-file",
        "base",
        "level",
        "accept",
        "reject",
        "domains",
        "header",
        "user",
        "password",
        "http-user",
        "http-password",
        "post-data",
        "post-file",
        "ca-certificate",
        "certificate",
        "private-key",
        "load-cookies",
        "save-cookies",
        "method",
        "body-data",
        "body-file",
        "referer",
    ],
};

const FETCH: OptionTable = OptionTable {
    short_with_value: "oBNSTi",
    long_with_value: &["output", "bind-address", "netrc", "expected-size", "timeout", "if-modified-since"],
};

/// A download's options as they matter here.
#[derive(Debug, Default)]
struct DownloadArgs {
    /// The output file option's value (`-o FILE`, `-O FILE` for wget).
    output: Option<String>,
    /// curl's `-O`/`--remote-name`: write to the URL's file name.
    remote_name: bool,
    /// The first operand (the URL).
    url: Option<String>,
}

fn parse_download_args(
    args: &[&str],
    table: &OptionTable,
    output_short: char,
    output_long: &str,
) -> DownloadArgs {
    let mut parsed = DownloadArgs::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if *arg == "--" {
            if parsed.url.is_none() {
                parsed.url = args.get(i + 1).map(|s| (*s).to_string());
            }
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let takes_value = table.long_with_value.contains(&name);
            let value = match inline {
                Some(v) => Some(v.to_string()),
                None if takes_value => {
                    i += 1;
                    args.get(i).map(|s| (*s).to_string())
                }
                None => None,
            };
            if name == output_long {
                parsed.output = value;
            } else if name == "url" && parsed.url.is_none() {
                parsed.url = value;
            } else if matches!(name, "remote-name" | "remote-name-all") {
                parsed.remote_name = true;
            }
        } else if arg.len() > 1 && arg.starts_with('-') {
            let cluster = arg.get(1..).unwrap_or("");
            for (at, ch) in cluster.char_indices() {
                if ch == 'O' && output_short != 'O' {
                    parsed.remote_name = true;
                    continue;
                }
                if table.short_with_value.contains(ch) {
                    let attached = cluster.get(at + ch.len_utf8()..).unwrap_or("");
                    let value = if attached.is_empty() {
                        i += 1;
                        args.get(i).map(|s| (*s).to_string())
                    } else {
                        Some(attached.to_string())
                    };
                    if ch == output_short {
                        parsed.output = value;
                    }
                    break;
                }
            }
        } else if parsed.url.is_none() {
            parsed.url = Some((*arg).to_string());
        }
        i += 1;
    }
    parsed
}

/// The file name a URL is saved under when no output name is given.
fn url_file_name(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let path = without_query.split_once("://").map_or(without_query, |(_, rest)| rest);
    match path.rsplit_once('/') {
        Some((_, name)) if !name.is_empty() => name.to_string(),
        _ => "index.html".to_string(),
    }
}

/// Where the downloader `name` writes, given its arguments.
pub(super) fn download_output(name: &str, args: &[&str]) -> Output {
    let parsed = match name {
        "curl" => parse_download_args(args, &CURL, 'o', "output"),
        "wget" => parse_download_args(args, &WGET, 'O', "output-document"),
        _ => parse_download_args(args, &FETCH, 'o', "output"),
    };
    match parsed.output.as_deref() {
        Some("-") => Output::Stdout,
        Some(file) => Output::File(file_key(file)),
        // wget and fetch save to the URL's name by default; curl only with -O.
        None if name != "curl" || parsed.remote_name => {
            Output::File(file_key(&url_file_name(parsed.url.as_deref().unwrap_or(""))))
        }
        None => Output::Stdout,
    }
}

/// Whether a pipeline stage hands on (some transformation of) what it reads, so a download
/// piped through it still reaches the next stage.
pub(super) fn passes_input_through(name: &str, args: &[&str]) -> bool {
    match name {
        // `cat FILE` reads the file, not the pipe.
        "cat" => args.iter().all(|a| a.starts_with('-')),
        "tee" | "sed" | "tr" | "awk" | "gawk" | "mawk" | "grep" | "egrep" | "head" | "tail" | "cut"
        | "sort" | "uniq" | "iconv" | "dos2unix" | "gunzip" | "gzip" | "zcat" | "bunzip2" | "bzip2"
        | "bzcat" | "xz" | "unxz" | "xzcat" | "zstd" | "zstdcat" | "unzstd" | "base64" | "envsubst" => true,
        _ => false,
    }
}

/// Files `tee` writes its input to.
pub(super) fn tee_files(name: &str, args: &[&str]) -> Vec<String> {
    if name != "tee" {
        return Vec::new();
    }
    args.iter().filter(|a| !a.starts_with('-')).map(|a| file_key(a)).collect()
}

/// Whether a command verifies a checksum or a signature (`sha256sum -c`, `gpg --verify`).
/// MD5 and SHA-1 sums do not count: they do not protect against a chosen download.
pub(super) fn is_verifier(name: &str, args: &[&str]) -> bool {
    let short_flag =
        |flag: char| args.iter().any(|a| !a.starts_with("--") && a.starts_with('-') && a.contains(flag));
    let long_flag = |flag: &str| args.contains(&flag);
    match name {
        "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "b2sum" | "b3sum" => {
            short_flag('c') || long_flag("--check")
        }
        "shasum" => {
            let sha1 = args.windows(2).any(|w| matches!(w, ["-a", "1"])) || args.contains(&"-a1");
            (short_flag('c') || long_flag("--check")) && !sha1
        }
        "gpg" | "gpg2" => long_flag("--verify") || args.iter().any(|a| a.starts_with("--verify")),
        "gpgv" | "gpgv2" => true,
        "cosign" => args.first().is_some_and(|a| a.starts_with("verify")),
        "minisign" | "signify" => short_flag('V'),
        "openssl" => args.first() == Some(&"dgst") && args.iter().any(|a| a.starts_with("-verify")),
        _ => false,
    }
}

/// The key a path is compared by: as written, without a leading `./`.
pub(super) fn file_key(path: &str) -> String {
    let mut key = path;
    while let Some(rest) = key.strip_prefix("./") {
        key = rest;
    }
    key.to_string()
}

/// Whether two file keys name the same file: equal, or with equal file names when one of
/// them has no directory (`curl -O .../install.sh` then `sh /tmp/install.sh` after a `cd`).
pub(super) fn same_file(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    (!a.contains('/') || !b.contains('/')) && name(a) == name(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_sources() {
        assert_eq!(shell_source(&[]), ScriptSource::Stdin);
        assert_eq!(shell_source(&["-s", "--", "--flag"]), ScriptSource::Stdin);
        assert_eq!(shell_source(&["-euo", "pipefail"]), ScriptSource::Stdin);
        assert_eq!(shell_source(&["-x", "install.sh"]), ScriptSource::File(1));
        assert_eq!(shell_source(&["-ec", "echo hi"]), ScriptSource::Inline(vec![1]));
        assert_eq!(shell_source(&["-", "arg"]), ScriptSource::File(1));
        assert_eq!(shell_source(&["/dev/stdin"]), ScriptSource::Stdin);
        assert_eq!(shell_source(&["--version"]), ScriptSource::Other);
    }

    #[test]
    fn other_interpreter_sources() {
        let py = |a: &[&str]| script_source(Family::Python, a);
        assert_eq!(py(&[]), ScriptSource::Stdin);
        assert_eq!(py(&["-"]), ScriptSource::Stdin);
        assert_eq!(py(&["-c", "import json"]), ScriptSource::Inline(vec![1]));
        assert_eq!(py(&["-uc", "print(1)"]), ScriptSource::Inline(vec![1]));
        assert_eq!(py(&["-m", "json.tool"]), ScriptSource::Other);
        assert_eq!(py(&["-W", "ignore", "get-pip.py"]), ScriptSource::File(2));
        let perl = |a: &[&str]| script_source(Family::Perl, a);
        assert_eq!(perl(&["-Mstrict"]), ScriptSource::Stdin);
        assert_eq!(perl(&["-ne", "print"]), ScriptSource::Inline(vec![1]));
        assert_eq!(script_source(Family::Node, &["-e", "x"]), ScriptSource::Inline(vec![1]));
        assert_eq!(script_source(Family::Node, &[]), ScriptSource::Stdin);
        assert_eq!(script_source(Family::Php, &["-f", "x.php"]), ScriptSource::File(1));
        assert_eq!(script_source(Family::Ruby, &["-e", "p 1"]), ScriptSource::Inline(vec![1]));
        assert_eq!(script_source(Family::Source, &["./env.sh"]), ScriptSource::File(0));
        assert_eq!(family("python3.12"), Some(Family::Python));
        assert_eq!(family("pythonista"), None);
    }

    #[test]
    fn download_outputs() {
        assert_eq!(download_output("curl", &["-fsSL", "https://x/i.sh"]), Output::Stdout);
        assert_eq!(download_output("curl", &["-fsSLo", "i.sh", "https://x"]), Output::File("i.sh".into()));
        assert_eq!(download_output("curl", &["--output=./i.sh", "u"]), Output::File("i.sh".into()));
        assert_eq!(download_output("curl", &["-O", "https://x/get.sh?v=1"]), Output::File("get.sh".into()));
        assert_eq!(download_output("curl", &["-H", "-o", "u"]), Output::Stdout);
        assert_eq!(download_output("curl", &["-o", "-", "u"]), Output::Stdout);
        assert_eq!(download_output("wget", &["-qO-", "u"]), Output::Stdout);
        assert_eq!(download_output("wget", &["-q", "-O", "-", "u"]), Output::Stdout);
        assert_eq!(download_output("wget", &["https://x/a/b.sh"]), Output::File("b.sh".into()));
        assert_eq!(
            download_output("wget", &["--output-document=/tmp/b", "u"]),
            Output::File("/tmp/b".into())
        );
        assert_eq!(download_output("fetch", &["-o", "-", "u"]), Output::Stdout);
    }

    #[test]
    fn verifiers_and_files() {
        assert!(is_verifier("sha256sum", &["-c", "f.sha256"]));
        assert!(is_verifier("sha512sum", &["--check", "--status"]));
        assert!(is_verifier("shasum", &["-a", "256", "-c", "x"]));
        assert!(!is_verifier("shasum", &["-a", "1", "-c", "x"]));
        assert!(!is_verifier("sha256sum", &["f"]));
        assert!(!is_verifier("md5sum", &["-c", "f"]));
        assert!(is_verifier("gpg", &["--batch", "--verify", "f.asc", "f"]));
        assert!(same_file("./i.sh", "i.sh"));
        assert!(same_file("i.sh", "/tmp/i.sh"));
        assert!(!same_file("/a/i.sh", "/b/i.sh"));
        assert!(passes_input_through("tee", &["x"]));
        assert!(!passes_input_through("cat", &["f"]));
        assert!(!passes_input_through("tar", &["xz"]));
    }
}
