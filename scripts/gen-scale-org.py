#!/usr/bin/env python3
"""Writes a generated organization spec for scale measurements.

    scripts/gen-scale-org.py DIR [--accounts 2000] [--units 200] [--scps 500]

OUs form a tree five levels deep at most; accounts are spread over the OUs; each SCP is a
small deny policy attached to one OU or account (at most a few per target, within the
quota), and FullAWSAccess stays everywhere.
"""

import argparse
import json
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--scps", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.dir, "policies"), exist_ok=True)
    out = []
    out.append('organization "scale" {\n  management_account_id = "100000000000"\n  home_region = "us-east-1"\n}\n')
    depth = {}
    units = []
    for i in range(args.units):
        parents = [u for u in units if depth[u] < 5]
        if i < 10 or not parents:
            parent, d = "root", 1
        else:
            p = rng.choice(parents)
            parent, d = f"unit.{p}", depth[p] + 1
        key = f"u{i:03d}"
        depth[key] = d
        units.append(key)
        out.append(f'unit "{key}" {{\n  name = "Unit {i:03d}"\n  parent = {parent}\n}}\n')
    out.append('account "management" {\n  name = "Management"\n  email = "mgmt@scale.example"\n  id = "100000000000"\n}\n')
    accounts = []
    for i in range(args.accounts):
        key = f"a{i:04d}"
        accounts.append(key)
        unit = rng.choice(units)
        out.append(
            f'account "{key}" {{\n  name = "Account {i:04d}"\n  email = "aws+{i:04d}@scale.example"\n'
            f'  unit = unit.{unit}\n  tags = {{ team = "t{i % 37}", cost_center = "cc{i % 11}" }}\n}}\n'
        )
    out.append('policy "full" {\n  type = "scp"\n  aws_managed = true\n  attach = [everywhere]\n}\n')
    patterns = [
        "ec2:Delete*", "ec2:Modify*", "ec2:Stop*", "ec2:Create*", "s3:Delete*", "s3:Put*",
        "rds:Delete*", "rds:Modify*", "rds:Stop*", "lambda:Delete*", "lambda:Update*",
        "dynamodb:Delete*", "dynamodb:Update*", "sqs:Delete*", "sqs:Create*", "sns:Delete*",
        "kms:ScheduleKeyDeletion", "kms:Disable*", "iam:Delete*", "iam:Create*", "iam:Put*",
        "cloudtrail:Delete*", "cloudtrail:Stop*", "cloudtrail:Update*",
    ]
    load = {}
    targets = [f"unit.{u}" for u in units] + [f"account.{a}" for a in accounts]
    for i in range(args.scps):
        actions = sorted({rng.choice(patterns) for _ in range(rng.randint(2, 8))})
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": f"Deny{i}",
                    "Effect": "Deny",
                    "Action": actions,
                    "Resource": "*",
                    "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}},
                }
            ],
        }
        with open(os.path.join(args.dir, "policies", f"p{i:03d}.json"), "w") as f:
            json.dump(doc, f, indent=2)
        while True:
            t = rng.choice(targets)
            if load.get(t, 0) < 4:
                load[t] = load.get(t, 0) + 1
                break
        out.append(
            f'policy "p{i:03d}" {{\n  type = "scp"\n  name = "Guardrail{i:03d}"\n  file = "policies/p{i:03d}.json"\n'
            f'  description = "generated guardrail {i}"\n  attach = [{t}]\n}}\n'
        )
    out.append('bootstrap {\n  bucket_prefix = "scale"\n  lock_table = "scale-locks"\n}\n')
    with open(os.path.join(args.dir, "org.hcl"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
