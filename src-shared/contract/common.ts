import { z } from 'zod';

/** Every call's arguments: an object with exactly the listed fields (unknown and prototype keys are refused). */
export const args = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);
/** A call that takes no arguments accepts nothing or an empty object. */
export const noArgs = z.strictObject({}).optional();

export const id = z.string().min(1).max(100);
export const isoTimestamp = z.iso.datetime();

/** A file's name as the user's file system has it: no separators or control characters, at most 255 UTF-8 bytes. */
export const fileName = z
  .string()
  .min(1, 'The file needs a name.')
  .refine((name) => !/[\p{Cc}/\\]/u.test(name), 'A file name cannot hold control characters or slashes.')
  .refine((name) => new TextEncoder().encode(name).length <= 255, 'That file name is too long (255 bytes at most).');

/** A method: what it takes and what it answers. */
export interface MethodDef<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A;
  result: R;
}

export const method = <A extends z.ZodType, R extends z.ZodType>(a: A, r: R): MethodDef<A, R> => ({ args: a, result: r });
