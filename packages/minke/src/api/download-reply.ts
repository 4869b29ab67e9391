import type { Readable } from 'node:stream';
import { z } from 'zod';

/**
 * A download's reply schema: a stream Fastify pipes as it is (never serialized), so the route
 * still declares its 200 reply. `what` says what the text is, for the API docs.
 */
export function streamedDownload(what: string): z.ZodType<Readable> {
  return z.custom<Readable>().describe(what);
}
