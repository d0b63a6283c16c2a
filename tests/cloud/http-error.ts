/** The service's error answers: `{error:{code, message, details?}}` with a status, and its default messages. */

/** The default message of each code the service uses, as its error classes word them. */
export const MESSAGES: Record<string, string> = {
  MISSING_API_KEY: 'API key is required',
  INVALID_API_KEY: 'Invalid API key',
  REVOKED_KEY: 'API key has been revoked',
  DAILY_LIMIT_EXCEEDED: 'Daily rate limit exceeded',
  MONTHLY_LIMIT_EXCEEDED: 'Monthly rate limit exceeded',
  RATE_LIMIT_EXCEEDED: 'Too many concurrent requests',
  NOT_FOUND: 'Not found',
  INTERNAL_ERROR: 'Internal server error',
  TTS_SERVICE_ERROR: 'Text-to-speech service temporarily unavailable',
  NOT_IMPLEMENTED: 'Feature not implemented',
  SERVICE_UNAVAILABLE: 'Service is temporarily unavailable',
  VALIDATION_ERROR: 'Invalid request',
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? MESSAGES[code] ?? code);
  }
}

