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
export { Session, type WorkOn, type SessionClass } from './session/session.js';
export {
  SingleCommandSession,
  CommandFormSession,
  CommandChainSession,
  SessionChain,
  commandForm,
} from './session/builtin-sessions.js';
export type { SessionResult, ProcessState } from './session/status.js';
export type { SessionMessage, MessageLevel } from './session/messages.js';
export type { SessionContext } from './session/session-context.js';
export type { SessionConnection } from './session/session-connection.js';
export type {
  SudoRunOptions,
  SessionGetOptions,
  SessionPutOptions,
} from './session/session-connection.js';
export { shellQuote, shellJoin } from './util/shell-quote.js';
export {
  fromModel,
  fromFacts,
  fromField,
  fromFunction,
  type Choices,
  type ChoiceSelection,
  type ChoiceValue,
  type ProjectChoice,
  type FromModelOptions,
  type FromFactsOptions,
} from './choices/choice-source.js';
export { definePolicy, type PolicyDefinition } from './config/define-policy.js';
export {
  defineInventorySource,
  type InventorySourceDefinition,
} from './config/define-inventory-source.js';
export type {
  CommandResult,
  ExecOptions,
  PutOptions,
  PutSource,
  TransferResult,
} from './transport/transport.js';
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
