import type { AdminModel, AdminModelList } from '@parley/schema/contracts'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { ModelsPage } from './models-page.tsx'

const model = (id: string, fields: Partial<AdminModel> = {}): AdminModel => ({
  id,
  provider: 'openai',
  upstreamModel: id,
  displayName: id.toUpperCase(),
  contextWindow: 128_000,
  maxOutputTokens: 16_000,
  inputUsdPerMtok: 1.25,
  outputUsdPerMtok: 10,
  cachedInputUsdPerMtok: 0.125,
  capabilities: {},
  isDefault: false,
  enabled: true,
  available: true,
  fallbacks: [],
  autoTiers: [],
  sortOrder: 0,
  pricesEffectiveOn: '2026-12-01',
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...fields,
})

function serve(patchAnswer?: (id: string, body: unknown) => Response) {
  let list: AdminModelList = {
    items: [model('terra', { isDefault: true, fallbacks: ['luna'] }), model('luna')],
    defaultModelId: 'terra',
  }
  const patches: { id: string; body: unknown }[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    if (url.pathname === '/api/v1/admin/models') return Response.json(list)
    const id = url.pathname.split('/').at(-1) ?? ''
    if (init?.method === 'PATCH') {
      const body = JSON.parse(String(init.body)) as Partial<AdminModel>
      patches.push({ id, body })
      if (patchAnswer) return patchAnswer(id, body)
      list = {
        ...list,
        items: list.items.map((m) =>
          m.id === id ? { ...m, ...body, updatedAt: new Date().toISOString() } : m,
        ),
      }
      return Response.json(list.items.find((m) => m.id === id))
    }
    return new Response(null, { status: 404 })
  })
  vi.stubGlobal('fetch', fetch)
  return patches
}

function renderPage() {
  renderWithQueries(<ModelsPage />)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('ModelsPage', () => {
  it('lists every model with its switch, default, prices and fallbacks', async () => {
    serve()
    renderPage()
    expect(screen.getByRole('heading', { name: 'Models' })).toBeVisible()
    expect(await screen.findByRole('switch', { name: 'TERRA enabled' })).toBeChecked()
    expect(screen.getByRole('radio', { name: 'TERRA is the default' })).toBeChecked()
    expect(screen.getByRole('radio', { name: 'LUNA is the default' })).not.toBeChecked()
    const terra = screen.getByRole('form', { name: 'TERRA settings' })
    expect(within(terra).getByLabelText('Input $/M')).toHaveValue('1.25')
    expect(within(terra).getByLabelText('Fallbacks (model ids, in order)')).toHaveValue('luna')
  })

  it('saves a row’s new price and name together', async () => {
    const patches = serve()
    renderPage()
    const luna = await screen.findByRole('form', { name: 'LUNA settings' })
    const price = within(luna).getByLabelText('Input $/M')
    await userEvent.clear(price)
    await userEvent.type(price, '3.5')
    await userEvent.click(within(luna).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(patches).toHaveLength(1))
    expect(patches[0]).toMatchObject({
      id: 'luna',
      body: { inputUsdPerMtok: 3.5, displayName: 'LUNA' },
    })
  })

  it('says in words what is wrong before sending a price below 0', async () => {
    const patches = serve()
    renderPage()
    const luna = await screen.findByRole('form', { name: 'LUNA settings' })
    const price = within(luna).getByLabelText('Output $/M')
    await userEvent.clear(price)
    await userEvent.type(price, '-1')
    await userEvent.click(within(luna).getByRole('button', { name: 'Save' }))
    expect(await within(luna).findByRole('alert')).toHaveTextContent(
      'Output price cannot be below 0.',
    )
    expect(patches).toEqual([])
  })

  it('moves the default and shows the server’s refusal to disable it', async () => {
    const patches = serve((id, body) =>
      'enabled' in (body as object)
        ? Response.json(
            {
              error: {
                code: 'conflict',
                message:
                  'TERRA is the default model: make another model the default before disabling it',
                requestId: 'r',
              },
            },
            { status: 409 },
          )
        : Response.json(model(id, body as Partial<AdminModel>)),
    )
    renderPage()
    await userEvent.click(await screen.findByRole('radio', { name: 'LUNA is the default' }))
    await waitFor(() => expect(patches).toContainEqual({ id: 'luna', body: { isDefault: true } }))
    await userEvent.click(screen.getByRole('switch', { name: 'TERRA enabled' }))
    expect(await screen.findByRole('alert')).toHaveTextContent(/make another model the default/)
  })
})
