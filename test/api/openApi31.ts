/**
 * A structural check of the OpenAPI 3.1 essentials, for want of a validator in the dependencies (ajv 6, which eslint
 * brings, knows only JSON Schema draft-07; the OAS 3.1 schema is draft 2020-12). Returns one line per problem.
 */
type Json = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PATH_ITEM_FIELDS = new Set([...METHODS, '$ref', 'summary', 'description', 'servers', 'parameters']);
const OPERATION_FIELDS = new Set([
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'parameters',
  'requestBody',
  'responses',
  'callbacks',
  'deprecated',
  'security',
  'servers',
]);
// JSON Schema 2020-12 keywords (core, applicator, validation, meta-data, format, content, unevaluated) plus OpenAPI's.
const SCHEMA_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  '$defs',
  '$comment',
  '$vocabulary',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'dependentSchemas',
  'prefixItems',
  'items',
  'contains',
  'properties',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'type',
  'enum',
  'const',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxContains',
  'minContains',
  'maxProperties',
  'minProperties',
  'required',
  'dependentRequired',
  'title',
  'description',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'examples',
  'format',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
  'discriminator',
  'xml',
  'externalDocs',
  'example',
]);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_VALUES = new Set([
  'not',
  'if',
  'then',
  'else',
  'items',
  'contains',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]);
const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function openApi31Problems(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (JSON.stringify(JSON.parse(JSON.stringify(doc))) !== JSON.stringify(doc)) fail('(root)', 'expected plain JSON');
  if (typeof doc['openapi'] !== 'string' || !/^3\.1\.\d+$/.test(doc['openapi']))
    fail('openapi', `expected 3.1.x, found ${JSON.stringify(doc['openapi'])}`);
  const info = doc['info'];
  if (!isObject(info) || typeof info['title'] !== 'string' || typeof info['version'] !== 'string')
    fail('info', 'expected title and version strings');
  const components = isObject(doc['components']) ? doc['components'] : {};
  const schemes = isObject(components['securitySchemes']) ? components['securitySchemes'] : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (
      !isObject(scheme) ||
      !['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(String(scheme['type']))
    )
      fail(`securitySchemes.${name}`, 'expected a known type');
    else if (
      scheme['type'] === 'apiKey' &&
      (typeof scheme['name'] !== 'string' || !['query', 'header', 'cookie'].includes(String(scheme['in'])))
    )
      fail(`securitySchemes.${name}`, 'expected name and in');
  }
  for (const [name, schema] of Object.entries(isObject(components['schemas']) ? components['schemas'] : {}))
    checkSchema(schema, `components.schemas.${name}`, fail);

  const checkSecurity = (where: string, security: unknown) => {
    if (!Array.isArray(security)) return fail(where, 'expected an array of security requirements');
    for (const requirement of security) {
      if (!isObject(requirement)) fail(where, 'expected objects');
      else
        for (const [name, scopes] of Object.entries(requirement))
          if (!(name in schemes) || !Array.isArray(scopes))
            fail(where, `expected a declared scheme with a scope list, found ${name}`);
    }
  };
  if (doc['security'] !== undefined) checkSecurity('security', doc['security']);
  const tags = new Set(
    (Array.isArray(doc['tags']) ? doc['tags'] : []).map((t) => (isObject(t) ? t['name'] : undefined)),
  );

  const paths = doc['paths'];
  if (!isObject(paths)) fail('paths', 'expected an object');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(isObject(paths) ? paths : {})) {
    if (!path.startsWith('/')) fail(path, 'expected a path starting with "/"');
    if (!isObject(item)) {
      fail(path, 'expected a path item object');
      continue;
    }
    for (const key of Object.keys(item))
      if (!PATH_ITEM_FIELDS.has(key) && !key.startsWith('x-')) fail(path, `unknown field ${key}`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string).sort();
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObject(op)) {
        fail(where, 'expected an operation object');
        continue;
      }
      for (const key of Object.keys(op))
        if (!OPERATION_FIELDS.has(key) && !key.startsWith('x-')) fail(where, `unknown field ${key}`);
      const id = op['operationId'];
      if (typeof id !== 'string' || operationIds.has(id))
        fail(where, `expected a unique operationId, found ${JSON.stringify(id)}`);
      else operationIds.add(id);
      for (const tag of Array.isArray(op['tags']) ? op['tags'] : [])
        if (!tags.has(tag)) fail(where, `tag ${String(tag)} is not declared`);
      if (op['security'] !== undefined) checkSecurity(`${where} security`, op['security']);
      const parameters = Array.isArray(op['parameters'])
        ? op['parameters']
        : op['parameters'] === undefined
          ? []
          : (fail(where, 'expected parameters as an array'), []);
      const seen = new Set<string>();
      for (const p of parameters) {
        if (
          !isObject(p) ||
          typeof p['name'] !== 'string' ||
          !['path', 'query', 'header', 'cookie'].includes(String(p['in']))
        ) {
          fail(where, `expected parameters with a name and in, found ${JSON.stringify(p)}`);
          continue;
        }
        const key = `${String(p['in'])}:${p['name']}`;
        if (seen.has(key)) fail(where, `parameter ${key} twice`);
        seen.add(key);
        if (p['in'] === 'path' && p['required'] !== true) fail(where, `path parameter ${p['name']} must be required`);
        if ((p['schema'] === undefined) === (p['content'] === undefined))
          fail(where, `parameter ${p['name']} needs exactly one of schema and content`);
        if (p['schema'] !== undefined) checkSchema(p['schema'], `${where} parameter ${p['name']}`, fail);
      }
      const pathParams = parameters
        .filter((p) => isObject(p) && p['in'] === 'path')
        .map((p) => String((p as Json)['name']))
        .sort();
      if (JSON.stringify(pathParams) !== JSON.stringify(templated))
        fail(
          where,
          `path parameters ${JSON.stringify(pathParams)} differ from the template's ${JSON.stringify(templated)}`,
        );
      if (op['requestBody'] !== undefined) checkContent(op['requestBody'], `${where} requestBody`, fail, true);
      const responses = op['responses'];
      if (!isObject(responses) || Object.keys(responses).length === 0) fail(where, 'expected responses');
      for (const [status, response] of Object.entries(isObject(responses) ? responses : {})) {
        if (!/^(default|[1-5](\d\d|XX))$/.test(status)) fail(where, `unknown status ${status}`);
        if (!isObject(response) || typeof response['description'] !== 'string')
          fail(`${where} ${status}`, 'expected a description');
        else {
          if (response['content'] !== undefined) checkContent(response, `${where} ${status}`, fail, false);
          for (const [header, h] of Object.entries(isObject(response['headers']) ? response['headers'] : {}))
            if (!isObject(h) || h['schema'] === undefined)
              fail(`${where} ${status}`, `header ${header} needs a schema`);
        }
      }
    }
  }
  for (const pointer of refs(doc)) if (!resolves(doc, pointer)) fail(pointer, 'a $ref that resolves to nothing');
  return problems;
}

function checkContent(
  holder: unknown,
  where: string,
  fail: (where: string, what: string) => void,
  required: boolean,
): void {
  const content = isObject(holder) ? holder['content'] : undefined;
  if (!isObject(content) || (required && Object.keys(content).length === 0)) return fail(where, 'expected content');
  for (const [type, media] of Object.entries(content)) {
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(type)) fail(where, `expected a media type, found ${type}`);
    if (!isObject(media) || media['schema'] === undefined) fail(`${where} ${type}`, 'expected a schema');
    else checkSchema(media['schema'], `${where} ${type}`, fail);
  }
}

function checkSchema(schema: unknown, where: string, fail: (where: string, what: string) => void): void {
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) return fail(where, 'expected a schema object or boolean');
  for (const [key, value] of Object.entries(schema)) {
    if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith('x-')) fail(where, `unknown JSON Schema keyword ${key}`);
    if (SCHEMA_MAPS.has(key))
      for (const [name, sub] of Object.entries(isObject(value) ? value : {}))
        checkSchema(sub, `${where}.${key}.${name}`, fail);
    if (SCHEMA_LISTS.has(key))
      (Array.isArray(value) ? value : (fail(where, `${key} must be an array`), [])).forEach((sub, i) =>
        checkSchema(sub, `${where}.${key}[${i}]`, fail),
      );
    if (SCHEMA_VALUES.has(key)) checkSchema(value, `${where}.${key}`, fail);
  }
  const type = schema['type'];
  for (const t of Array.isArray(type) ? type : type === undefined ? [] : [type])
    if (!TYPES.has(String(t))) fail(where, `unknown type ${String(t)}`);
  if (
    schema['required'] !== undefined &&
    !(Array.isArray(schema['required']) && schema['required'].every((r) => typeof r === 'string'))
  )
    fail(where, 'required must list names');
  if (schema['enum'] !== undefined && !Array.isArray(schema['enum'])) fail(where, 'enum must be an array');
  if (typeof schema['pattern'] === 'string') {
    try {
      new RegExp(schema['pattern'], 'u');
    } catch {
      fail(where, `pattern ${schema['pattern']} is not a regular expression`);
    }
  }
}

function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
}

function resolves(doc: Json, ref: string): boolean {
  if (!ref.startsWith('#/')) return false;
  let at: unknown = doc;
  for (const part of ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (!isObject(at) || !(part in at)) return false;
    at = at[part];
  }
  return at !== undefined;
}
