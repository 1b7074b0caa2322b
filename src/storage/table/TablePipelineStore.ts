import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import { checkPipelineName } from '../checkPipelineName';
import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import type { PipelineStore, StoredPipeline, StoredPipelineVersion } from '../types';
import { deleteMatching } from './deleteMatching';
import { allEntities } from './firstPage';
import { statusOf } from './tableErrors';

// Few, small rows: one partition keeps list() a single-partition query.
const PARTITION = 'pipeline';
/** Each pipeline's numbered versions: a partition per pipeline, RowKey the zero-padded version (ascending order). */
const versionPartition = (name: string): string => `version|${encodeKey(name)}`;
const versionRowKey = (version: number): string => String(version).padStart(10, '0');
/** Concurrent PUTs of one pipeline: each retries on the etag conflict, so every put gets its own version. */
const PUT_ATTEMPTS = 8;

export class TablePipelineStore implements PipelineStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async list(): Promise<StoredPipeline[]> {
    const rows = await allEntities(await this.client(), odata`PartitionKey eq ${PARTITION}`);
    return rows.map(toPipeline);
  }

  async get(name: string): Promise<StoredPipeline | undefined> {
    const entity = await this.entity(await this.client(), name);
    return entity && toPipeline(entity);
  }

  private async entity(
    client: TableClient,
    name: string,
  ): Promise<TableEntityResult<Record<string, unknown>> | undefined> {
    try {
      return await client.getEntity<Record<string, unknown>>(PARTITION, encodeKey(name));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * The history row first, then the current row conditionally on the etag read (created when there was none): a crash
   * between the two leaves a history row the next put of that version overwrites, and two concurrent puts cannot both
   * take one version number.
   */
  async put(name: string, definition: unknown): Promise<StoredPipeline> {
    checkPipelineName(name);
    const text = JSON.stringify(definition) ?? 'null';
    const client = await this.client();
    for (let attempt = 1; ; attempt++) {
      const current = await this.entity(client, name);
      const currentVersion = current === undefined ? 0 : versionOf(current);
      // A row from before versions: its definition becomes version 1, so the history starts with it.
      if (current !== undefined && typeof current['version'] !== 'number') {
        await client.upsertEntity(
          {
            partitionKey: versionPartition(name),
            rowKey: versionRowKey(1),
            name,
            version: 1,
            updatedAt: String(current['updatedAt']),
            ...splitText('definition', joinText('definition', current)),
          },
          'Replace',
        );
      }
      const version = currentVersion + 1;
      const updatedAt = new Date().toISOString();
      const chunks = splitText('definition', text);
      await client.upsertEntity(
        { partitionKey: versionPartition(name), rowKey: versionRowKey(version), name, version, updatedAt, ...chunks },
        'Replace',
      );
      const entity = { partitionKey: PARTITION, rowKey: encodeKey(name), name, updatedAt, version, ...chunks };
      try {
        const response =
          current === undefined
            ? await client.createEntity(entity)
            : await client.updateEntity(entity, 'Replace', { etag: current.etag });
        return {
          name,
          definition: JSON.parse(text) as unknown,
          updatedAt,
          version,
          ...(response.etag ? { etag: response.etag } : {}),
        };
      } catch (error) {
        const status = statusOf(error);
        if ((status !== 409 && status !== 412) || attempt >= PUT_ATTEMPTS) throw error;
      }
    }
  }

  async versions(name: string): Promise<StoredPipelineVersion[]> {
    const rows = await allEntities(await this.client(), odata`PartitionKey eq ${versionPartition(name)}`);
    return rows.map((e) => ({
      name: String(e['name']),
      version: Number(e['version']),
      definition: JSON.parse(joinText('definition', e)) as unknown,
      updatedAt: String(e['updatedAt']),
    }));
  }

  async delete(name: string): Promise<boolean> {
    const client = await this.client();
    // The history first: a crash after it leaves the pipeline without older versions, never versions without a pipeline.
    for (let more = true; more;)
      more = (await deleteMatching(client, odata`PartitionKey eq ${versionPartition(name)}`, 1000)).more;
    try {
      await client.deleteEntity(PARTITION, encodeKey(name));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }
}

const versionOf = (entity: Record<string, unknown>): number =>
  typeof entity['version'] === 'number' && Number.isInteger(entity['version']) ? entity['version'] : 1;

function toPipeline(entity: TableEntityResult<Record<string, unknown>>): StoredPipeline {
  return {
    name: String(entity.name),
    definition: JSON.parse(joinText('definition', entity)) as unknown,
    updatedAt: String(entity.updatedAt),
    version: versionOf(entity),
    ...(entity.etag ? { etag: entity.etag } : {}),
  };
}
