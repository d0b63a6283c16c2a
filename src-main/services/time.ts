/** UTC calendar arithmetic for daily and monthly limits: days roll over at midnight UTC, months on the 1st. */

export type Clock = () => Date;

/** `YYYY-MM-DD` of the UTC day. */
export const utcDate = (at: Date) => at.toISOString().slice(0, 10);

export const nextUtcMidnight = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));

export const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));

export const nextMonthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
