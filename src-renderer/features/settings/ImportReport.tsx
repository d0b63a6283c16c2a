import { IMPORT_NOTE_KINDS, type ImportNoteKind, type ResultOf } from '../../../src-shared/contract';
import { formatCount } from '../../format';

export type Report = ResultOf<'legacy.import'>;

const TABLE_NAMES: Record<string, string> = {
  users: 'Accounts',
  api_keys: 'API keys',
  memos: 'Memos',
  usage_logs: 'Usage log entries',
  subscriptions: 'Subscriptions',
};

const tableName = (table: string) => TABLE_NAMES[table] ?? table;

/** How many rows the list shows before "and N more". */
const SHOWN = 20;

/** Rows named one by one (rejected ones, or ones changed on the way), the first 20 of them. */
function RowList({ title, rows }: { title: string; rows: { table: string; id: string; text: string }[] }) {
  if (rows.length === 0) return null;
  return (
    <>
      <h5>{title}</h5>
      <ul className="import-rows">
        {rows.slice(0, SHOWN).map((row) => (
          <li key={`${row.table}/${row.id}`}>
            {tableName(row.table)} <code>{row.id}</code>: {row.text}
          </li>
        ))}
        {rows.length > SHOWN && <li>and {formatCount(rows.length - SHOWN)} more</li>}
      </ul>
    </>
  );
}

/** Each change an import makes on the way, in the user's words, for `count` rows. */
const NOTE_SENTENCES: Record<ImportNoteKind, (count: number) => string> = {
  'no-duration': (n) => `${formatCount(n)} ${n === 1 ? 'memo' : 'memos'} had no length recorded; it is measured when the memo first plays.`,
  'unreadable-metadata': (n) =>
    `${formatCount(n)} usage ${n === 1 ? 'entry' : 'entries'} had details that could not be read; ${n === 1 ? 'it is' : 'they are'} kept as written.`,
};

/** What was changed on the way: a sentence per kind of change; the rows and the technical notes behind a disclosure. */
function Notes({ notes }: { notes: Report['notes'] }) {
  if (notes.length === 0) return null;
  const counts = IMPORT_NOTE_KINDS.map((kind) => [kind, notes.filter((n) => n.kind === kind).length] as const).filter(([, n]) => n > 0);
  return (
    <>
      <h5>Imported with a value adjusted</h5>
      <ul className="import-notes">
        {counts.map(([kind, n]) => (
          <li key={kind}>{NOTE_SENTENCES[kind](n)}</li>
        ))}
      </ul>
      <details>
        <summary>Technical details</summary>
        <RowList title="Rows adjusted" rows={notes.map(({ table, id, note }) => ({ table, id, text: note }))} />
      </details>
    </>
  );
}

/** What an import did, table by table; tables with nothing in them are left out. */
export function ImportReport({ report }: { report: Report }) {
  const tables = Object.entries(report.tables).filter(([, c]) => c.imported + c.skipped + c.rejected > 0);
  return (
    <div className="import-report">
      <h4>Imported from {report.file}</h4>
      <p>
        The rows of the account <strong>{report.account}</strong> are now this profile’s.
        {report.otherAccounts > 0 &&
          ` ${formatCount(report.otherAccounts)} ${report.otherAccounts === 1 ? 'row' : 'rows'} of other accounts in the file ${report.otherAccounts === 1 ? 'was' : 'were'} left out.`}
      </p>
      {tables.length === 0 ? (
        <p>The file had nothing for this account.</p>
      ) : (
        <table className="import-counts">
          <caption className="visually-hidden">Rows by kind</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Imported</th>
              <th scope="col">Already here</th>
              <th scope="col">Rejected</th>
            </tr>
          </thead>
          <tbody>
            {tables.map(([table, counts]) => (
              <tr key={table}>
                <th scope="row">{tableName(table)}</th>
                <td>{formatCount(counts.imported)}</td>
                <td>{formatCount(counts.skipped)}</td>
                <td>{formatCount(counts.rejected)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RowList title="Rejected rows" rows={report.rejected.map(({ table, id, reason }) => ({ table, id, text: reason }))} />
      <Notes notes={report.notes} />
    </div>
  );
}
