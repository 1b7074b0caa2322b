export { compareStreamKeys } from './compareStreamKeys';
export { decodeContinuationToken, encodeContinuationToken } from './continuationToken';
export { createMemoryStores, createStores, type StoreOptions } from './createStores';
export { DEAD_LETTER_RAW_LIMIT } from './deadLetterRow';
export { decodeKey, encodeKey } from './encodeKey';
export { StorageInputError } from './StorageInputError';
export { tableClientFor } from './tableClientFor';
export { TABLE_NAMES } from './tableNames';
export * from './types';
