//! Names that say a value is a secret: the word list shared by the rules that look for
//! credentials written as literals (compose `environment`, CloudFormation properties and
//! parameters).
//!
//! A name is split into words at `_`, `-`, `.`, blanks and camelCase steps. It is secret-like
//! when a word is a secret word (`password`, `token`, `secret`, ...) or `key` follows a
//! qualifier (`api key`, `private key`, ...), unless a later word says the value is about the
//! secret rather than the secret itself (`_FILE`, `_ARN`, `_LENGTH`, `Id`, ...).

/// Words that make a key secret-like on their own.
const SECRET_WORDS: [&str; 10] = [
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
];

/// Words that make a key secret-like when they precede `key`.
/// (`access key` is left out: `ACCESS_KEY` is the public half next to a `SECRET_KEY`.)
const KEY_QUALIFIERS: [&str; 5] = ["api", "private", "encryption", "signing", "master"];

/// Words that, after the secret word, say the value is about the secret, not the secret.
const NOT_THE_SECRET: [&str; 27] = [
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "host",
    "port",
    "name",
    "id",
    "arn",
    "type",
    "ttl",
    "expiry",
    "expires",
    "timeout",
    "length",
    "min",
    "max",
    "size",
    "enabled",
    "required",
    "header",
    "algorithm",
    "version",
    "policy",
    "prefix",
    "format",
];

/// The words of a key: split at `_`, `-`, `.`, blanks, lower-to-upper camelCase steps and
/// the end of an acronym (`DBPassword` is `db`, `password`).
pub(crate) fn words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '_' | '-' | '.' | ' ') {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let camel_step =
            c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
        let acronym_end = c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_uppercase())
            && next.is_some_and(|n| n.is_ascii_lowercase());
        if (camel_step || acronym_end) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a variable, property or parameter name says its value is a secret.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    if words.len() == 1 && words.first().is_some_and(|w| w == "pwd") {
        return false;
    }
    let secret_at = words.iter().enumerate().find_map(|(i, w)| {
        let pair =
            w == "key" && i > 0 && words.get(i - 1).is_some_and(|p| KEY_QUALIFIERS.contains(&p.as_str()));
        (SECRET_WORDS.contains(&w.as_str()) || pair).then_some(i)
    });
    let Some(at) = secret_at else { return false };
    // `KmsMasterKeyIdForSqs`, `TOKEN_TTL_SECONDS`: a qualifier after the secret word.
    !words.iter().skip(at + 1).any(|w| NOT_THE_SECRET.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_like_keys() {
        for key in [
            "POSTGRES_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "DB_PASS",
            "DB_PWD",
            "JWT_SECRET",
            "SECRET_KEY_BASE",
            "GITHUB_TOKEN",
            "apiKey",
            "STRIPE_API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "clientSecret",
            "GOOGLE_CREDENTIALS",
            "DBPassword",
            "MasterUserPassword",
            "APIKey",
            "GitHubOAuthToken",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "PWD",
            "POSTGRES_PASSWORD_FILE",
            "TOKEN_URL",
            "ACCESS_TOKEN_EXPIRES",
            "AWS_ACCESS_KEY_ID",
            "MINIO_ACCESS_KEY",
            "PASSWORD_MIN_LENGTH",
            "SECRET_NAME",
            "PASSPORT_STRATEGY",
            "KEY_PREFIX",
            "POSTGRES_USER",
            "TOKENIZERS_PARALLELISM",
            "DBPasswordSecretArn",
            "PasswordLength",
            "KmsMasterKeyIdForSqs",
            "TOKEN_TTL_SECONDS",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
