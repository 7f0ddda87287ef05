//! Keeping credentials out of messages.
//!
//! Error text that comes from outside orgctl (a service's message, the SDK's description of a
//! failure) can quote what the request carried: an access key id in a signature error, the
//! session token of a signed request, a line of a credentials file. Every such text goes
//! through [`Secrets::redact`] before it becomes part of an error, and so of a log, the apply
//! journal or a report. Two things are replaced: the credentials this process knows (from
//! the environment, the options, and every role it assumed), as written and percent-encoded;
//! and anything shaped like a credential (AWS access key ids, the value after
//! `X-Amz-Security-Token`, `aws_secret_access_key` or `aws_session_token`).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// What a redacted value becomes.
pub(crate) const MASK: &str = "***";

/// Known credentials shorter than this are not looked for (a test's `testing` would mask
/// ordinary words); real ones are 16 characters or more.
const MIN_SECRET_LEN: usize = 12;

/// The prefixes of AWS access key ids: long-term (`AKIA`), temporary (`ASIA`), bearer
/// (`ABIA`) and context (`ACCA`) keys.
const KEY_ID_PREFIXES: [&[u8; 4]; 4] = [b"AKIA", b"ASIA", b"ABIA", b"ACCA"];

/// Names after which the value is a credential, compared without regard to case.
const SECRET_NAMES: [&str; 4] = [
    "x-amz-security-token",
    "aws_secret_access_key",
    "aws_session_token",
    "secretaccesskey",
];

/// The credentials this process holds.
#[derive(Default)]
pub(crate) struct Secrets {
    known: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self
            .known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        write!(f, "Secrets({n} known)")
    }
}

impl Secrets {
    /// The credentials this process can see before it calls anything: the environment's
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), those written in
    /// the shared credentials and config files (every profile's), and `extra` (the options'
    /// static credentials).
    pub(crate) fn of_process<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let secrets = Self::default();
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            if let Some(value) = std::env::var_os(name) {
                secrets.add(&value.to_string_lossy());
            }
        }
        for (variable, default) in [
            ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
            ("AWS_CONFIG_FILE", ".aws/config"),
        ] {
            let path = std::env::var_os(variable).map(PathBuf::from).or_else(|| {
                std::env::var_os("HOME")
                    .or_else(|| std::env::var_os("USERPROFILE"))
                    .map(|home| PathBuf::from(home).join(default))
            });
            // A missing or unreadable file holds nothing to hide (the SDK reports it).
            if let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) {
                for value in credentials_in_profile_file(&text) {
                    secrets.add(value);
                }
            }
        }
        for value in extra {
            secrets.add(value);
        }
        secrets
    }

    /// Adds a credential to look for.
    pub(crate) fn add(&self, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        for form in [secret.to_owned(), percent_encoded(secret)] {
            if !known.contains(&form) {
                known.push(form);
            }
        }
        // Longest first, so that a secret containing another is replaced whole.
        known.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` without any credential in it.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self
            .known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        redact_named(&redact_key_ids(&out))
    }

    /// [`Secrets::redact`] on a string in place.
    pub(crate) fn redact_in(&self, text: &mut String) {
        let clean = self.redact(text);
        if clean != *text {
            *text = clean;
        }
    }
}

/// The values of `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` in a
/// shared credentials or config file.
fn credentials_in_profile_file(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let (key, value) = line.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        [
            "aws_access_key_id",
            "aws_secret_access_key",
            "aws_session_token",
        ]
        .contains(&key.as_str())
        .then(|| value.trim())
    })
}

/// `text` with every access key id replaced by its prefix and asterisks.
fn redact_key_ids(text: &str) -> String {
    let bytes = text.as_bytes();
    let id_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 20 <= bytes.len() {
        let starts_word = i == 0 || bytes.get(i - 1).is_none_or(|&b| !id_char(b));
        let is_id = starts_word
            && KEY_ID_PREFIXES
                .iter()
                .any(|p| bytes.get(i..i + 4) == Some(&p[..]))
            && bytes
                .get(i + 4..i + 20)
                .is_some_and(|rest| rest.iter().all(|&b| id_char(b)))
            && bytes.get(i + 20).is_none_or(|&b| !id_char(b));
        if is_id {
            out.push_str(text.get(copied..i + 4).unwrap_or_default());
            out.push_str(&"*".repeat(16));
            i += 20;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// `text` with the value after each of [`SECRET_NAMES`] replaced by [`MASK`]: after a `:`,
/// `=` or `>` (an XML element), with spaces and quotes around it.
fn redact_named(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_NAMES {
        let mut from = 0;
        while let Some(found) = lower.get(from..).and_then(|rest| rest.find(name)) {
            let after = from + found + name.len();
            from = after;
            let bytes = text.as_bytes();
            let mut start = after;
            let mut separated = false;
            while let Some(&b) = bytes.get(start) {
                match b {
                    b' ' | b'\t' | b'"' | b'\'' => {}
                    b':' | b'=' | b'>' => separated = true,
                    _ => break,
                }
                start += 1;
            }
            if !separated {
                continue;
            }
            let mut end = start;
            while bytes.get(end).is_some_and(|&b| {
                !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b'&' | b';' | b',' | b'<')
            }) {
                end += 1;
            }
            if end > start {
                cuts.push((start, end));
            }
        }
    }
    if cuts.is_empty() {
        return text.to_owned();
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in cuts {
        if start < copied {
            continue;
        }
        out.push_str(text.get(copied..start).unwrap_or_default());
        out.push_str(MASK);
        copied = end;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// `text` as it appears in a URL query or form body: every byte but the unreserved ones
/// percent-encoded.
fn percent_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url` without the `user:password@` part a URL may carry.
pub(crate) fn endpoint(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest_start = scheme_end + 3;
    let rest = url.get(rest_start..).unwrap_or_default();
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest.get(..authority_end).and_then(|a| a.rfind('@')) {
        Some(at) => format!(
            "{}{}",
            url.get(..rest_start).unwrap_or_default(),
            rest.get(at + 1..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_ID: &str = "AKIAORGCTLSECRETTEST";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE+session/token==";

    fn secrets() -> Secrets {
        let s = Secrets::default();
        for v in [KEY_ID, SECRET, TOKEN] {
            s.add(v);
        }
        s
    }

    #[test]
    fn known_credentials_are_masked_as_written_and_encoded() {
        let s = secrets();
        let text = format!(
            "denied for {KEY_ID} with {SECRET}; token={} and {TOKEN}",
            percent_encoded(TOKEN)
        );
        let clean = s.redact(&text);
        for v in [KEY_ID, SECRET, TOKEN, &percent_encoded(TOKEN)] {
            assert!(!clean.contains(v), "{clean}");
        }
        assert!(clean.starts_with("denied for "), "{clean}");
    }

    #[test]
    fn anything_shaped_like_a_key_id_is_masked() {
        let s = Secrets::default();
        assert_eq!(
            s.redact("Credential=ASIAZZZZZZZZZZZZZZZZ/20260101/us-east-1/sts/aws4_request"),
            "Credential=ASIA****************/20260101/us-east-1/sts/aws4_request"
        );
        // Principal ids and longer words stay.
        for text in [
            "AIDAORGCTLSECRETTEST1",
            "XAKIAORGCTLSECRETTEST",
            "AKIAORGCTLSECRETTESTX",
            "AKIA-short",
        ] {
            assert_eq!(s.redact(text), text);
        }
        assert_eq!(
            s.redact("é AKIAORGCTLSECRETTEST é"),
            "é AKIA**************** é"
        );
    }

    #[test]
    fn values_after_credential_names_are_masked() {
        let s = Secrets::default();
        assert_eq!(
            s.redact("CanonicalRequest: host:x\nx-amz-security-token:abc/def==\nx-amz-date:1"),
            "CanonicalRequest: host:x\nx-amz-security-token:***\nx-amz-date:1"
        );
        assert_eq!(
            s.redact("url?X-Amz-Security-Token=abc%2Fdef&X-Amz-Date=1"),
            "url?X-Amz-Security-Token=***&X-Amz-Date=1"
        );
        assert_eq!(
            s.redact("line 3: aws_secret_access_key = abc/def"),
            "line 3: aws_secret_access_key = ***"
        );
        assert_eq!(
            s.redact(r#"{"SecretAccessKey": "abc", "x": 1}"#),
            r#"{"SecretAccessKey": "***", "x": 1}"#
        );
        // The names alone stay.
        assert_eq!(
            s.redact("set AWS_SESSION_TOKEN first"),
            "set AWS_SESSION_TOKEN first"
        );
    }

    #[test]
    fn profile_files_give_their_credentials() {
        let text = "[default]\naws_access_key_id = AKIAFILEFILEFILEFILE\n\
                    AWS_SECRET_ACCESS_KEY=from/the/file/secret\nregion = eu-west-1\n\
                    [profile x]\naws_session_token = tokentokentoken\n# aws_secret_access_key\n";
        let found: Vec<&str> = credentials_in_profile_file(text).collect();
        assert_eq!(
            found,
            [
                "AKIAFILEFILEFILEFILE",
                "from/the/file/secret",
                "tokentokentoken"
            ]
        );
    }

    #[test]
    fn short_values_are_not_looked_for() {
        let s = Secrets::default();
        s.add("testing");
        assert_eq!(s.redact("testing the endpoint"), "testing the endpoint");
    }

    #[test]
    fn debug_output_counts_without_showing() {
        let text = format!("{:?}", secrets());
        assert!(!text.contains(KEY_ID) && !text.contains(SECRET), "{text}");
    }

    #[test]
    fn endpoints_lose_their_user_info() {
        assert_eq!(
            endpoint("https://user:pass@proxy.example:8443/x"),
            "https://proxy.example:8443/x"
        );
        assert_eq!(endpoint("http://127.0.0.1:9"), "http://127.0.0.1:9");
        assert_eq!(endpoint("http://h/a@b"), "http://h/a@b");
        assert_eq!(endpoint("not a url"), "not a url");
    }
}
