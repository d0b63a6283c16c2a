/** Base64 in the window, for files sent to the core through a call (a legacy database to import). */

/** Bytes per step: a multiple of 3, so that the steps' encodings join with no padding in between. */
const CHUNK = 3 * 8_192;

/** Encodes a step at a time: String.fromCharCode over a whole file would overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) parts.push(btoa(String.fromCharCode(...bytes.subarray(i, i + CHUNK))));
  return parts.join('');
}

/** The length of the base64 text of `size` bytes. */
export const base64Length = (size: number) => 4 * Math.ceil(size / 3);
