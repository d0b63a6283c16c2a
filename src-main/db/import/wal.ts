/**
 * Replays a SQLite write-ahead log into the bytes of its database file, as SQLite's own recovery does
 * (walIndexRecover in wal.c): frames are read in order while their salts match the header's and their cumulative
 * checksums hold; the pages of the frames up to the last commit frame are applied, and the database takes that
 * commit's size. Frames after it (a transaction cut short) and stale frames of an earlier log generation are
 * ignored. See https://www.sqlite.org/fileformat2.html#walformat.
 *
 * sql.js (1.16) does not expose its in-memory file system, so the -wal file cannot be put beside the database
 * for SQLite to read itself: it is applied here instead, before sql.js sees the bytes.
 */

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const WAL_MAGIC = 0x377f0682; // the low bit set means big-endian checksums
const WAL_VERSION = 3007000;

type Checksum = [number, number];

function checksum(bytes: DataView, start: number, end: number, bigEndian: boolean, [s0, s1]: Checksum): Checksum {
  for (let i = start; i < end; i += 8) {
    s0 = (s0 + bytes.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + bytes.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

/** The database as of the last transaction committed in `wal` (the database unchanged if the log holds none). */
export function applyWal(db: Uint8Array, wal: Uint8Array): Uint8Array {
  if (wal.length < WAL_HEADER) return db;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  const pageSize = view.getUint32(8);
  if ((magic & ~1) >>> 0 !== WAL_MAGIC || view.getUint32(4) !== WAL_VERSION) return db;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return db;
  const bigEndian = (magic & 1) === 1;
  let sum = checksum(view, 0, 24, bigEndian, [0, 0]);
  if (sum[0] !== view.getUint32(24) || sum[1] !== view.getUint32(28)) return db;
  const salt = [view.getUint32(16), view.getUint32(20)];

  const committed = new Map<number, number>(); // page number → offset of its latest committed image
  const pending = new Map<number, number>();
  let pages = 0;
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    const pageNumber = view.getUint32(at);
    if (pageNumber === 0 || view.getUint32(at + 8) !== salt[0] || view.getUint32(at + 12) !== salt[1]) break;
    sum = checksum(view, at, at + 8, bigEndian, sum);
    sum = checksum(view, at + FRAME_HEADER, at + FRAME_HEADER + pageSize, bigEndian, sum);
    if (sum[0] !== view.getUint32(at + 16) || sum[1] !== view.getUint32(at + 20)) break;
    pending.set(pageNumber, at + FRAME_HEADER);
    const commitSize = view.getUint32(at + 4);
    if (commitSize !== 0) {
      pending.forEach((offset, page) => committed.set(page, offset));
      pending.clear();
      pages = commitSize;
    }
  }
  if (pages === 0) return db;

  const out = new Uint8Array(pages * pageSize);
  out.set(db.subarray(0, out.length));
  for (const [page, offset] of committed) {
    if (page <= pages) out.set(wal.subarray(offset, offset + pageSize), (page - 1) * pageSize);
  }
  return out;
}
