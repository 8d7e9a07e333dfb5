import { context, type Tracer, trace } from '@opentelemetry/api'
import type { SpanExporter } from '@opentelemetry/sdk-trace'

/** Where traces go (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`). */
export interface TracingSettings {
  /** The collector's base URL; spans are posted to `${endpoint}/v1/traces`. */
  endpoint: string
  headers: Record<string, string>
  serviceName: string
}

/** The process's tracer provider, registered as the global one the packages reach. */
export interface Tracing {
  /** The API's own tracer: a span per request. */
  readonly tracer: Tracer
  /** Exports every span ended so far. */
  flush(): Promise<void>
  /** Exports what is left (waiting at most `shutdownWaitMs`) and unregisters: later spans are no-ops. */
  shutdown(): Promise<void>
}

/** How long a shutdown waits for the collector, so an unreachable one cannot hold up the drain. */
export const shutdownWaitMs = 3_000

/**
 * Starts tracing when a collector is configured. Without one it loads nothing of the SDK and
 * resolves to undefined: every span the packages start is then a no-op of `@opentelemetry/api`.
 */
export async function startTracing(
  settings: TracingSettings | undefined,
  version: string,
): Promise<Tracing | undefined> {
  if (!settings) return undefined
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http')
  const exporter = new OTLPTraceExporter({
    url: `${settings.endpoint}/v1/traces`,
    headers: settings.headers,
    timeoutMillis: shutdownWaitMs,
  })
  return traceTo(exporter, { serviceName: settings.serviceName, version })
}

/**
 * Registers a tracer provider that batches spans to `exporter` (the OTLP one, or the tests'
 * in-memory one), with the AsyncLocalStorage context manager so spans nest across `await`.
 */
export async function traceTo(
  exporter: SpanExporter,
  service: { serviceName: string; version: string },
): Promise<Tracing> {
  const [{ AsyncLocalStorageContextManager }, sdk, { resourceFromAttributes }, semconv] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ])
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: service.serviceName,
      [semconv.ATTR_SERVICE_VERSION]: service.version,
    }),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter })],
  })
  const contextManager = new AsyncLocalStorageContextManager().enable()
  if (
    !context.setGlobalContextManager(contextManager) ||
    !trace.setGlobalTracerProvider(provider)
  ) {
    throw new Error('an OpenTelemetry SDK is already registered in this process')
  }
  return {
    tracer: provider.getTracer('@parley/api', service.version),
    flush: () => provider.forceFlush(),
    async shutdown() {
      trace.disable()
      context.disable()
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, shutdownWaitMs)
      })
      await Promise.race([provider.shutdown().catch(() => undefined), timeout])
      clearTimeout(timer)
    },
  }
}
