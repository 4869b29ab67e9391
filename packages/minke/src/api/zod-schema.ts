import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { errorReply } from '@minke/contract';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { inputErrorOf } from '../util/zod-input-error.js';

/**
 * Routes declare their params, query, body and replies as zod schemas from `@minke/contract`.
 * Requests are validated here (errors become `InputError` with the fields at fault, and unknown
 * query parameters are refused); replies are checked and serialized through their schema by
 * `fastify-type-provider-zod`, whose type provider also types what a handler may return. Its own
 * validator is not used: it reports Fastify validation errors, not our `InputError` fields.
 */
export { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
export type { ZodTypeProvider } from 'fastify-type-provider-zod';

const partNames: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
};

export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!(schema instanceof z.ZodType)) return (data: unknown) => ({ value: data });
  const part = partNames[httpPart ?? ''] ?? httpPart ?? 'request';
  const unknownParameters = part === 'query' ? unknownQueryParameters(schema) : () => undefined;
  return (data: unknown) => {
    const refused = unknownParameters(data);
    if (refused) return { error: refused };
    const parsed = schema.safeParse(part === 'body' && data === null ? undefined : data);
    if (parsed.success) return { value: parsed.data };
    return { error: inputErrorOf(parsed.error, part) };
  };
};

/**
 * A query parameter the route does not know is refused, naming it and the ones it takes: a typo
 * (`?were=...`) must not quietly widen a list to every record. Done here, once, for every route
 * that declares its query; a route without a query schema takes none of its own.
 */
function unknownQueryParameters(schema: z.ZodType): (data: unknown) => InputError | undefined {
  if (!(schema instanceof z.ZodObject)) return () => undefined;
  const known = Object.keys(schema.shape);
  return (data) => {
    if (typeof data !== 'object' || data === null) return undefined;
    const unknown = Object.keys(data).filter((key) => !known.includes(key));
    if (unknown.length === 0) return undefined;
    const fields = Object.fromEntries(unknown.map((key) => [key, 'unknown query parameter']));
    const takes = known.length > 0 ? `this endpoint takes ${known.join(', ')}` : 'none is taken';
    return new InputError(
      `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}: ${takes}`,
      { fields },
    );
  };
}

/**
 * `@fastify/swagger`'s transform: the zod parts of a route schema as OpenAPI 3.0 JSON Schema, with
 * the error replies every such route can give (`standardErrors`) added where it names none.
 */
export function zodToOpenApi({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route?: { config?: unknown };
}): { schema: FastifySchema; url: string } {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const key of ['body', 'querystring', 'params', 'headers'] as const) {
    const part = schema[key];
    if (part instanceof z.ZodType) out[key] = jsonSchemaOf(part, 'input');
  }
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const isPublic = (route?.config as { public?: boolean } | undefined)?.public === true;
  const replies = { ...standardErrors(schema, isPublic), ...declared };
  if (Object.keys(replies).length > 0) {
    out['response'] = Object.fromEntries(
      Object.entries(replies).map(([status, part]) => [
        status,
        part instanceof z.ZodType ? jsonSchemaOf(part, 'output') : part,
      ]),
    );
  }
  return { schema: out, url };
}

/**
 * The errors a route answers whatever it does, from what it declares: 400 when it takes a path,
 * query or body (each is validated), 404 when its path names something (an id, a name), 401 and
 * 403 unless it is public. A route's own declaration of a status wins.
 */
export function standardErrors(
  schema: FastifySchema,
  isPublic: boolean,
): Record<string, z.ZodType> {
  const errors: Record<string, z.ZodType> = {};
  if (schema.params || schema.querystring || schema.body) errors['400'] = standardReplies[400];
  if (!isPublic) Object.assign(errors, { 401: standardReplies[401], 403: standardReplies[403] });
  if (schema.params) errors['404'] = standardReplies[404];
  return errors;
}

/** The error body, described by what each status means here (the document shows it per reply). */
const standardReplies = {
  400: errorReply.describe(
    'Invalid input: a path, query or body that does not parse (`fields` names each field at fault)',
  ),
  401: errorReply.describe('Not logged in: no session cookie or bearer token, or one that ended'),
  403: errorReply.describe(
    'Permission denied, or a write with the session cookie but without the X-CSRF-Token header',
  ),
  404: errorReply.describe('What the path names does not exist, or the caller may not see it'),
} as const;

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
  });
  return json;
}
