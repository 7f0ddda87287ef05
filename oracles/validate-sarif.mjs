#!/usr/bin/env node
// Validates SARIF logs against the SARIF 2.1.0 JSON schema (the copy shipped in the npm package
// @microsoft/jest-sarif), with ajv. Usage: node oracles/validate-sarif.mjs FILE... (or - for stdin)
// Exit 0 when every log is valid; 1 with the schema errors otherwise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// The schema is written in draft-04; ajv reads it as draft-07, which differs only in how the
// schema names itself (`id` became `$id`).
delete schema.$schema;
schema.$id = schema.id;
delete schema.id;
// The schema's language-tag pattern is not valid with the `u` flag: compile patterns without it.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const log = JSON.parse(text);
  if (validate(log)) {
    console.log(`${file}: valid SARIF 2.1.0 (${log.runs?.[0]?.results?.length ?? 0} results)`);
  } else {
    failed = true;
    console.log(`${file}: INVALID`);
    for (const e of validate.errors) console.log(`  ${e.instancePath || '/'} ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
