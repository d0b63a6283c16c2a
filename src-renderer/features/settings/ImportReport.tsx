import type { ResultOf } from '../../../src-shared/contract';
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
      <RowList title="Imported with a value adjusted" rows={report.notes.map(({ table, id, note }) => ({ table, id, text: note }))} />
    </div>
  );
}
