/**
 * The largest CSV an import takes, in bytes (some 300,000 short rows): the CLI and the web admin
 * say so before they send a larger file. The server's body limit leaves room for JSON's escapes.
 */
// No zod here: the CLI reads this on its start path.
export const RECORD_IMPORT_MAX_BYTES = 32 * 1024 * 1024;
