/** Bad input to a store (a caller's mistake, not a storage failure); the HTTP layer maps it to a 400 naming `field`. */
export class StorageInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'StorageInputError';
  }
}
