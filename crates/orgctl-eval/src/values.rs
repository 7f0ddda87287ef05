//! Reading condition values: numbers, dates, booleans, IP ranges and base-64.
//!
//! Policy values are read once when a policy is compiled; request values are read at each
//! evaluation, without allocating.

use std::net::IpAddr;

/// Reads an integer or decimal number, as the `Numeric*` operators accept it.
pub fn number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    t.parse().ok()
}

/// Reads a date as milliseconds since the Unix epoch.
///
/// Accepts epoch seconds (`1700000000`, optionally with a fraction) and the W3C profiles of
/// ISO 8601: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and `YYYY-MM-DDThh:mm[:ss[.s+]]` with `Z` or
/// `±hh:mm` (no zone means UTC).
pub fn date_millis(s: &str) -> Option<i64> {
    let t = s.trim();
    if !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !t.contains('-')
        && t.len() != 4
    {
        let secs = number(t)?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "epoch seconds fit i64 milliseconds"
        )]
        return Some((secs * 1000.0).round() as i64);
    }
    let b = t.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = t.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = num(0, 4)?;
    let (mut month, mut day) = (1, 1);
    let mut pos = 4;
    if b.get(pos) == Some(&b'-') {
        month = num(5, 2)?;
        pos = 7;
        if b.get(pos) == Some(&b'-') {
            day = num(8, 2)?;
            pos = 10;
        }
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = 0i64;
    let mut offset_min = 0i64;
    if matches!(b.get(pos), Some(b'T' | b't' | b' ')) {
        let hour = num(pos + 1, 2)?;
        if b.get(pos + 3) != Some(&b':') {
            return None;
        }
        let minute = num(pos + 4, 2)?;
        pos += 6;
        let mut second = 0;
        if b.get(pos) == Some(&b':') {
            second = num(pos + 1, 2)?;
            pos += 3;
            if b.get(pos) == Some(&b'.') {
                pos += 1;
                let start = pos;
                while b.get(pos).is_some_and(u8::is_ascii_digit) {
                    pos += 1;
                }
                let frac = t.get(start..pos)?;
                if frac.is_empty() {
                    return None;
                }
                // The first three digits are milliseconds; finer digits are dropped.
                millis = frac
                    .bytes()
                    .chain(std::iter::repeat(b'0'))
                    .take(3)
                    .fold(0, |acc, d| acc * 10 + i64::from(d - b'0'));
            }
        }
        if hour > 24 || minute > 59 || second > 60 {
            return None;
        }
        match b.get(pos) {
            Some(b'Z' | b'z') => pos += 1,
            Some(sign @ (b'+' | b'-')) => {
                let oh = num(pos + 1, 2)?;
                let om = if b.get(pos + 3) == Some(&b':') {
                    pos += 6;
                    num(pos - 2, 2)?
                } else {
                    pos += 5;
                    num(pos - 2, 2)?
                };
                offset_min = oh * 60 + om;
                if *sign == b'-' {
                    offset_min = -offset_min;
                }
            }
            _ => {}
        }
        millis += ((hour * 60 + minute - offset_min) * 60 + second) * 1000;
    }
    if pos != b.len() {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400_000 + millis)
}

const fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

const fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads a `Bool` value: `true` or `false` in any case.
pub fn boolean(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Reads `a.b.c.d/n`, `x::y/n`, or a bare address (a /32 or /128 network).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// An address of the network: the one written (`10.0.0.0` for `10.0.0.0/8`).
    pub const fn first(&self) -> IpAddr {
        self.addr
    }

    /// Whether `ip` lies in this network. IPv4 and IPv6 never match each other.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Reads a request's IP address; a value written as a network reads as its address.
pub fn ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.split_once('/').map_or(s, |(a, _)| a).parse().ok()
}

/// Decodes standard base-64 (padding optional) into bytes.
pub fn base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in s.trim().trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("10"), Some(10.0));
        assert_eq!(number("-1.5"), Some(-1.5));
        assert_eq!(number(".5"), Some(0.5));
        assert_eq!(number("1e3"), None);
        assert_eq!(number("abc"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn dates() {
        assert_eq!(date_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(date_millis("2019-07-16T12:00:00Z"), Some(1_563_278_400_000));
        assert_eq!(date_millis("1563278400"), Some(1_563_278_400_000));
        assert_eq!(
            date_millis("2019-07-16T14:00:00+02:00"),
            Some(1_563_278_400_000)
        );
        assert_eq!(
            date_millis("2019-07-16T12:00:00.5Z"),
            Some(1_563_278_400_500)
        );
        assert_eq!(date_millis("2019-07-16"), Some(1_563_235_200_000));
        assert_eq!(date_millis("2020-02-30"), None);
        assert_eq!(date_millis("2019-07-16T12:00"), Some(1_563_278_400_000));
        assert_eq!(date_millis("yesterday"), None);
    }

    #[test]
    fn cidrs() {
        let net = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(net.contains(ip("203.0.113.7").unwrap()));
        assert!(!net.contains(ip("203.0.114.7").unwrap()));
        let v6 = Cidr::parse("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains(ip("2001:db8:1234:5678::1").unwrap()));
        assert!(!v6.contains(ip("203.0.113.7").unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8").unwrap())
        );
        assert!(
            Cidr::parse("10.0.0.1")
                .unwrap()
                .contains(ip("10.0.0.1").unwrap())
        );
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64("!!"), None);
    }
}
