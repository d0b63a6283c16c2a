/**
 * A look at an LMDB data file before LMDB maps it. LMDB trusts its meta pages: a truncated file, or a meta page
 * pointing past the end, makes the first read of a missing page a SIGBUS or SIGSEGV that no JavaScript can catch.
 * So the two meta pages are read with plain file reads first: magic, version, page size, and the newest one's last
 * page and roots against the file's size. (The layout is lmdb-js 3's LMDB, data version 2: a 24-byte page header,
 * then the meta record; see MDB_meta in its mdb.c.)
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type StoreFileState =
  | { kind: 'missing' }
  /** The file is there with no bytes: whatever it held is gone (LMDB would silently start an empty store). */
  | { kind: 'empty' }
  | { kind: 'damaged'; reason: string }
  /**
   * `usedPages` can exceed `pages`: pages a transaction took from the end of the file and freed again before it
   * committed are counted in the meta page but never written (a SIGKILL then leaves the file that short).
   */
  | { kind: 'ok'; pageSize: number; pages: number; usedPages: number };

const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const P_META = 0x08;
const NO_PAGE = 0xffffffffffffffffn; // P_INVALID: an empty tree's root
const PAGE_HEADER = 24;
const META = {
  magic: PAGE_HEADER,
  version: PAGE_HEADER + 4,
  pageSize: PAGE_HEADER + 24, // mm_dbs[FREE_DBI].md_pad
  freeRoot: PAGE_HEADER + 64,
  mainRoot: PAGE_HEADER + 112,
  lastPage: PAGE_HEADER + 120,
  txnId: PAGE_HEADER + 128,
  end: PAGE_HEADER + 144,
};

interface Meta {
  pageSize: number;
  lastPage: bigint;
  txnId: bigint;
  roots: bigint[];
}

/** The meta record of the page at `offset`, or why it is not one. */
function readMeta(fd: number, offset: number): Meta | string {
  const page = Buffer.alloc(META.end);
  if (readSync(fd, page, 0, META.end, offset) < META.end) return 'the file ends inside a meta page';
  if ((page.readUInt16LE(18) & P_META) === 0) return 'a meta page is not marked as one';
  if (page.readUInt32LE(META.magic) !== MAGIC) return 'a meta page has no LMDB signature';
  const version = page.readUInt32LE(META.version) & 0xffff;
  if (version !== DATA_VERSION) return `a meta page has data version ${version}, not ${DATA_VERSION}`;
  const pageSize = page.readUInt32LE(META.pageSize);
  if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) return `a meta page gives an impossible page size (${pageSize})`;
  return {
    pageSize,
    lastPage: page.readBigUInt64LE(META.lastPage),
    txnId: page.readBigUInt64LE(META.txnId),
    roots: [page.readBigUInt64LE(META.freeRoot), page.readBigUInt64LE(META.mainRoot)],
  };
}

export function inspectStoreFile(path: string): StoreFileState {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const size = BigInt(fstatSync(fd).size);
    if (size === 0n) return { kind: 'empty' };
    const first = readMeta(fd, 0);
    if (typeof first === 'string') return { kind: 'damaged', reason: first };
    const second = readMeta(fd, first.pageSize);
    if (typeof second === 'string') return { kind: 'damaged', reason: second };
    if (second.pageSize !== first.pageSize) return { kind: 'damaged', reason: 'the meta pages disagree on the page size' };
    // LMDB reads the meta page with the newer transaction id; every page it can reach from there must exist.
    const newest = second.txnId > first.txnId ? second : first;
    const pages = size / BigInt(newest.pageSize);
    if (newest.roots.some((root) => root !== NO_PAGE && (root < 2n || root > newest.lastPage))) {
      return { kind: 'damaged', reason: 'a meta page points at a page outside the file' };
    }
    // The roots are the pages a commit writes last: one past the end means the file lost what it had.
    if (newest.roots.some((root) => root !== NO_PAGE && root >= pages)) {
      return { kind: 'damaged', reason: `the file is cut short (${pages} of ${newest.lastPage + 1n} pages)` };
    }
    return { kind: 'ok', pageSize: newest.pageSize, pages: Number(pages), usedPages: Number(newest.lastPage + 1n) };
  } finally {
    closeSync(fd);
  }
}
