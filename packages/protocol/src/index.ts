/**
 * `@minke/protocol`: what the Minke server and its agents say to each other over MQTT, and how
 * requests are signed. Imported by both sides; depends on zod, node:crypto and node:tls only.
 * The server's code that a CLI command runs at start imports a module by path
 * (`@minke/protocol/names`): this index builds the message schemas (about 10 ms).
 */
export {
  DEFAULT_TOPIC_PREFIX,
  createTopics,
  parseTopic,
  type ParsedTopic,
  type Target,
  type TopicSet,
} from './topics.js';
export { DEFAULT_SPOOL_BASE, agentSpoolDir } from './agent-paths.js';
export {
  isNodeName,
  isPluginName,
  nodeNameProblem,
  pluginNameProblem,
  topicPrefixProblem,
} from './names.js';
export {
  AckSchema,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REQUEST_TTL_MS,
  PROTOCOL_VERSION,
  PluginInfoSchema,
  PresenceSchema,
  RESULT_FORMATS,
  RefusedResultSchema,
  RejectedPluginSchema,
  RequestSchema,
  ResultFormatSchema,
  ResultSchema,
  SignedRequestSchema,
  TargetSchema,
  createAck,
  createRequest,
  decodeAck,
  decodeJson,
  decodeMessage,
  decodePresence,
  decodeResult,
  describeIssues,
  encodeMessage,
  validate,
  type Ack,
  type CreateRequestInput,
  type Outcome,
  type PluginInfo,
  type Presence,
  type RefusedResult,
  type RejectedPlugin,
  type Request,
  type Result,
  type ResultFormat,
  type SignedRequest,
} from './messages.js';
export {
  REQUEST_SIGNING_CONTEXT,
  canonicalJson,
  generateSigningKeyPair,
  parsePrivateKey,
  parsePublicKey,
  publicKeyToBase64,
  signPayload,
  signRequest,
  verifyPayload,
  verifyRequestSignature,
  type SigningKeyPair,
} from './signing.js';
export { ReplayGuard, type ReplayGuardOptions, type ReplayGuardSnapshot } from './replay-guard.js';
export {
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_MAX_REQUEST_TTL_MS,
  acceptRequest,
  type AcceptOutcome,
  type AcceptRequestOptions,
} from './accept-request.js';
export {
  certificateFingerprint,
  normalizeFingerprint,
  pinnedServerIdentity,
} from './broker-pin.js';
