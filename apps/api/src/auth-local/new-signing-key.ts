// Prints a fresh private ES256 key for PARLEY_AUTH_SIGNING_KEYS: `pnpm --filter @parley/api new-signing-key`.
import { newSigningKeyJson } from './signing-key.ts'

process.stdout.write(`${await newSigningKeyJson()}\n`)
