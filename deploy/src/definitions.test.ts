import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readRuntimeStage } from './dockerfile.ts'

/** The platform definitions agree with the image and with the server's drain. */

const read = (file: string) => readFile(new URL(`../${file}`, import.meta.url), 'utf8')
const stage = await readRuntimeStage(new URL('../../apps/api/Dockerfile', import.meta.url))
/** After SIGTERM the server exits within the grace period plus its 5 s watchdog. */
const drainMs = (graceMs: number) => graceMs + 5_000

interface EnvVar {
  name: string
  value?: string
}
const envValue = (env: EnvVar[], name: string) => env.find((entry) => entry.name === name)?.value

describe('Cloud Run service', async () => {
  const service = parse(await read('cloudrun/service.yaml')) as {
    spec: {
      template: {
        spec: {
          containers: {
            ports: { containerPort: number }[]
            env: EnvVar[]
            startupProbe: { httpGet: { path: string; port: number } }
            livenessProbe: { httpGet: { path: string; port: number } }
          }[]
        }
      }
    }
  }
  const [container] = service.spec.template.spec.containers
  if (!container) throw new Error('the service has a container')

  it('probes readiness at start and liveness after, on the port the image listens on', () => {
    const port = Number(stage.env.PORT)
    expect(container.ports[0]?.containerPort).toBe(port)
    expect(container.startupProbe.httpGet).toEqual({ path: '/api/v1/ready', port })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/api/v1/health', port })
  })

  it('drains within the 10 s Cloud Run allows after SIGTERM', () => {
    const grace = Number(envValue(container.env, 'PARLEY_SHUTDOWN_GRACE_MS'))
    expect(drainMs(grace)).toBeLessThan(10_000)
  })

  it('leaves PORT to the platform', () => {
    expect(envValue(container.env, 'PORT')).toBeUndefined()
  })
})

describe('ECS task definition', async () => {
  const task = JSON.parse(await read('ecs/task-definition.json')) as {
    containerDefinitions: {
      portMappings: { containerPort: number }[]
      environment: EnvVar[]
      healthCheck: { command: string[] }
      stopTimeout: number
    }[]
  }
  const [container] = task.containerDefinitions
  if (!container) throw new Error('the task has a container')

  it('checks health with the image’s own HEALTHCHECK, on the port the image listens on', () => {
    expect(container.healthCheck.command).toEqual(['CMD', ...stage.healthcheck])
    expect(container.portMappings[0]?.containerPort).toBe(Number(stage.env.PORT))
  })

  it('waits longer than the drain before it kills the container', () => {
    const grace = Number(envValue(container.environment, 'PARLEY_SHUTDOWN_GRACE_MS'))
    expect(container.stopTimeout * 1000).toBeGreaterThan(drainMs(grace))
    // Fargate's own limit.
    expect(container.stopTimeout).toBeLessThanOrEqual(120)
  })
})
