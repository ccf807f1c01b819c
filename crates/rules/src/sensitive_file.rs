//! Files that hold credentials by their nature, recognised by their path (and, for
//! kubeconfigs and AWS shared credentials files named otherwise, a look at the content):
//! Terraform state, dotenv files, kubeconfigs, `.npmrc`, `.pypirc`, AWS shared credentials
//! files, `.htpasswd`, keystores and private key files. The sensitive-file rule reports them;
//! the generic credential scanner leaves their content to it, so a credential in such a file
//! is reported once, with the fix that fits (take the file out of the repository).

use std::sync::LazyLock;

use regex::Regex;

/// A kind of file that holds credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SensitiveFile {
    /// `*.tfstate`, `*.tfstate.backup`, `*.tfstate.<serial>.backup`.
    TerraformState,
    /// `.env`, `.env.*` (not `.env.example`, `.env.sample`, `.env.template`, ...).
    Dotenv,
    /// `kubeconfig`, `*.kubeconfig`, `.kube/config`, or a YAML file of `kind: Config` with
    /// `users`.
    Kubeconfig,
    /// `.npmrc`.
    Npmrc,
    /// `.pypirc`.
    Pypirc,
    /// `.aws/credentials`, or a file named `credentials` with a profile section and AWS keys.
    AwsCredentials,
    /// `.htpasswd`.
    Htpasswd,
    /// `*.p12`, `*.pfx`, `*.jks`, `*.keystore` (not truststores).
    Keystore,
    /// `id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519` (and `_sk`), `*.pem`, `*.key`, `*.ppk`.
    PrivateKey,
}

impl SensitiveFile {
    /// What the file is, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            SensitiveFile::TerraformState => "Terraform state file",
            SensitiveFile::Dotenv => "dotenv file",
            SensitiveFile::Kubeconfig => "kubeconfig",
            SensitiveFile::Npmrc => "npm configuration",
            SensitiveFile::Pypirc => "PyPI configuration",
            SensitiveFile::AwsCredentials => "AWS shared credentials file",
            SensitiveFile::Htpasswd => "htpasswd file",
            SensitiveFile::Keystore => "keystore",
            SensitiveFile::PrivateKey => "private key file",
        }
    }
}

/// Suffixes of dotenv files that are templates, not configuration.
const DOTENV_TEMPLATES: [&str; 16] = [
    "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "default", "schema", "md", "txt",
    "rst", "html", "j2", "jinja", "erb",
];

/// A kubeconfig's own structure at the top level of a YAML document.
static KUBECONFIG_KIND: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"(?m)^kind:[ \t]*["']?Config["']?[ \t]*\r?$"#).ok());
static KUBECONFIG_USERS: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?m)^users:").ok());

/// An AWS shared credentials profile: a `[section]` and an AWS key setting.
static AWS_PROFILE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*\[[^\]\r\n]+\][ \t]*\r?$").ok());
static AWS_SETTING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?mi)^[ \t]*aws_(?:access_key_id|secret_access_key|session_token)[ \t]*=").ok()
});

fn found(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(text))
}

/// What kind of sensitive file `path` (relative, `/`-separated) with content `text` is.
pub(crate) fn classify(path: &str, text: &str) -> Option<SensitiveFile> {
    let lower_path = path.to_ascii_lowercase();
    let name = lower_path.rsplit('/').next().unwrap_or(&lower_path);
    let extension = name.rsplit_once('.').map(|(_, ext)| ext);
    if name.ends_with(".tfstate") || (name.contains(".tfstate.") && name.ends_with(".backup")) {
        return Some(SensitiveFile::TerraformState);
    }
    if name == ".env"
        || name
            .strip_prefix(".env.")
            .is_some_and(|rest| !rest.split('.').any(|part| DOTENV_TEMPLATES.contains(&part)))
    {
        return Some(SensitiveFile::Dotenv);
    }
    if name == ".npmrc" {
        return Some(SensitiveFile::Npmrc);
    }
    if name == ".pypirc" {
        return Some(SensitiveFile::Pypirc);
    }
    if name == ".htpasswd" || name == "htpasswd" || name.ends_with(".htpasswd") {
        return Some(SensitiveFile::Htpasswd);
    }
    // Truststores hold public CA certificates only.
    if matches!(extension, Some("p12" | "pfx" | "jks" | "keystore")) && !name.contains("truststore") {
        return Some(SensitiveFile::Keystore);
    }
    let key_names = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"];
    if key_names.contains(&name) || matches!(extension, Some("pem" | "key" | "ppk")) {
        return Some(SensitiveFile::PrivateKey);
    }
    if lower_path.ends_with(".aws/credentials")
        || (name == "credentials" && found(&AWS_PROFILE, text) && found(&AWS_SETTING, text))
    {
        return Some(SensitiveFile::AwsCredentials);
    }
    if is_kubeconfig(&lower_path, name, extension, text) {
        return Some(SensitiveFile::Kubeconfig);
    }
    None
}

/// A kubeconfig by name (`kubeconfig`, `kubeconfig.yaml`, `kubeconfig-prod`, `*.kubeconfig`,
/// `.kube/config`) or by content in a YAML or extension-less file.
fn is_kubeconfig(lower_path: &str, name: &str, extension: Option<&str>, text: &str) -> bool {
    let yaml_like = matches!(extension, None | Some("yaml" | "yml" | "conf" | "config" | "kubeconfig"));
    let stem = name.split('.').next().unwrap_or(name);
    let named = lower_path.ends_with(".kube/config")
        || extension == Some("kubeconfig")
        || (yaml_like
            && (stem == "kubeconfig" || stem.starts_with("kubeconfig-") || stem.starts_with("kubeconfig_")));
    named || (yaml_like && found(&KUBECONFIG_KIND, text) && found(&KUBECONFIG_USERS, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(KUBECONFIG_KIND.is_some() && KUBECONFIG_USERS.is_some());
        assert!(AWS_PROFILE.is_some() && AWS_SETTING.is_some());
    }

    #[test]
    fn sensitive_paths() {
        let cases = [
            ("terraform.tfstate", SensitiveFile::TerraformState),
            ("envs/prod/terraform.tfstate.backup", SensitiveFile::TerraformState),
            ("terraform.tfstate.1712345678.backup", SensitiveFile::TerraformState),
            (".env", SensitiveFile::Dotenv),
            ("app/.env.production", SensitiveFile::Dotenv),
            (".env.local", SensitiveFile::Dotenv),
            ("kubeconfig", SensitiveFile::Kubeconfig),
            ("clusters/prod.kubeconfig", SensitiveFile::Kubeconfig),
            ("kubeconfig-staging.yaml", SensitiveFile::Kubeconfig),
            ("home/.kube/config", SensitiveFile::Kubeconfig),
            (".npmrc", SensitiveFile::Npmrc),
            (".pypirc", SensitiveFile::Pypirc),
            ("home/.aws/credentials", SensitiveFile::AwsCredentials),
            ("deploy/.htpasswd", SensitiveFile::Htpasswd),
            ("certs/client.p12", SensitiveFile::Keystore),
            ("android/release.keystore", SensitiveFile::Keystore),
            ("home/.ssh/id_ed25519", SensitiveFile::PrivateKey),
            ("tls/server.key", SensitiveFile::PrivateKey),
        ];
        for (path, kind) in cases {
            assert_eq!(classify(path, ""), Some(kind), "{path}");
        }
        for path in [
            ".env.example",
            ".env.sample",
            ".env.local.example",
            ".env.template",
            ".env.md",
            "terraform.tfstate.md",
            "kubeconfig.go",
            "docs/kubeconfig.md",
            "id_rsa.pub",
            "credentials",
            "config",
            "environment.ts",
            "certs/truststore.jks",
        ] {
            assert_eq!(classify(path, ""), None, "{path}");
        }
    }

    #[test]
    fn sensitive_content() {
        let kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: ci\n";
        assert_eq!(classify("deploy/admin.conf", kubeconfig), Some(SensitiveFile::Kubeconfig));
        assert_eq!(classify("docs/README.md", kubeconfig), None);
        let profile = "[default]\naws_access_key_id = x\n";
        assert_eq!(classify("ci/credentials", profile), Some(SensitiveFile::AwsCredentials));
        assert_eq!(classify("ci/credentials", "user: x\n"), None);
    }
}
