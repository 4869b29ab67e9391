/**
 * Minke's public API: what a project's `minke.config.ts`, models and sessions import.
 *
 * @example
 *   import { defineConfig, defineModel, f } from 'minke';
 */
export { z } from 'zod';
export { defineConfig, type MinkeConfig } from './config/define-config.js';
export { defineModel, type ModelDefinition, type InferRecord } from './model/define-model.js';
export { f, type Field, type FieldMap, type RecordOf } from './model/fields.js';
export { Host } from './model/host-model.js';
export {
  MinkeError,
  InputError,
  NotFoundError,
  PermissionDenied,
  SetupError,
  SessionError,
  ConflictError,
  UnavailableError,
} from './errors.js';
