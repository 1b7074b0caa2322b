export interface LocalUrlsInput {
  baseUrl: string;
  hub: string;
  /** The storage emulator's blob/queue/table URLs when this process started it (tables: who serves them). */
  azurite?: { blobUrl: string; queueUrl: string; tableUrl: string; tables?: 'embedded' | 'azurite' };
  dataDir: string;
}

/** The "where is everything" banner printed by `npm run local`. */
export function formatUrls(o: LocalUrlsInput): string {
  const api = `${o.baseUrl}/api`;
  const hubUrl = `${o.baseUrl}/runtime/eventhubs/${encodeURIComponent(o.hub)}`;
  const lines = [
    '',
    'Streamfold is running locally:',
    `  API base        ${api}`,
    `  Health          ${api}/health`,
    `  Streams         ${api}/streams            (one stream: ${api}/streams/default/<stream>)`,
    `  Metrics         ${api}/metrics`,
    `  Event hub       POST ${hubUrl}/events   (state, lag: GET ${hubUrl})`,
    `  Durable API     ${o.baseUrl}/runtime/webhooks/durabletask`,
    ...(o.azurite
      ? [
          `  Azurite         blob ${o.azurite.blobUrl}, queue ${o.azurite.queueUrl}${o.azurite.tables === 'embedded' ? '' : `, table ${o.azurite.tableUrl}`}`,
        ]
      : []),
    ...(o.azurite?.tables === 'embedded' ? [`  Tables          ${o.azurite.tableUrl}   (embedded SQLite store)`] : []),
    `  Data            ${o.dataDir}`,
    '',
    'Send events:',
    `  curl -X POST ${hubUrl}/events -H 'content-type: application/json' \\`,
    `    -d '[{"stream":"s-001","time":"2024-05-01T10:00:00Z","value":12.3}]'`,
    `  npm run send -- --url ${o.baseUrl} --streams 20 --rate 500 --duration 60`,
    '',
  ];
  return lines.join('\n');
}
