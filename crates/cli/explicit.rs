//! Files named on the command line, as pre-commit passes the changed ones.
//!
//! A named file is linted even when an ignore file or an exclude glob would skip it in a
//! directory walk, but it is never read through a symbolic link that leads outside its
//! repository: that file is skipped with a note. A named file whose meaning spans its
//! directory (a Terraform module, manifests that select each other) is evaluated with the
//! other files of its directory and family, so that relations stay right (a bucket's separate
//! versioning resource); those context files are read, but their own findings are not
//! reported.

use std::path::{Component, Path, PathBuf};

/// The repository a path belongs to: the nearest ancestor of its absolute, lexical location
/// that holds `.git`; without one, the working directory when the path lies below it, else the
/// path's own directory. The result is canonical (symbolic links resolved).
pub fn repository_root(path: &Path, cwd: &Path) -> Option<PathBuf> {
    let absolute = lexical_absolute(path, cwd);
    let start = if absolute.is_dir() { absolute.as_path() } else { absolute.parent()? };
    let found = start.ancestors().find(|dir| dir.join(".git").exists());
    let root = match found {
        Some(root) => root.to_path_buf(),
        None if absolute.starts_with(lexical_absolute(cwd, cwd)) => cwd.to_path_buf(),
        None => start.to_path_buf(),
    };
    root.canonicalize().ok()
}

/// Whether a named file resolves (through symbolic links) outside its repository.
pub fn escapes_repository(file: &Path, cwd: &Path) -> bool {
    match (repository_root(file, cwd), cwd.join(file).canonicalize()) {
        (Some(root), Ok(real)) => !real.starts_with(root),
        // Unreadable either way: the walk reports it.
        _ => false,
    }
}

/// `path` made absolute against `cwd` with `.` and `..` folded lexically, so that a symbolic
/// link on the way is judged by where it sits, not by where it leads.
fn lexical_absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_paths_fold_dots() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(lexical_absolute(Path::new("../infra/./main.tf"), cwd), Path::new("/repo/infra/main.tf"));
        assert_eq!(lexical_absolute(Path::new("/abs/x.tf"), cwd), Path::new("/abs/x.tf"));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_repository_escapes_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("git marker");
        std::fs::create_dir_all(repo.join("infra")).expect("mkdir");
        std::fs::write(repo.join("infra/main.tf"), "locals {}\n").expect("write");
        std::fs::write(tmp.path().join("outside.tf"), "locals {}\n").expect("write");
        std::os::unix::fs::symlink(tmp.path().join("outside.tf"), repo.join("infra/link.tf")).expect("link");
        std::os::unix::fs::symlink(repo.join("infra/main.tf"), repo.join("inside.tf")).expect("link");
        let real_repo = repo.canonicalize().expect("canonical");
        assert_eq!(repository_root(Path::new("infra/main.tf"), &repo), Some(real_repo.clone()));
        assert!(!escapes_repository(Path::new("infra/main.tf"), &repo));
        assert!(!escapes_repository(Path::new("inside.tf"), &repo));
        assert!(escapes_repository(Path::new("infra/link.tf"), &repo));
        // Named from elsewhere, the file still belongs to its own repository.
        assert!(escapes_repository(&repo.join("infra/link.tf"), tmp.path()));
        assert!(!escapes_repository(&repo.join("infra/main.tf"), tmp.path()));
    }
}
