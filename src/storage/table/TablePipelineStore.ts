import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import { checkPipelineName } from '../checkPipelineName';
import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import type { PipelineStore, StoredPipeline } from '../types';
import { allEntities } from './firstPage';
import { statusOf } from './tableErrors';

// Few, small rows: one partition keeps list() a single-partition query.
const PARTITION = 'pipeline';

export class TablePipelineStore implements PipelineStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async list(): Promise<StoredPipeline[]> {
    const rows = await allEntities(await this.client(), odata`PartitionKey eq ${PARTITION}`);
    return rows.map(toPipeline);
  }

  async get(name: string): Promise<StoredPipeline | undefined> {
    try {
      return toPipeline(await (await this.client()).getEntity<Record<string, unknown>>(PARTITION, encodeKey(name)));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async put(name: string, definition: unknown): Promise<StoredPipeline> {
    checkPipelineName(name);
    const updatedAt = new Date().toISOString();
    const text = JSON.stringify(definition) ?? 'null';
    const entity = { partitionKey: PARTITION, rowKey: encodeKey(name), name, updatedAt, ...splitText('definition', text) };
    const response = await (await this.client()).upsertEntity(entity, 'Replace');
    return { name, definition: JSON.parse(text) as unknown, updatedAt, ...(response.etag ? { etag: response.etag } : {}) };
  }

  async delete(name: string): Promise<boolean> {
    try {
      await (await this.client()).deleteEntity(PARTITION, encodeKey(name));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }
}

function toPipeline(entity: TableEntityResult<Record<string, unknown>>): StoredPipeline {
  return {
    name: String(entity.name),
    definition: JSON.parse(joinText('definition', entity)) as unknown,
    updatedAt: String(entity.updatedAt),
    ...(entity.etag ? { etag: entity.etag } : {}),
  };
}
