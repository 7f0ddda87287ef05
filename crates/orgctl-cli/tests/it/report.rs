//! `orgctl report` on DocuStack after `orgctl apply`: the page is rendered in headless
//! Chromium (Debian's `chromium`, which `scripts/setup-oracles` installs), its screenshot
//! must be a PNG of the window's size showing the chart's and the heat map's colours, and
//! the DOM Chromium built must hold the account and OU boxes, the heat-map cells, each OU's
//! SCPs, the test results, the bootstrap status and the cost line.
//!
//! Chromium only opens the `file://` page: every network feature it has is switched off and
//! every host name resolves to nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use orgctl_testkit::oracles_skipped;

use crate::common::{docustack, docustack_copy, orgctl};

/// The browser window, and so the screenshot.
const WIDTH: u32 = 1400;
const HEIGHT: u32 = 6000;

/// DocuStack with its guardrail tests and properties, applied to the sandbox.
fn applied_docustack() -> tempfile::TempDir {
    let dir = docustack_copy();
    std::fs::create_dir_all(dir.path().join("tests")).unwrap();
    for file in ["properties.hcl", "tests/guardrails.hcl"] {
        std::fs::copy(docustack().join(file), dir.path().join(file)).unwrap();
    }
    let out = orgctl(dir.path(), &["apply", "."], None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    dir
}

/// The Chromium executable: `$CHROMIUM`, else `chromium` on the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with `args`, stdout into `stdout`; fails the test when
/// it does not finish in two minutes or exits with an error.
fn run_chromium(exe: &Path, profile: &Path, args: &[String], page: &Path, stdout: &Path) {
    let log = profile.with_extension("log");
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--disable-domain-reliability",
            "--disable-breakpad",
            "--no-pings",
            "--metrics-recording-only",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .env("HOME", profile)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout).unwrap())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish in 120 s: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "chromium failed ({status}): {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

/// A decoded PNG: width, height and RGB pixels.
struct Image {
    width: u32,
    height: u32,
    rgb: Vec<[u8; 3]>,
}

/// Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes).
fn decode_png(bytes: &[u8]) -> Image {
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG signature"
    );
    let be32 = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    let mut at = 8;
    let mut header = None;
    let mut data = Vec::new();
    while at + 8 <= bytes.len() {
        let len = be32(&bytes[at..at + 4]) as usize;
        let kind = &bytes[at + 4..at + 8];
        let body = &bytes[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                header = Some((
                    be32(&body[0..4]),
                    be32(&body[4..8]),
                    body[8],
                    body[9],
                    body[12],
                ))
            }
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let (width, height, depth, colour, interlace) = header.expect("an IHDR chunk");
    assert_eq!((depth, interlace), (8, 0), "8-bit, not interlaced");
    let channels = match colour {
        2 => 3,
        6 => 4,
        other => panic!("colour type {other}"),
    };
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(data.as_slice())
        .read_to_end(&mut raw)
        .expect("the image data inflates");
    let stride = width as usize * channels;
    assert_eq!(raw.len(), (stride + 1) * height as usize, "image data size");
    let mut rgb = Vec::with_capacity(width as usize * height as usize);
    let mut previous = vec![0u8; stride];
    let mut line = vec![0u8; stride];
    for row in raw.chunks(stride + 1) {
        let filter = row[0];
        for x in 0..stride {
            let a = if x >= channels { line[x - channels] } else { 0 };
            let b = previous[x];
            let c = if x >= channels {
                previous[x - channels]
            } else {
                0
            };
            let predictor = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                other => panic!("filter type {other}"),
            };
            line[x] = row[x + 1].wrapping_add(predictor);
        }
        rgb.extend(line.chunks(channels).map(|p| [p[0], p[1], p[2]]));
        std::mem::swap(&mut previous, &mut line);
    }
    Image { width, height, rgb }
}

/// The page's colours, as the stylesheet gives them.
const MANAGEMENT_FILL: [u8; 3] = [0xff, 0xf7, 0xe3];
const OU_FILL: [u8; 3] = [0xe8, 0xf0, 0xf9];
const ALL_ALLOWED: [u8; 3] = [0x24, 0x54, 0x8c];
const NONE_ALLOWED: [u8; 3] = [0xa6, 0x46, 0x1a];

/// The text of an element's opening tag through the next `until` (or the end).
fn segment<'a>(dom: &'a str, start: &str, until: &str) -> &'a str {
    let at = dom
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` is in the DOM"));
    let rest = &dom[at..];
    let end = rest[start.len()..]
        .find(until)
        .map_or(rest.len(), |i| i + start.len());
    &rest[..end]
}

/// The integer value of `name="..."` in `tag`.
fn attribute(tag: &str, name: &str) -> usize {
    let key = format!("{name}=\"");
    let at = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn report_renders_in_chromium() {
    let dir = applied_docustack();
    let page = dir.path().join("report.html");
    let out = orgctl(
        dir.path(),
        &["report", ".", "--out", page.to_str().unwrap()],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("Wrote "), "{}", out.stdout);
    assert!(
        out.stdout.contains("7 accounts in 3 OUs")
            && out.stdout.contains("22 tests passed, 0 failed"),
        "{}",
        out.stdout
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // Nothing for a browser to fetch.
    for needle in ["http://", "https://", "<script", "<link", "<img", "@import"] {
        assert!(!html.contains(needle), "the page holds `{needle}`");
    }
    assert_eq!(html.matches("url(").count(), html.matches("url(#").count());

    let Some(exe) = chromium() else {
        if oracles_skipped() {
            eprintln!("note: skipped: chromium is not installed (ORGCTL_SKIP_ORACLES=1)");
            return;
        }
        panic!(
            "chromium is not installed: run scripts/setup-oracles (it installs Debian's chromium package), or set CHROMIUM to a Chromium executable"
        );
    };
    let work = tempfile::tempdir().unwrap();

    // The screenshot: a PNG of the window's size, with the chart's and heat map's colours.
    let shot = work.path().join("report.png");
    run_chromium(
        &exe,
        &work.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size={WIDTH},{HEIGHT}"),
        ],
        &page,
        &work.path().join("shot.out"),
    );
    let image = decode_png(&std::fs::read(&shot).expect("chromium wrote the screenshot"));
    assert_eq!((image.width, image.height), (WIDTH, HEIGHT));
    let pixels = |colour: [u8; 3]| image.rgb.iter().filter(|p| **p == colour).count();
    let white = pixels([0xff, 0xff, 0xff]);
    assert!(
        white < image.rgb.len() * 95 / 100,
        "the page is nearly blank"
    );
    let mut colours: Vec<[u8; 3]> = image.rgb.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 100, "{} colours", colours.len());
    for (what, colour) in [
        ("the management account's box", MANAGEMENT_FILL),
        ("the OU boxes", OU_FILL),
        ("heat-map cells of wholly allowed services", ALL_ALLOWED),
        ("heat-map cells of wholly denied services", NONE_ALLOWED),
    ] {
        assert!(pixels(colour) > 1000, "{what} are not drawn");
    }

    // The DOM Chromium built from the page.
    let dump = work.path().join("dom.html");
    run_chromium(
        &exe,
        &work.path().join("profile-dom"),
        &["--dump-dom".to_owned()],
        &page,
        &dump,
    );
    let dom = std::fs::read_to_string(&dump).unwrap();
    assert!(dom.contains("<svg class=\"org-chart\""), "{dom}");
    assert_eq!(dom.matches("<g class=\"account\"").count(), 7);
    assert_eq!(dom.matches("<g class=\"ou\"").count(), 3);
    assert_eq!(dom.matches("data-management=\"true\"").count(), 1);

    // Each OU names its SCPs, in its data and in its box's text.
    for (ou, scps) in [
        ("security", &["FullAWSAccess", "ProtectLogArchive"][..]),
        ("sandbox", &["FullAWSAccess"][..]),
        (
            "workloads",
            &["FullAWSAccess", "RequireS3Encryption", "DenyPublicS3"][..],
        ),
    ] {
        let tag = segment(&dom, &format!("<g class=\"ou\" data-ou=\"{ou}\""), ">");
        assert!(
            tag.contains(&format!("data-scps=\"{}\"", scps.join(","))),
            "{tag}"
        );
        let own = segment(
            &dom,
            &format!("<g class=\"ou\" data-ou=\"{ou}\""),
            "<g class=\"account\"",
        );
        for scp in scps {
            assert!(
                own.contains(scp),
                "the {ou} OU's box does not show {scp}: {own}"
            );
        }
    }
    let root = segment(&dom, "<g class=\"organization\"", ">");
    assert!(
        root.contains("data-scps=\"FullAWSAccess,RegionDeny,ProtectCloudTrail\""),
        "{root}"
    );

    // The heat maps: one per region, every cell there.
    let figures: Vec<&str> = dom
        .match_indices("<figure class=\"heatmap\"")
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap()])
        .collect();
    assert_eq!(figures.len(), 2, "{figures:?}");
    assert!(figures[0].contains("data-region=\"us-east-1\""));
    assert!(figures[1].contains("data-region=\"us-west-2\""));
    let mut expected = 0;
    for f in &figures {
        assert_eq!(attribute(f, "data-accounts"), 7);
        let services = attribute(f, "data-services");
        assert!(services > 2 && services <= 36, "{f}");
        expected += 7 * services;
    }
    assert_eq!(dom.matches("<td class=\"heat-cell ").count(), expected);
    // CloudTrail is cut in every member account, in both regions.
    assert_eq!(
        dom.matches("data-service=\"cloudtrail\" data-allowed=")
            .count(),
        14
    );

    // Guardrails, findings, tests, bootstrap, cost.
    assert_eq!(dom.matches("<article class=\"guardrails\"").count(), 7);
    assert!(dom.contains("RegionDeny statement DenyAllOutsideUsEast1 (SCP at Root) denies every request (aws:RequestedRegion is us-west-2)"));
    assert_eq!(dom.matches("<tr class=\"property holds\"").count(), 5);
    assert!(dom.contains("data-issue=\"STALE_ENCRYPTION_HEADER_CHECK\""));
    assert!(dom.contains(">22 passed, 0 failed</p>"), "test count");
    assert_eq!(dom.matches("<tr class=\"test-row pass\"").count(), 22);
    assert!(
        dom.contains(">7 of 7 accounts bootstrapped, as the sandbox backend reports them.</p>")
    );
    assert_eq!(dom.matches("<tr class=\"bootstrap-row ok\"").count(), 7);
    assert!(dom.contains(
        "<p class=\"cost-line\">State bootstrap: 7 accounts x $0.50 (bucket $0.25 + lock table $0.25) = ~$3.50 a month, estimated</p>"
    ));
}

#[test]
fn report_before_apply_says_not_applied_and_leaves_no_sandbox() {
    let dir = docustack_copy();
    let page = dir.path().join("report.html");
    let out = orgctl(
        dir.path(),
        &["report", ".", "--out", page.to_str().unwrap()],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("no guardrail tests"), "{}", out.stdout);
    assert!(
        !dir.path().join(".orgctl").exists(),
        "report leaves no trace"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("class=\"bootstrap-summary not-applied\""));
    assert!(html.contains("Not applied"));
}

#[test]
fn report_needs_out_and_its_help_has_examples() {
    let out = orgctl(&docustack(), &["report", "."], None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--out <FILE>"), "{}", out.stderr);
    let help = orgctl(&docustack(), &["report", "--help"], None);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(
        help.stdout
            .contains("Examples:\n  orgctl report examples/docustack --out report.html"),
        "{}",
        help.stdout
    );
}
