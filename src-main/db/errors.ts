/** Every failure the store reports is a StoreError with a code a caller can switch on. */
export type StoreErrorCode =
  | 'UNIQUE_VIOLATION'
  | 'NOT_NULL_VIOLATION'
  | 'CHECK_VIOLATION'
  | 'FOREIGN_KEY_VIOLATION'
  | 'NOT_FOUND'
  | 'INVALID_TYPE'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'VALUE_TOO_LONG'
  | 'INVALID_QUERY'
  | 'SCHEMA_ERROR'
  | 'MIGRATION_ERROR'
  // The commit failed (nothing of the batch was written); trying again may succeed.
  | 'COMMIT_FAILED'
  // No room left on the disk; writes are refused until space returns.
  | 'DISK_FULL'
  // A write asked of a store being closed: nothing was written.
  | 'STORE_CLOSED'
  // The store file is damaged (`details.reason`), or gone while the profile still has audio or backups of it.
  | 'STORE_DAMAGED'
  | 'STORE_MISSING'
  // Another process has the profile open (`details.pid`).
  | 'STORE_IN_USE';

const RETRYABLE: ReadonlySet<StoreErrorCode> = new Set(['COMMIT_FAILED', 'DISK_FULL']);

export interface StoreErrorDetails {
  table?: string;
  column?: string;
  columns?: readonly string[];
  /** The kind of the offending value (`string`, `number`, `null`, ...), never the value itself. */
  valueKind?: string;
  constraint?: string;
  [key: string]: unknown;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: StoreErrorDetails = {},
  ) {
    super(message);
  }

  /** True when the write changed nothing for a reason outside the caller's data: the same write may succeed later. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}
