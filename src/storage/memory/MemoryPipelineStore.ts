import { checkPipelineName } from '../checkPipelineName';
import { encodeKey } from '../encodeKey';
import type { PipelineStore, StoredPipeline } from '../types';
import { copyJson } from './copyJson';

export class MemoryPipelineStore implements PipelineStore {
  private readonly rows = new Map<string, StoredPipeline>();
  private version = 0;

  async list(): Promise<StoredPipeline[]> {
    return [...this.rows.values()].sort((a, b) => (encodeKey(a.name) < encodeKey(b.name) ? -1 : 1)) // Table order: encoded RowKey
      .map((p) => copyJson('definition', p));
  }

  async get(name: string): Promise<StoredPipeline | undefined> {
    const row = this.rows.get(name);
    return row && copyJson('definition', row);
  }

  async put(name: string, definition: unknown): Promise<StoredPipeline> {
    checkPipelineName(name);
    const row: StoredPipeline = { name, definition: copyJson('definition', definition), updatedAt: new Date().toISOString(), etag: `m${++this.version}` };
    this.rows.set(name, row);
    return copyJson('definition', row);
  }

  async delete(name: string): Promise<boolean> {
    return this.rows.delete(name);
  }
}
