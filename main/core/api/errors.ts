/** A caller's mistake in an API call: the message says what was expected, and transports answer it as "bad input". */
export class ApiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiInputError';
  }
}
