/** Errors that carry a stable machine-readable code and a message meant for the user. */

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** The input media can never be processed: retrying is pointless, the video fails at once with this reason. */
export class MediaError extends AppError {
  readonly recoverable = false;
  constructor(code: string, message: string) {
    super(code, message, 422);
    this.name = 'MediaError';
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`, 404);
export const forbidden = (msg = 'You are not allowed to do this') => new AppError('forbidden', msg, 403);
export const unauthorized = (msg = 'Sign in first') => new AppError('unauthorized', msg, 401);
