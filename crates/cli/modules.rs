//! Local Terraform modules read from disk for the engine's module evaluation: only
//! directories inside the scanned paths, never outside them (a `source = "../../.."` or a
//! symbolic link cannot make trustlint read elsewhere).

use std::path::{Path, PathBuf};

use trustlint_engine::terraform::{ModuleCache, ModuleLoader};

/// Reads module directories named by their shown paths (see `walk::display_path`), each
/// once per run: the parsed directories are kept for the other units that call them.
pub struct DiskModules {
    cwd: PathBuf,
    /// Each scanned path: its directory resolved (symbolic links followed), and as given.
    roots: Vec<(PathBuf, PathBuf)>,
    max_file_size: u64,
    cache: ModuleCache,
}

impl DiskModules {
    /// A loader confined to `paths`. A named file stands for its whole repository (see
    /// [`crate::explicit::repository_root`]), so that a changed root module still reads the
    /// modules it calls from elsewhere in the repository, as a scan of the repository would.
    pub fn new(paths: &[PathBuf], cwd: &Path, max_file_size: u64) -> Self {
        let roots = paths
            .iter()
            .filter_map(|path| {
                let dir =
                    if path.is_file() { path.parent().unwrap_or(Path::new(".")) } else { path.as_path() };
                let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
                let real = if path.is_file() {
                    crate::explicit::repository_root(path, cwd)
                } else {
                    dir.canonicalize().ok()
                };
                real.map(|real| (real, dir.to_path_buf()))
            })
            .collect();
        DiskModules { cwd: cwd.to_path_buf(), roots, max_file_size, cache: ModuleCache::default() }
    }

    fn inside_roots(&self, real: &Path) -> bool {
        self.roots.iter().any(|(root, _)| real.starts_with(root))
    }
}

impl ModuleLoader for DiskModules {
    fn load(&self, dir: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
        // Shown paths are relative to the working directory when the file is below it, else
        // to the path argument.
        let candidates =
            std::iter::once(self.cwd.join(dir)).chain(self.roots.iter().map(|(_, given)| given.join(dir)));
        let mut outside = false;
        for candidate in candidates {
            let Ok(real) = candidate.canonicalize() else { continue };
            if !real.is_dir() {
                continue;
            }
            if !self.inside_roots(&real) {
                outside = true;
                continue;
            }
            return self.read(&real, dir);
        }
        Err(if outside { "outside the scanned paths".into() } else { "no such directory".into() })
    }

    fn cache(&self) -> Option<&ModuleCache> {
        Some(&self.cache)
    }
}

impl DiskModules {
    /// The `.tf` and `.tf.json` regular files of `real`, by name.
    fn read(&self, real: &Path, dir: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
        let entries = std::fs::read_dir(real).map_err(|e| format!("cannot read: {e}"))?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            // Symbolic links are not followed, as in the walk.
            .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".tf") || name.ends_with(".tf.json"))
            .collect();
        names.sort();
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let Ok(bytes) = crate::walk::read_regular(&real.join(&name), self.max_file_size) else {
                continue;
            };
            let shown = if dir.is_empty() { name } else { format!("{dir}/{name}") };
            files.push((shown, bytes));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_read_inside_the_scanned_paths_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let scanned = tmp.path().join("repo");
        std::fs::create_dir_all(scanned.join("modules/db")).expect("mkdir");
        std::fs::create_dir_all(tmp.path().join("secret")).expect("mkdir");
        std::fs::write(scanned.join("modules/db/main.tf"), "resource \"a\" \"b\" {}\n").expect("write");
        std::fs::write(scanned.join("modules/db/notes.md"), "not terraform\n").expect("write");
        std::fs::write(tmp.path().join("secret/main.tf"), "x = 1\n").expect("write");
        let loader = DiskModules::new(std::slice::from_ref(&scanned), Path::new("/nonexistent-cwd"), 1 << 20);
        let files = loader.load("modules/db").expect("inside");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["modules/db/main.tf"]);
        assert_eq!(loader.load("../secret"), Err("outside the scanned paths".into()));
        assert_eq!(loader.load("modules/none"), Err("no such directory".into()));
    }
}
