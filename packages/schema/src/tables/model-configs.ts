import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  date,
  integer,
  jsonb,
  numeric,
  pgPolicy,
  pgTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { authenticatedRole } from 'drizzle-orm/supabase'
import { isAdmin, timestamps } from './columns.ts'

export type ModelCapabilities = Record<string, boolean>

/** What `auto` may pick a model for: short simple turns, or demanding ones. */
export const autoTiers = ['small', 'strong'] as const
export type AutoTier = (typeof autoTiers)[number]

const usdPerMillionTokens = (name: string) =>
  numeric(name, { precision: 12, scale: 6, mode: 'number' }).notNull()

/** The model catalog: readable by every signed-in user, writable by admins only. */
export const modelConfigs = pgTable(
  'model_configs',
  {
    /** Public model id used by the API and the web app (`gpt-5-mini`, `claude-sonnet-4-5`). */
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    upstreamModel: text('upstream_model').notNull(),
    displayName: text('display_name').notNull(),
    contextWindow: integer('context_window').notNull(),
    maxOutputTokens: integer('max_output_tokens').notNull(),
    inputUsdPerMtok: usdPerMillionTokens('input_usd_per_mtok'),
    outputUsdPerMtok: usdPerMillionTokens('output_usd_per_mtok'),
    cachedInputUsdPerMtok: usdPerMillionTokens('cached_input_usd_per_mtok'),
    /** The date the prices above were published as effective. */
    pricesEffectiveOn: date('prices_effective_on', { mode: 'string' }).notNull(),
    capabilities: jsonb('capabilities').$type<ModelCapabilities>().notNull().default({}),
    enabled: boolean('enabled').notNull().default(true),
    isDefault: boolean('is_default').notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    /** Public ids to try, in order, when this model fails; null until seeded from configuration. */
    fallbacks: text('fallbacks').array(),
    /** The `auto` tiers this model serves (`small`, `strong`); null until seeded. */
    autoTiers: text('auto_tiers').array().$type<AutoTier[]>(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('model_configs_single_default_idx').on(t.isDefault).where(sql`${t.isDefault}`),
    check('model_configs_id_format', sql`${t.id} ~ '^[a-z0-9][a-z0-9._:-]{0,63}$'`),
    check(
      'model_configs_limits_valid',
      sql`${t.contextWindow} > 0 and ${t.maxOutputTokens} > 0 and ${t.maxOutputTokens} <= ${t.contextWindow}`,
    ),
    check(
      'model_configs_auto_tiers_valid',
      sql`${t.autoTiers} is null or ${t.autoTiers} <@ array['small', 'strong']::text[]`,
    ),
    check(
      'model_configs_fallbacks_not_self',
      sql`${t.fallbacks} is null or not (${t.id} = any (${t.fallbacks}))`,
    ),
    check(
      'model_configs_prices_non_negative',
      sql`${t.inputUsdPerMtok} >= 0 and ${t.outputUsdPerMtok} >= 0 and ${t.cachedInputUsdPerMtok} >= 0`,
    ),
    pgPolicy('model_configs_select_authenticated', {
      for: 'select',
      to: authenticatedRole,
      using: sql`true`,
    }),
    pgPolicy('model_configs_insert_admin', {
      for: 'insert',
      to: authenticatedRole,
      withCheck: isAdmin,
    }),
    pgPolicy('model_configs_update_admin', {
      for: 'update',
      to: authenticatedRole,
      using: isAdmin,
      withCheck: isAdmin,
    }),
    pgPolicy('model_configs_delete_admin', {
      for: 'delete',
      to: authenticatedRole,
      using: isAdmin,
    }),
  ],
).enableRLS()
