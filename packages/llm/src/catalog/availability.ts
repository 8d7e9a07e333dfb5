import { demoModel } from './catalog.ts'
import type { ModelSpec } from './model-spec.ts'

/**
 * The models users may pick: enabled specs whose provider is configured, in `sortOrder`. The demo
 * model is offered only when no real provider is configured, and then it is the only model.
 */
export function availableModels(
  specs: readonly ModelSpec[],
  configuredProviders: Iterable<string>,
): ModelSpec[] {
  const configured = new Set(configuredProviders)
  configured.delete('demo')
  if (configured.size === 0) {
    return [specs.find((spec) => spec.provider === 'demo' && spec.enabled) ?? demoModel]
  }
  return specs
    .filter((spec) => spec.enabled && spec.provider !== 'demo' && configured.has(spec.provider))
    .sort((a, b) => a.sortOrder - b.sortOrder || a.id.localeCompare(b.id))
}

/** The spec marked `isDefault` when it is available, otherwise the first available one. */
export function defaultModel(models: readonly ModelSpec[]): ModelSpec | undefined {
  return models.find((spec) => spec.isDefault) ?? models[0]
}
