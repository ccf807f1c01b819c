//! AWS's simple wildcard patterns, as ECR repository filters and AWS Backup resource and tag
//! conditions use them: `*` matches any run of characters (none included), every other
//! character matches itself.

/// Whether `text` matches `pattern`. Linear in practice (the classic two-pointer matcher with
/// backtracking to the last `*` only).
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    pi = star_p + 1;
                    ti = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Whether the pattern matches everything (only `*`).
pub(crate) fn is_everything(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.chars().all(|c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("*", "anything"));
        assert!(matches("*", ""));
        assert!(matches("prod-*", "prod-api"));
        assert!(!matches("prod-*", "dev-api"));
        assert!(matches("*/api", "team/api"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("api", "api"));
        assert!(!matches("api", "api-v2"));
        assert!(!matches("", "x"));
        assert!(is_everything("**"));
        assert!(!is_everything("a*"));
    }
}
