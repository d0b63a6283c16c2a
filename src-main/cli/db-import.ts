/**
 * Imports the service's earlier SQLite database into a profile's store:
 *   npm run db:import -- FILE --profile DIR
 * Exit status: 0 imported (rejected rows are reported, not a failure), 1 failed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { openAgentTalkStore } from '../db';
import { importLegacyData, readLegacyDatabase, type ImportReport } from '../db/import';

const USAGE = 'usage: npm run db:import -- FILE --profile DIR';

function formatReport(report: ImportReport, storePath: string): string {
  const lines = [`Imported ${report.file} into ${storePath}`, ''];
  const row = (cells: (string | number)[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(14) : String(c).padStart(10))).join('');
  lines.push(row(['table', 'imported', 'skipped', 'rejected']));
  for (const [table, counts] of Object.entries(report.tables)) {
    lines.push(row([table, counts.imported, counts.skipped, counts.rejected]));
  }
  if (report.merged.length > 0) {
    lines.push('', `Accounts merged into the account with the same email (${report.merged.length}):`);
    lines.push(...report.merged.map((m) => `  users ${m.from} (${m.email}): its rows are now account ${m.into}'s`));
  }
  if (report.rejected.length > 0) {
    lines.push('', `Rejected rows (${report.rejected.length}):`);
    lines.push(...report.rejected.map((r) => `  ${r.table} ${r.id}: ${r.reason}`));
  }
  if (report.notes.length > 0) {
    lines.push('', `Imported with a change (${report.notes.length}):`);
    lines.push(...report.notes.map((n) => `  ${n.table} ${n.id}: ${n.note}`));
  }
  return lines.join('\n');
}

function parse(args: string[]): { file: string; profile: string } {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { profile: { type: 'string' } } });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new Error('give exactly one FILE');
  if (!values.profile) throw new Error('--profile DIR is required');
  return { file, profile: values.profile };
}

async function main(args: string[]): Promise<number> {
  let options: { file: string; profile: string };
  try {
    options = parse(args);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    // Read the file first: a file that cannot be imported leaves the profile untouched, not even created.
    const data = await readLegacyDatabase(options.file);
    const store = await openAgentTalkStore({ profileDir: options.profile });
    try {
      console.log(formatReport(await importLegacyData(store, options.file, data), store.path));
    } finally {
      await store.close();
    }
    return 0;
  } catch (error) {
    console.error(`db:import failed: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
