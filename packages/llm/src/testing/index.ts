export { eventLoopLagDuring } from './event-loop-lag.ts'
export { FAKE_EMBEDDING_DIMENSIONS, fakeEmbedding } from './fake-embeddings.ts'
export {
  type Api,
  type FakeUpstream,
  type FakeUpstreamOptions,
  type RecordedRequest,
  startFakeUpstream,
} from './fake-upstream.ts'
export type { Scenario, ScenarioMatch } from './scenarios.ts'
