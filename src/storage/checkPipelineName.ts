import { StorageInputError } from './StorageInputError';

/** Pipeline names: 1..256 characters (any; keys are escaped). */
export function checkPipelineName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new StorageInputError(
      'name',
      `name: expected a pipeline name of 1 to 256 characters, found ${JSON.stringify(name)}`,
    );
  }
}
