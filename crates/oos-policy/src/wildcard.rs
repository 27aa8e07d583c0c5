//! Glob matching with `*` (any run of characters, including none and `/`) and `?`
//! (exactly one character), as used by policy actions, resources and `StringLike`.

/// True when `pattern` contains a wildcard character.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Whether `text` matches `pattern` as a whole. With `ignore_ascii_case`, ASCII letters
/// compare case-insensitively (action names); otherwise the match is exact.
pub fn matches(pattern: &str, text: &str, ignore_ascii_case: bool) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let eq = |a: u8, b: u8| {
        if ignore_ascii_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index it covers up to).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi + 1, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == b'?' {
            pi += 1;
            ti += char_len(t[ti]);
        } else if pi < p.len() && eq(p[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            // Let the last `*` swallow one more character and retry.
            let next = st + char_len(t[st]);
            star = Some((sp, next));
            pi = sp;
            ti = next;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether some string that starts with `prefix` matches `pattern` (case-sensitive).
/// Used to decide whether a resource pattern can name anything inside a bucket.
pub fn matches_prefix(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    // The set of pattern positions reachable after the characters consumed so far.
    let mut states = vec![false; p.len() + 1];
    states[0] = true;
    close(&p, &mut states);
    for c in prefix.chars() {
        let mut next = vec![false; p.len() + 1];
        for (i, _) in states.iter().enumerate().filter(|(_, on)| **on) {
            match p.get(i) {
                Some('*') => next[i] = true,
                Some('?') => next[i + 1] = true,
                Some(&l) if l == c => next[i + 1] = true,
                _ => {}
            }
        }
        close(&p, &mut next);
        if !next.iter().any(|&on| on) {
            return false;
        }
        states = next;
    }
    // Whatever remains of the pattern can always be satisfied by some suffix.
    true
}

/// Adds the positions reachable by letting a `*` match nothing.
fn close(p: &[char], states: &mut [bool]) {
    for i in 0..p.len() {
        if states[i] && p[i] == '*' {
            states[i + 1] = true;
        }
    }
}

/// The length of the UTF-8 sequence that starts with `lead`.
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything/at/all", true),
            ("", "", true),
            ("", "a", false),
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*c", "ac", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("photos/*", "photos/2024/a.jpg", true),
            ("photos/*", "photo/a.jpg", false),
            ("*.jpg", "a/b/c.jpg", true),
            ("*.jpg", "a/b/c.jpeg", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("??", "é字", true),
            ("?", "é字", false),
            ("日*", "日本語", true),
            ("*語", "日本語", true),
            ("**", "x", true),
            ("x*", "X", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(matches(p, t, false), *want, "pattern {p:?} text {t:?}");
        }
    }

    #[test]
    fn ignore_case() {
        assert!(matches("s3:get*", "s3:GetObject", true));
        assert!(!matches("s3:get*", "s3:GetObject", false));
        assert!(matches("S3:GETOBJECT", "s3:GetObject", true));
    }

    #[test]
    fn prefix_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("b/*", "b/", true),
            ("b/photos/*", "b/", true),
            ("b", "b/", false),
            ("*", "b/", true),
            ("b*", "b/", true),
            ("c/*", "b/", false),
            ("?/x", "b/", true),
            ("bu", "bucket/", false),
            ("bucket/", "bucket/", true),
            ("*/x", "bucket/", true),
        ];
        for (p, prefix, want) in cases {
            assert_eq!(
                matches_prefix(p, prefix),
                *want,
                "pattern {p:?} prefix {prefix:?}"
            );
        }
    }

    #[test]
    fn wildcard_detection() {
        assert!(has_wildcard("a*"));
        assert!(has_wildcard("a?"));
        assert!(!has_wildcard("abc"));
    }
}
