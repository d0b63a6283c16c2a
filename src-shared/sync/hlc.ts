/**
 * The hybrid logical clock that stamps every change a device makes (Kulkarni et al., 2014). A stamp is the
 * physical time in ms, a counter, and the device's id; it never goes backwards on one device and always orders
 * after every stamp the device has seen, so a computer whose clock is hours behind still orders its edits after
 * the ones it has read. No drift limit is enforced: clocks hours apart are normal here (a laptop that slept across
 * time zones, a clock never set), and refusing a stamp would stop the devices converging.
 *
 * Stamps are encoded as fixed-width strings that sort as the stamps do, so comparing two is comparing strings;
 * equal physical time and counter are ordered by device id.
 */

export interface Hlc {
  /** Milliseconds since the epoch. */
  wall: number;
  counter: number;
  device: string;
}

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 6;
const ENCODED = /^(\d{15})-([0-9a-z]{6})-([0-9a-f-]{36})$/;

export function encodeHlc({ wall, counter, device }: Hlc): string {
  return `${String(wall).padStart(WALL_DIGITS, '0')}-${counter.toString(36).padStart(COUNTER_DIGITS, '0')}-${device}`;
}

export function decodeHlc(stamp: string): Hlc {
  const match = ENCODED.exec(stamp);
  if (!match) throw new TypeError(`not a clock stamp: ${JSON.stringify(stamp).slice(0, 80)}`);
  return { wall: Number(match[1]), counter: parseInt(match[2]!, 36), device: match[3]! };
}

export const isHlc = (stamp: string) => ENCODED.test(stamp);

/** The later of two encoded stamps (either may be absent). */
export function maxHlc(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/** A stamp for a change made on this device now, after `last` (this device's latest stamp, if any). */
export function tick(last: Hlc | undefined, physical: number, device: string): Hlc {
  const wall = Math.max(last?.wall ?? 0, physical);
  const counter = last && wall === last.wall ? last.counter + 1 : 0;
  return { wall, counter, device };
}

/** This device's clock after reading a stamp from another device: later than both. */
export function observe(last: Hlc | undefined, remote: Hlc, physical: number, device: string): Hlc {
  const lastWall = last?.wall ?? 0;
  const wall = Math.max(lastWall, remote.wall, physical);
  let counter = 0;
  if (wall === lastWall && wall === remote.wall) counter = Math.max(last!.counter, remote.counter) + 1;
  else if (wall === lastWall) counter = last!.counter + 1;
  else if (wall === remote.wall) counter = remote.counter + 1;
  return { wall, counter, device };
}
