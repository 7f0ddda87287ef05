#!/usr/bin/env python3
"""Replicates the CloudTrail sample of tests/fixtures/cloudtrail into a directory of CloudTrail
log files ("Records" documents) of at least the given size, for `scripts/bench-replay`.

Each replica holds every record of the sample once, with its eventID and eventTime changed
(the first eight hex digits of the id are the replica number, and the date moves one day per
replica), so that no two records are the same. Records are rewritten as text, so their bytes
are otherwise those of the sample.

  scripts/gen-replay-logs.py OUT_DIR [--mb 1024] [--gzip]
"""
import argparse
import datetime
import gzip
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SAMPLE = os.path.join(ROOT, "tests", "fixtures", "cloudtrail", "invictus-ir_aws_dataset")


def sample_records():
    """The text of every file's Records array, without the brackets, in file order, and
    how many records that is."""
    parts = []
    count = 0
    for name in sorted(os.listdir(SAMPLE)):
        path = os.path.join(SAMPLE, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            text = f.read().strip()
        head = '{"Records":['
        if not text.startswith(head) or not text.endswith("]}"):
            sys.exit(f"{path}: not a compact Records document")
        count += len(json.loads(text)["Records"])
        inner = text[len(head):-2]
        if inner:
            parts.append(inner)
    return ",".join(parts), count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--gzip", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    records, per_replica = sample_records()
    event_id = re.compile(r'"eventID":"[0-9a-f]{8}')
    event_time = re.compile(r'"eventTime":"2023-07-10T')
    start = datetime.date(2023, 7, 10)
    target = args.mb * 1024 * 1024
    written = 0
    replica = 0
    while written < target:
        day = (start + datetime.timedelta(days=replica)).isoformat()
        text = event_id.sub(f'"eventID":"{replica:08x}', records)
        text = event_time.sub(f'"eventTime":"{day}T', text)
        doc = ('{"Records":[' + text + "]}").encode()
        name = f"123837392027_CloudTrail_us-east-1_{day.replace('-', '')}_{replica:05d}.json"
        if args.gzip:
            with gzip.open(os.path.join(args.out, name + ".gz"), "wb", compresslevel=6) as f:
                f.write(doc)
        else:
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(doc)
        written += len(doc)
        replica += 1
    events = replica * per_replica
    print(f"{replica} files, {written / 1e6:.0f} MB, {events} events in {args.out}")


if __name__ == "__main__":
    main()
