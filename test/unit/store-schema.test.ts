// A database whose schema this version does not know (issue 14, item 4): written by a newer LLM Router, it is read
// and never written, with a message saying so; with a table or column missing, it is refused with a message that
// names the file, and the file is kept as it was.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { openStore } from '../../src/core/store';
import { SCHEMA_VERSION } from '../../src/core/store/migrations';
import { findWasm } from '../../src/core/store/wasm';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('decision store: a schema from the future, or a broken one', () => {
  const tmp = useTempStores('llmr-schema-');
  let SQL: SqlJsStatic;
  before(async () => {
    SQL = await initSqlJs({ wasmBinary: fs.readFileSync(findWasm()) as unknown as ArrayBuffer });
  });

  /** A database with one decision, then changed by `edit` as another program (or version) would. */
  async function databaseEditedBy(edit: string): Promise<void> {
    const s = await openStore({ path: tmp.file });
    s.insertDecision(makeRecord('first'));
    await s.close();
    const db = new SQL.Database(fs.readFileSync(tmp.file));
    db.exec(edit);
    fs.writeFileSync(tmp.file, db.export());
    db.close();
  }

  const NEWER = SCHEMA_VERSION + 1;
  const newerMessage = new RegExp(
    `was written by a newer LLM Router \\(schema ${NEWER}; this version knows schema ${SCHEMA_VERSION}\\)\\. It is opened read-only and nothing is saved in it`,
  );
  const notSaved = new RegExp(
    `not saved: the routing database .* was written by a newer LLM Router \\(schema ${NEWER}; this version knows schema ${SCHEMA_VERSION}\\) and this version never writes it`,
  );

  it('opens a newer schema read-only, says a newer LLM Router wrote it, and never writes it', async () => {
    await databaseEditedBy(`CREATE TABLE later_feature (id TEXT PRIMARY KEY); PRAGMA user_version = ${NEWER};`);
    const before = sha(tmp.file);
    const notices: string[] = [];
    const s = await openStore({ path: tmp.file, onNotice: (m) => notices.push(m), retention: { maxRows: 0 } });
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0], newerMessage);
    assert.ok(notices[0].includes(tmp.file), notices[0]);
    assert.ok(s.getDecision('first'), 'its rows can be read');
    assert.equal(s.stats().decisions, 1);
    s.insertDecision(makeRecord('not-saved'));
    await assert.rejects(s.flush(), notSaved);
    await assert.rejects(s.close(), notSaved);
    assert.equal(notices.length, 1, 'told once');
    assert.equal(sha(tmp.file), before, 'the file is byte for byte what the newer version wrote');
  });

  it('stops saving when a newer LLM Router upgrades the file while this one has it open', async () => {
    const s = await tmp.open({ onNotice: () => undefined });
    s.insertDecision(makeRecord('first'));
    await s.flush();
    const db = new SQL.Database(fs.readFileSync(tmp.file));
    db.exec(`CREATE TABLE later_feature (id TEXT PRIMARY KEY); PRAGMA user_version = ${NEWER};`);
    const tmpName = `${tmp.file}.other`;
    fs.writeFileSync(tmpName, db.export());
    db.close();
    fs.renameSync(tmpName, tmp.file); // as a save of the other version would
    const before = sha(tmp.file);
    s.insertDecision(makeRecord('second'));
    await assert.rejects(s.flush(), notSaved);
    await assert.rejects(s.close(), notSaved);
    assert.equal(sha(tmp.file), before);
  });

  it('refuses a schema with a column missing, with a message that names the file, and keeps the file', async () => {
    await databaseEditedBy('ALTER TABLE decisions DROP COLUMN ttft_ms;');
    const before = sha(tmp.file);
    const notices: string[] = [];
    await assert.rejects(openStore({ path: tmp.file, onNotice: (m) => notices.push(m) }), (e: Error) => {
      assert.ok(
        e.message.startsWith(
          `cannot use ${tmp.file}: its schema is broken (the table decisions has no column ttft_ms)`,
        ),
        e.message,
      );
      assert.match(e.message, /the file was left as it is/);
      return true;
    });
    assert.deepEqual(notices, []);
    assert.equal(sha(tmp.file), before, 'the file is kept as it was');
    assert.deepEqual(fs.readdirSync(tmp.dir), ['router.sqlite'], 'nothing set aside, no new file');
  });

  it('refuses a schema with a table missing, naming the table', async () => {
    await databaseEditedBy('DROP TABLE adjustments;');
    await assert.rejects(openStore({ path: tmp.file }), /its schema is broken \(there is no table adjustments\)/);
  });
});
