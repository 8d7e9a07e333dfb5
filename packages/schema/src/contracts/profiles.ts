import { createSelectSchema } from 'drizzle-zod'
import { z } from 'zod'
import { maxCustomInstructionChars } from '../limits.ts'
import { profiles, themes } from '../tables/profiles.ts'
import { isoDateTime, modelId } from './common.ts'

/** Blank clears an instruction. */
const instruction = z
  .string()
  .max(maxCustomInstructionChars)
  .transform((text) => text.trim() || null)
  .nullable()

export const profile = createSelectSchema(profiles, {
  settings: z.record(z.string(), z.unknown()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
})
export type Profile = z.infer<typeof profile>

/** `GET /me`: the caller's profile and what the token says about them. */
export const me = profile.extend({ role: z.enum(['user', 'admin']) })
export type Me = z.infer<typeof me>

export const updateProfileBody = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).nullable(),
    defaultModel: modelId.nullable(),
    theme: z.enum(themes),
    aboutMe: instruction,
    replyStyle: instruction,
    settings: z
      .record(z.string().max(100), z.unknown())
      .refine((value) => JSON.stringify(value).length <= 10_000, 'must be under 10 kB as JSON'),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to update')
export type UpdateProfileBody = z.infer<typeof updateProfileBody>

/** Deleting one's account: the email typed again, as a confirmation a stray click cannot give. */
export const deleteAccountBody = z.strictObject({ confirmEmail: z.string().trim().min(1).max(255) })
export type DeleteAccountBody = z.infer<typeof deleteAccountBody>
