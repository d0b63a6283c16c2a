/**
 * The name of a memo's audio file: the memo's id and a known extension. Ids are UUIDs, or an imported memo's own id
 * from the service's database; either way only letters, digits, `_` and `-`, so a name is never a path (no dot
 * segment, separator or percent-encoding can match).
 */
export const AUDIO_FILE_NAME = /^([A-Za-z0-9_-]{1,100})\.(wav|mp3)$/;
