//! A fault-injecting HTTP proxy for the AWS backend's tests: it listens on 127.0.0.1,
//! forwards each request to an upstream server on 127.0.0.1 (moto), and at a seeded rate
//! answers instead with what AWS sends when it is overloaded or failing:
//!
//! - throttling in the shape of each protocol: `400 ThrottlingException` for the JSON
//!   protocols (Organizations, DynamoDB, CloudTrail, Config; requests with `X-Amz-Target`),
//!   `400 Throttling` in an `ErrorResponse` document for the query protocol (STS), and
//!   `503 SlowDown` for S3;
//! - server errors: `500 InternalFailure` (S3: `InternalError`) or `503 ServiceUnavailable`;
//! - a dropped connection before the request is forwarded (the request never ran);
//! - a dropped connection after it was forwarded (the request ran; its answer is lost).
//!
//! One request at a time is decided with one seeded generator, so a run that sends the same
//! requests in the same order meets the same faults.

use std::io::{self, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// How often each fault is injected: each a probability per request, their sum at most 1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultRates {
    /// Throttling answers.
    pub throttle: f64,
    /// 500 and 503 answers.
    pub server_error: f64,
    /// Connections closed before the request is forwarded.
    pub drop_before: f64,
    /// Connections closed after the request was forwarded, its answer unsent.
    pub drop_after: f64,
}

impl FaultRates {
    /// `total` split evenly between the four faults.
    pub fn even(total: f64) -> Self {
        let each = total / 4.0;
        Self {
            throttle: each,
            server_error: each,
            drop_before: each,
            drop_after: each,
        }
    }

    /// The chance that a request meets some fault.
    pub fn total(&self) -> f64 {
        self.throttle + self.server_error + self.drop_before + self.drop_after
    }
}

/// What the proxy did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Requests received.
    pub requests: u64,
    /// Forwarded and answered.
    pub forwarded: u64,
    /// Answered with throttling.
    pub throttled: u64,
    /// Answered with a server error.
    pub server_errors: u64,
    /// Dropped before forwarding.
    pub dropped_before: u64,
    /// Forwarded, then dropped without an answer.
    pub dropped_after: u64,
}

impl FaultCounts {
    /// Requests that met a fault.
    pub fn faults(&self) -> u64 {
        self.throttled + self.server_errors + self.dropped_before + self.dropped_after
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Forward,
    Throttle,
    ServerError { unavailable: bool },
    DropBefore,
    DropAfter,
}

/// The proxy's shared state: the generator, the rates and the counts.
#[derive(Debug)]
struct Dice {
    state: u64,
    rates: FaultRates,
    counts: FaultCounts,
    /// Operations whose next request is forwarded and its answer dropped, whatever the
    /// rates.
    lose_next: Vec<String>,
}

impl Dice {
    /// splitmix64: small, fast and good enough to pick faults.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        // 53 random bits, exactly representable.
        #[expect(
            clippy::cast_precision_loss,
            reason = "53-bit values convert to f64 exactly"
        )]
        let value = (self.next() >> 11) as f64;
        value / (1u64 << 53) as f64
    }

    /// The fate of a request for `operation` (`CreatePolicy`; empty when unknown).
    fn decide(&mut self, operation: &str) -> Fate {
        if let Some(at) = self.lose_next.iter().position(|o| o == operation) {
            self.lose_next.remove(at);
            self.counts.requests += 1;
            self.counts.dropped_after += 1;
            return Fate::DropAfter;
        }
        self.roll()
    }

    fn roll(&mut self) -> Fate {
        self.counts.requests += 1;
        let r = self.unit();
        let rates = self.rates;
        let unavailable = self.next() % 2 == 0;
        let mut edge = 0.0;
        let mut fate = Fate::Forward;
        for (rate, candidate) in [
            (rates.throttle, Fate::Throttle),
            (rates.server_error, Fate::ServerError { unavailable }),
            (rates.drop_before, Fate::DropBefore),
            (rates.drop_after, Fate::DropAfter),
        ] {
            edge += rate;
            if r < edge {
                fate = candidate;
                break;
            }
        }
        match fate {
            Fate::Forward => self.counts.forwarded += 1,
            Fate::Throttle => self.counts.throttled += 1,
            Fate::ServerError { .. } => self.counts.server_errors += 1,
            Fate::DropBefore => self.counts.dropped_before += 1,
            Fate::DropAfter => self.counts.dropped_after += 1,
        }
        fate
    }
}

/// A running proxy; it stops accepting connections when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    port: u16,
    dice: Arc<Mutex<Dice>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Starts a proxy on a free port of 127.0.0.1 in front of `upstream_port` (on
    /// 127.0.0.1), injecting faults at `rates` from the generator seeded with `seed`.
    ///
    /// # Errors
    /// When no port can be bound.
    pub fn start(upstream_port: u16, rates: FaultRates, seed: u64) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        let dice = Arc::new(Mutex::new(Dice {
            state: seed,
            rates,
            counts: FaultCounts::default(),
            lose_next: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (accept_dice, accept_stop) = (Arc::clone(&dice), Arc::clone(&stop));
        thread::spawn(move || {
            for client in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let dice = Arc::clone(&accept_dice);
                thread::spawn(move || {
                    let _ = serve(client, upstream_port, &dice);
                });
            }
        });
        Ok(Self { port, dice, stop })
    }

    /// `http://127.0.0.1:PORT`: the endpoint to give the AWS backend.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What the proxy did so far.
    pub fn counts(&self) -> FaultCounts {
        self.dice
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .counts
    }

    /// Forwards the next request for `operation` (the action of a JSON or query request,
    /// such as `CreatePolicy`) and drops its answer: the request ran, the caller never
    /// hears of it.
    pub fn lose_next_answer(&self, operation: &str) {
        self.dice
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .lose_next
            .push(operation.to_owned());
    }

    /// Changes the rates from the next request on (0 lets everything through).
    pub fn set_rates(&self, rates: FaultRates) {
        self.dice
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rates = rates;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// One HTTP/1.1 message head and body, as bytes to send on.
struct Message {
    /// The start line, without its line end.
    start: String,
    /// Header lines (name, value), in order.
    headers: Vec<(String, String)>,
    /// The body as received (chunked bodies with their framing).
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    /// The message with `Connection` set to `connection` and the rest unchanged.
    fn to_bytes(&self, connection: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 512);
        out.extend_from_slice(self.start.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case("connection")
                || name.eq_ignore_ascii_case("keep-alive")
                || name.eq_ignore_ascii_case("expect")
            {
                continue;
            }
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(format!("Connection: {connection}\r\n\r\n").as_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

/// A start line and its headers (name, value).
type Head = (String, Vec<(String, String)>);

/// Reads a message head; `None` at a clean end of the stream.
fn read_head(reader: &mut impl io::BufRead) -> io::Result<Option<Head>> {
    let mut start = String::new();
    if reader.read_line(&mut start)? == 0 {
        return Ok(None);
    }
    let start = start.trim_end().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    Ok(Some((start, headers)))
}

/// Reads a chunked body with its framing (and trailers), as received.
fn read_chunked(reader: &mut impl io::BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        if reader.read_line(&mut size_line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(size_line.as_bytes());
        let size_text = size_line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                body.extend_from_slice(line.as_bytes());
                if line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        body.extend_from_slice(&chunk);
    }
}

/// Reads one request from the client; `None` when the client closed the connection.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> io::Result<Option<Message>> {
    let Some((start, headers)) = read_head(reader)? else {
        return Ok(None);
    };
    let mut message = Message {
        start,
        headers,
        body: Vec::new(),
    };
    if message
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    if message.chunked() {
        message.body = read_chunked(reader)?;
    } else if let Some(length) = message.header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        message.body = body;
    }
    Ok(Some(message))
}

/// Sends `request` upstream on a connection of its own and reads the whole answer.
fn forward(request: &Message, upstream_port: u16) -> io::Result<Message> {
    let mut upstream = TcpStream::connect((Ipv4Addr::LOCALHOST, upstream_port))?;
    upstream.set_read_timeout(Some(Duration::from_secs(120)))?;
    upstream.write_all(&request.to_bytes("close"))?;
    let mut reader = BufReader::new(upstream);
    let (start, headers) = read_head(&mut reader)?.ok_or(io::ErrorKind::UnexpectedEof)?;
    let mut response = Message {
        start,
        headers,
        body: Vec::new(),
    };
    // The upstream connection is ours alone: the answer ends where the stream does.
    reader.read_to_end(&mut response.body)?;
    // Answered as HTTP/1.1 with a length, so the client can keep its connection.
    if let Some(rest) = response.start.strip_prefix("HTTP/1.0") {
        response.start = format!("HTTP/1.1{rest}");
    }
    let head_request = request.start.starts_with("HEAD ");
    let status: u16 = response
        .start
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let bodiless = head_request || status == 204 || status == 304 || status < 200;
    if !bodiless && !response.chunked() && response.header("content-length").is_none() {
        response
            .headers
            .push(("Content-Length".to_owned(), response.body.len().to_string()));
    }
    if let Some(length) = response.header("content-length") {
        if !head_request {
            let length: usize = length.parse().unwrap_or(response.body.len());
            response.body.truncate(length);
        }
    }
    Ok(response)
}

/// The AWS service a request is signed for (`s3`, `sts`, `organizations`, ...).
fn service(request: &Message) -> String {
    request
        .header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').nth(3))
        .unwrap_or_default()
        .to_owned()
}

/// The operation a request calls: the part of `X-Amz-Target` after the dot (JSON
/// protocols), or the query protocol's `Action`; empty for S3.
fn operation(request: &Message) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or_default().to_owned();
    }
    String::from_utf8_lossy(&request.body)
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or_default()
        .to_owned()
}

/// The answer AWS gives for `fate`, in the request's protocol.
fn fault_answer(request: &Message, fate: Fate) -> Vec<u8> {
    let (status, reason, code, message) = match fate {
        Fate::Throttle if service(request) == "s3" => (
            503,
            "Slow Down",
            "SlowDown",
            "Please reduce your request rate.",
        ),
        Fate::Throttle => (400, "Bad Request", "Throttling", "Rate exceeded"),
        Fate::ServerError { unavailable: true } => (
            503,
            "Service Unavailable",
            "ServiceUnavailable",
            "Service is unavailable, try again later.",
        ),
        Fate::ServerError { unavailable: false } => (
            500,
            "Internal Server Error",
            if service(request) == "s3" {
                "InternalError"
            } else {
                "InternalFailure"
            },
            "We encountered an internal error. Please try again.",
        ),
        Fate::Forward | Fate::DropBefore | Fate::DropAfter => {
            (500, "Internal Server Error", "InternalFailure", "")
        }
    };
    let request_id = "0a1b2c3d-fault-injected";
    let (content_type, body) = if request.header("x-amz-target").is_some() {
        // JSON protocols: the code in `__type`; throttling is `ThrottlingException`.
        let code = if code == "Throttling" {
            "ThrottlingException"
        } else {
            code
        };
        (
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        )
    } else if service(request) == "s3" {
        (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
            ),
        )
    } else {
        // The query protocol (STS).
        let kind = if status >= 500 { "Receiver" } else { "Sender" };
        (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            ),
        )
    };
    // An answer to HEAD has no body, whatever it says.
    let body = if request.start.starts_with("HEAD ") {
        String::new()
    } else {
        body
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: {request_id}\r\nx-amz-request-id: {request_id}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves one client connection, request after request.
fn serve(client: TcpStream, upstream_port: u16, dice: &Mutex<Dice>) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(300)))?;
    let mut writer = client.try_clone()?;
    let mut reader = BufReader::new(client);
    while let Some(request) = read_request(&mut reader, &mut writer)? {
        let fate = dice
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .decide(&operation(&request));
        match fate {
            Fate::DropBefore => {
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            Fate::DropAfter => {
                let _ = forward(&request, upstream_port);
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            Fate::Throttle | Fate::ServerError { .. } => {
                writer.write_all(&fault_answer(&request, fate))?;
            }
            Fate::Forward => match forward(&request, upstream_port) {
                Ok(response) => writer.write_all(&response.to_bytes("keep-alive"))?,
                Err(_) => {
                    let _ = writer.shutdown(Shutdown::Both);
                    return Ok(());
                }
            },
        }
        if request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_decide_the_share_of_faults() {
        let mut dice = Dice {
            state: 7,
            rates: FaultRates::even(0.2),
            counts: FaultCounts::default(),
            lose_next: Vec::new(),
        };
        for _ in 0..100_000 {
            dice.roll();
        }
        let c = dice.counts;
        assert_eq!(c.requests, 100_000);
        assert_eq!(c.forwarded + c.faults(), c.requests);
        for kind in [
            c.throttled,
            c.server_errors,
            c.dropped_before,
            c.dropped_after,
        ] {
            assert!((4_500..5_500).contains(&kind), "{c:?}");
        }
    }

    #[test]
    fn throttling_takes_each_protocols_shape() {
        let request = |headers: &[(&str, &str)]| Message {
            start: "POST / HTTP/1.1".to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
        };
        let text =
            |m: &Message| String::from_utf8_lossy(&fault_answer(m, Fate::Throttle)).into_owned();
        let auth = |service: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
            )
        };
        let json = text(&request(&[
            ("X-Amz-Target", "AWSOrganizationsV20161128.CreatePolicy"),
            ("Authorization", &auth("organizations")),
        ]));
        assert!(json.starts_with("HTTP/1.1 400"), "{json}");
        assert!(json.contains(r#""__type":"ThrottlingException""#), "{json}");
        let query = text(&request(&[("Authorization", &auth("sts"))]));
        assert!(query.contains("<Code>Throttling</Code>"), "{query}");
        let s3 = text(&request(&[("Authorization", &auth("s3"))]));
        assert!(s3.starts_with("HTTP/1.1 503"), "{s3}");
        assert!(s3.contains("<Code>SlowDown</Code>"), "{s3}");
    }
}
