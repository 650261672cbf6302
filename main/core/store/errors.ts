// The store's errors: one a person can act on (open, migrate), one for a row that is not what its table promises.

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * A row read back does not have the shape its table declares (a column of the wrong type, a JSON record
 * that does not parse). Only a database edited by hand, or written by a broken build, gets here; the
 * message names the table and column so the row can be found and fixed.
 */
export class StoreDataError extends StoreError {
  constructor(message: string) {
    super(`${message}; the database holds a row Hookwatch did not write this way (restore a backup, or delete the row)`);
    this.name = 'StoreDataError';
  }
}
