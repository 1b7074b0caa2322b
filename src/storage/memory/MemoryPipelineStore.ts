import { checkPipelineName } from '../checkPipelineName';
import { encodeKey } from '../encodeKey';
import type { PipelineStore, StoredPipeline, StoredPipelineVersion } from '../types';
import { copyJson } from './copyJson';

export class MemoryPipelineStore implements PipelineStore {
  private readonly rows = new Map<string, StoredPipeline>();
  private readonly history = new Map<string, StoredPipelineVersion[]>();
  private version = 0;

  async list(): Promise<StoredPipeline[]> {
    return [...this.rows.values()]
      .sort((a, b) => (encodeKey(a.name) < encodeKey(b.name) ? -1 : 1)) // Table order: encoded RowKey
      .map((p) => copyJson('definition', p));
  }

  async get(name: string): Promise<StoredPipeline | undefined> {
    const row = this.rows.get(name);
    return row && copyJson('definition', row);
  }

  async put(name: string, definition: unknown): Promise<StoredPipeline> {
    checkPipelineName(name);
    const version = (this.rows.get(name)?.version ?? 0) + 1;
    const row: StoredPipeline = {
      name,
      definition: copyJson('definition', definition),
      updatedAt: new Date().toISOString(),
      version,
      etag: `m${++this.version}`,
    };
    this.rows.set(name, row);
    const versions = this.history.get(name) ?? [];
    versions.push({ name, version, definition: row.definition, updatedAt: row.updatedAt });
    this.history.set(name, versions);
    return copyJson('definition', row);
  }

  async versions(name: string): Promise<StoredPipelineVersion[]> {
    return (this.history.get(name) ?? []).map((v) => copyJson('definition', v));
  }

  async delete(name: string): Promise<boolean> {
    this.history.delete(name);
    return this.rows.delete(name);
  }
}
