export { availableModels, defaultModel } from './catalog/availability.ts'
export { CATALOG_VERSION, catalog, defaultFallbacks, demoModel } from './catalog/catalog.ts'
export {
  ANTHROPIC_TOKEN_FACTOR,
  CatalogError,
  defineModelSpec,
  type Encoding,
  type ModelCapabilities,
  type ModelConfigRow,
  type ModelPrices,
  type ModelSpec,
  type ModelSpecInput,
  parseModelSpec,
  type RowsToSpecs,
  specFromRow,
  specsFromRows,
  specToRow,
  type TokenizerSpec,
} from './catalog/model-spec.ts'
export {
  createEmbedder,
  type Embedder,
  type EmbedderOptions,
  type EmbeddingResult,
  type EmbeddingSpend,
  type EmbedOptions,
} from './embeddings/embedder.ts'
export { type EmbeddingModelSpec, embeddingModels } from './embeddings/embedding-models.ts'
export { LlmError, type LlmErrorCode } from './errors.ts'
export { costMicroUsd, formatUsd, usdToMicros } from './pricing.ts'
export {
  type PromptName,
  PromptRenderError,
  type PromptVariables,
  prompts,
  type RenderedPrompt,
  renderPrompt,
} from './prompts/render-prompt.ts'
export {
  cleanTitle,
  type GenerateTitleInput,
  generateTitle,
  heuristicTitle,
  titleModel,
} from './prompts/title.ts'
export {
  type CompatibleEndpointConfig,
  type CompatibleModelInput,
  createProviders,
  type ProviderSetup,
  type ProvidersConfig,
} from './providers/create-providers.ts'
export type { DemoProviderOptions } from './providers/demo/demo-provider.ts'
export {
  type AutoRoutingOptions,
  classifyTurn,
  type TurnClassification,
} from './router/auto-model.ts'
export {
  type CircuitSettings,
  type CircuitState,
  defaultCircuitSettings,
} from './router/circuit-breaker.ts'
export { defaultRetryPolicy, type RetryPolicy } from './router/retry-policy.ts'
export {
  type AttemptOutcome,
  type AttemptReport,
  type CallReport,
  type CompletionResult,
  createRouter,
  type ModelAdmission,
  type Router,
  type RouterOptions,
  type RouterRequest,
  type RouterStream,
  type RouteTable,
} from './router/router.ts'
export {
  type BuildContextInput,
  type BuiltContext,
  buildContext,
  defaultMargin,
  defaultOutputReserve,
  estimatePromptTokens,
} from './tokens/build-context.ts'
export { countEncodedTokens, countTokens, isEstimate } from './tokens/count-tokens.ts'
export { truncateToTokens } from './tokens/truncate-to-tokens.ts'
export type {
  ChatCompletion,
  ChatEvent,
  ChatMessage,
  ChatProvider,
  ChatRequest,
  FinishReason,
  ProviderKind,
  Usage,
} from './types.ts'
