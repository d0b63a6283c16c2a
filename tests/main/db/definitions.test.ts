/** Table definitions are checked whole when the store opens: a mistake is named before anything is written. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../src-main/db';
import type { ColumnDef, TableDef } from '../../../src-shared/schema';
import { failure, openTempStore, tempDir } from './helpers';

const parent: TableDef = {
  name: 'parents',
  primaryKey: 'id',
  columns: { id: { type: 'text', notNull: true, generate: 'uuid' }, name: { type: 'text' } },
};

function child(overrides: { column?: Partial<ColumnDef>; onDelete?: string; direction?: string } = {}): TableDef {
  return {
    name: 'children',
    primaryKey: 'id',
    columns: {
      id: { type: 'text', notNull: true, generate: 'uuid' },
      parent_id: { type: 'text', notNull: true },
      kind: { type: 'text', ...overrides.column } as ColumnDef,
    },
    foreignKeys: [{ column: 'parent_id', references: 'parents', onDelete: (overrides.onDelete ?? 'cascade') as 'cascade' }],
    indexes: [{ name: 'idx_children_parent', columns: [{ column: 'parent_id', order: (overrides.direction ?? 'asc') as 'asc' }] }],
  };
}

/** Opening with these tables fails with a SCHEMA_ERROR, and leaves no store file behind. */
async function refused(tables: TableDef[]) {
  const dir = tempDir();
  const error = await failure(openStore({ path: join(dir, 'store.mdb'), tables }));
  expect(existsSync(join(dir, 'store.mdb'))).toBe(false);
  expect(error).toMatchObject({ code: 'SCHEMA_ERROR' });
  return error;
}

describe('definitions checked when the store opens', () => {
  it('refuses an unknown column type, naming the table and column', async () => {
    const error = await refused([parent, child({ column: { type: 'varchar' as never } })]);
    expect(error).toMatchObject({ details: { table: 'children', column: 'kind' } });
    expect(error.message).toContain('"varchar"');
  });

  it('refuses an unknown onDelete, rather than setting a NOT NULL column to null', async () => {
    for (const onDelete of ['no action', 'CASCADE']) {
      const error = await refused([parent, child({ onDelete })]);
      expect(error).toMatchObject({ details: { table: 'children', column: 'parent_id' } });
      expect(error.message).toContain(JSON.stringify(onDelete));
    }
  });

  it('refuses an index direction other than asc or desc', async () => {
    const error = await refused([parent, child({ direction: 'sideways' })]);
    expect(error).toMatchObject({ details: { table: 'children', column: 'parent_id', constraint: 'idx_children_parent' } });
    expect(error.message).toContain('sideways');
  });

  it('refuses an index whose withRows is not true or false', async () => {
    const holding = child();
    const index = { ...holding.indexes![0]!, withRows: 'yes' as never };
    const error = await refused([parent, { ...holding, indexes: [index] }]);
    expect(error).toMatchObject({ details: { table: 'children', constraint: 'idx_children_parent' } });
    expect(error.message).toContain('withRows');
  });

  it('refuses a default of the wrong type or outside the allowed values', async () => {
    const wrongType = await refused([parent, child({ column: { type: 'integer', default: 'none' } })]);
    expect(wrongType).toMatchObject({ details: { table: 'children', column: 'kind' } });
    const outside = await refused([parent, child({ column: { type: 'text', oneOf: ['a', 'b'], default: 'c' } })]);
    expect(outside).toMatchObject({ details: { table: 'children', column: 'kind' } });
    expect(outside.message).toContain('"c"');
    await refused([parent, child({ column: { type: 'text', oneOf: ['a', 2] } })]);
    await refused([parent, child({ column: { type: 'timestamp', default: 'yesterday' } })]);
    await refused([parent, child({ column: { type: 'integer', caseInsensitive: true } })]);
  });

  it('says a child table listed before its parent is in the wrong order, not that the parent is unknown', async () => {
    const error = await refused([child(), parent]);
    expect(error).toMatchObject({ details: { table: 'children', column: 'parent_id' } });
    expect(error.message).toContain('listed after');
    const unknown = await refused([child()]);
    expect(unknown.message).toContain('unknown table parents');
  });

  it('opens a valid definition and keeps what it accepted working', async () => {
    const store = await openTempStore([parent, child({ column: { type: 'text', oneOf: ['a', 'b'], default: 'a' } })]);
    const p = await store.insert('parents', { name: 'P' });
    expect((await store.insert('children', { parent_id: p.id })).kind).toBe('a');
  });
});

describe('change listeners', () => {
  it('a listener that throws fails neither the write that committed nor the listeners after it', async () => {
    const store = await openTempStore([parent]);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const heard: string[] = [];
    store.onChange(() => {
      throw new Error('listener broke');
    });
    store.onChange((entries) => heard.push(...entries.map((e) => e.op)));
    const row = await store.insert('parents', { name: 'kept' });
    expect(store.get('parents', row.id as string)).toMatchObject({ name: 'kept' });
    expect(heard).toEqual(['insert']);
    expect(quiet.mock.calls[0]?.[0]).toContain('change listener');
    expect(quiet.mock.calls[0]?.[1]).toMatchObject({ message: 'listener broke' });
    quiet.mockRestore();
  });
});
