#!/usr/bin/env python3
"""Differential-testing oracle: evaluates orgctl batch requests (JSON Lines) with
principalmapper's local policy simulation (PyPI package principalmapper, installed
into oracles/.venv by scripts/setup-oracles; never vendored).

Usage:
    oracles/.venv/bin/python oracles/pmapper-batch.py [--policies DIR] [--infer-context] [FILE]

Input: one request per line (see oracles/README.md); FILE or stdin.
Output: one line per non-blank input line, in input order:
    {"id": ..., "decision": "Allow"|"ExplicitDeny"|"ImplicitDeny"}
    {"id": ..., "error": "..."}

The decision comes from
principalmapper.querying.query_interface.local_check_authorization_full. That
function only answers allowed True/False; a False is reported as ExplicitDeny when
one of the Deny checks it performs first (identity, SCP, resource policy, session
policy, permissions boundary) matches, using the same helper functions, and as
ImplicitDeny otherwise.

By default pmapper's condition-key inference (aws:SecureTransport=true,
aws:CurrentTime, aws:EpochTime, aws:userid, aws:username, aws:PrincipalAccount,
aws:PrincipalArn added when absent) is switched off so that both oracles see the
same request context; --infer-context restores pmapper's behaviour.
"""

import collections
import collections.abc

# principalmapper 1.1.5 imports collections.Mapping etc., removed in Python 3.10.
for _name in ('Mapping', 'MutableMapping', 'Sequence', 'MutableSequence', 'Iterable',
              'Callable', 'Set', 'MutableSet'):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying import query_interface as qi  # noqa: E402
from principalmapper.querying.local_policy_simulation import (  # noqa: E402
    policy_has_matching_statement,
    resource_policy_matching_statements,
)
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402

PRINCIPAL_RE = re.compile(r'^arn:[^:]+:iam::(\d{12}):(user|role)/.+')
EMPTY_RESOURCE_POLICY = {'Version': '2012-10-17', 'Statement': []}


class LineError(Exception):
    pass


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--policies', metavar='DIR', help='directory of NAME.json policy documents')
    ap.add_argument('--infer-context', action='store_true',
                    help="keep pmapper's inference of global condition keys")
    ap.add_argument('file', nargs='?', default='-', help='input JSONL (default: stdin)')
    return ap.parse_args()


OPTS = parse_args()

if not OPTS.infer_context:
    qi._infer_condition_keys = lambda principal, current_keys: CaseInsensitiveDict()

_named_policies = {}
_normalized_named = {}


def _stringify_condition_value(v):
    # AWS accepts JSON booleans/numbers as condition values; pmapper expects strings.
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return [_stringify_condition_value(x) for x in v]
    return v


def _normalize_policy(doc):
    doc = copy.deepcopy(doc)
    stmts = doc.get('Statement')
    for st in stmts if isinstance(stmts, list) else [stmts]:
        if isinstance(st, dict) and isinstance(st.get('Condition'), dict):
            for op, block in st['Condition'].items():
                if isinstance(block, dict):
                    for key in list(block):
                        block[key] = _stringify_condition_value(block[key])
    return doc


def resolve_policy(p, where):
    if isinstance(p, str):
        # A named policy is read and normalized once, as a tool built on pmapper would.
        ready = _normalized_named.get(p)
        if ready is None:
            ready = _normalized_named[p] = _resolve_policy(p, where)
        return ready
    return _resolve_policy(p, where)


def _resolve_policy(p, where):
    if isinstance(p, str):
        if OPTS.policies is None:
            raise LineError(f'{where}: policy name "{p}" given but no --policies DIR')
        doc = _named_policies.get(p)
        if doc is None:
            path = os.path.join(OPTS.policies, p + '.json')
            try:
                with open(path, encoding='utf-8') as f:
                    doc = json.load(f)
            except OSError as e:
                raise LineError(f'{where}: cannot read policy "{p}" ({path}): {e.strerror}')
            except ValueError as e:
                raise LineError(f'{where}: policy file {path} is not JSON: {e}')
            _named_policies[p] = doc
        p = doc
    if not isinstance(p, dict):
        raise LineError(f'{where}: policy must be a JSON object or a policy name')
    if 'Statement' not in p:
        raise LineError(f'{where}: policy has no Statement')
    return _normalize_policy(p)


def policy_list(value, where):
    if value is None:
        return []
    if not isinstance(value, list):
        raise LineError(f'{where} must be an array')
    return [resolve_policy(p, f'{where}[{i}]') for i, p in enumerate(value)]


def context_value(v, key):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return v
    raise LineError(f'context key {key}: values must be strings, numbers, booleans or arrays of them')


def build_context(ctx):
    if ctx is None:
        return {}
    if not isinstance(ctx, dict):
        raise LineError('context must be an object')
    out = {}
    for k, v in ctx.items():
        if v is None:
            continue
        out[k] = [context_value(x, k) for x in v] if isinstance(v, list) else context_value(v, k)
    return out


def evaluate(req):
    if not isinstance(req, dict):
        raise LineError('request must be a JSON object')
    principal = req.get('principal')
    action = req.get('action')
    if not isinstance(principal, str) or not principal:
        raise LineError('missing principal')
    if not isinstance(action, str) or not action:
        raise LineError('missing action')
    m = PRINCIPAL_RE.match(principal)
    if not m:
        raise LineError('unsupported: principal must be an IAM user or role ARN for pmapper')
    principal_account = m.group(1)

    rcps = req.get('rcps')
    if rcps is not None:
        if not isinstance(rcps, list):
            raise LineError('rcps must be an array of levels')
        if any(level for level in rcps):
            raise LineError('unsupported: rcps')

    resource = req.get('resource')
    if resource is None:
        resource = '*'
    if not isinstance(resource, str):
        raise LineError('resource must be a string')
    resource_owner = req.get('resource_account')
    if resource_owner is None:
        resource_owner = principal_account
    if not isinstance(resource_owner, str):
        raise LineError('resource_account must be a string')

    identity = policy_list(req.get('identity_policies'), 'identity_policies')
    scps_raw = req.get('scps')
    scps = None
    if scps_raw is not None:
        if not isinstance(scps_raw, list):
            raise LineError('scps must be an array of levels')
        scps = [[Policy(f'arn:aws:organizations::{principal_account}:policy/scp-{i}-{j}', f'scp-{i}-{j}', doc)
                 for j, doc in enumerate(policy_list(level, f'scps[{i}]'))]
                for i, level in enumerate(scps_raw)]

    rp = req.get('resource_policy')
    resource_policy = None if rp is None else resolve_policy(rp, 'resource_policy')
    if resource_policy is None and resource_owner != principal_account:
        # No resource policy on a resource in another account: nothing can grant
        # cross-account access. pmapper only enforces that when given a policy.
        resource_policy = EMPTY_RESOURCE_POLICY
    pb = req.get('permissions_boundary')
    boundary = None if pb is None else Policy(f'arn:aws:iam::{principal_account}:policy/boundary',
                                              'boundary', resolve_policy(pb, 'permissions_boundary'))
    sp = req.get('session_policy')
    session = None if sp is None else resolve_policy(sp, 'session_policy')

    is_role = m.group(2) == 'role'
    node = Node(
        principal,
        'AROAORGCTLORACLE00000' if is_role else 'AIDAORGCTLORACLE00000',
        [Policy(principal, f'identity-{i}', doc) for i, doc in enumerate(identity)],
        [],
        {} if is_role else None,
        None,
        0,
        False,
        False,
        boundary,
        False,
        {},
    )
    context = build_context(req.get('context'))

    allowed = qi.local_check_authorization_full(
        node, action, resource, context, resource_policy, resource_owner, scps, session)
    if allowed:
        return 'Allow'

    # Same Deny checks, same order and helpers as local_check_authorization_full.
    keys = qi._prepare_condition_context(copy.deepcopy(context))
    keys.update(qi._infer_condition_keys(node, keys))

    def denies(policy):
        return policy_has_matching_statement(policy, 'Deny', action, resource, keys)

    if any(denies(p) for p in node.attached_policies):
        return 'ExplicitDeny'
    if scps is not None and not qi._check_if_service_linked_role(node):
        if any(denies(p) for level in scps for p in level):
            return 'ExplicitDeny'
    if resource_policy is not None:
        stmts = resource_policy_matching_statements(node, resource_policy, action, resource, keys)
        if any(s.get('Effect') == 'Deny' for s in stmts):
            return 'ExplicitDeny'
    if session is not None and denies(session):
        return 'ExplicitDeny'
    if boundary is not None and denies(boundary):
        return 'ExplicitDeny'
    return 'ImplicitDeny'


def process_line(line):
    try:
        req = json.loads(line)
    except ValueError as e:
        return {'id': None, 'error': f'invalid JSON: {e}'}
    rid = req.get('id') if isinstance(req, dict) else None
    try:
        return {'id': rid, 'decision': evaluate(req)}
    except LineError as e:
        return {'id': rid, 'error': str(e)}
    except Exception as e:  # pmapper raising on input it cannot handle
        return {'id': rid, 'error': f'pmapper raised {type(e).__name__}: {e}'}


def main():
    inp = sys.stdin if OPTS.file == '-' else open(OPTS.file, encoding='utf-8')
    out = sys.stdout
    out.reconfigure(encoding='utf-8')
    write = out.write
    with inp:
        for line in inp:
            if not line.strip():
                continue
            write(json.dumps(process_line(line), separators=(',', ':'), ensure_ascii=False) + '\n')
    out.flush()


if __name__ == '__main__':
    try:
        main()
    except BrokenPipeError:
        # Reader went away (e.g. `| head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
