import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { StorageSettings } from '../../config.ts'
import type { FileStorage } from './index.ts'
import { checkedKey, checkedOwner, isOwnerId } from './keys.ts'

/** Originals in an S3-compatible bucket: AWS S3, Supabase Storage, GCS interoperability, MinIO. */
export class S3FileStorage implements FileStorage {
  readonly #client: S3Client
  readonly #bucket: string

  readonly #pageSize: number

  /** `pageSize`: keys per listing page (S3's most, 1000, unless a test wants several pages). */
  constructor(settings: Extract<StorageSettings, { kind: 's3' }>, { pageSize = 1000 } = {}) {
    this.#bucket = settings.bucket
    this.#pageSize = pageSize
    this.#client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      forcePathStyle: settings.forcePathStyle,
      // Only where S3 demands them: the newer default checksums are refused by several
      // S3-compatible services (GCS, older MinIO and Supabase Storage versions).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  }

  async put(key: string, bytes: Uint8Array, options: { contentType: string }): Promise<void> {
    // One PUT: S3 makes an object visible only once all of it has arrived.
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: checkedKey(key),
        Body: bytes,
        ContentType: options.contentType,
        ContentLength: bytes.byteLength,
      }),
    )
  }

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | null> {
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: checkedKey(key) }),
      )
      return new Uint8Array(object.Body ? await object.Body.transformToByteArray() : [])
    } catch (error) {
      if (error instanceof NoSuchKey) return null
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: checkedKey(key) }))
  }

  async deleteOwner(ownerId: string): Promise<void> {
    const prefix = `${checkedOwner(ownerId)}/`
    await this.#eachPage({ Prefix: prefix }, async (page) => {
      const keys = (page.Contents ?? []).flatMap(({ Key }) =>
        Key?.startsWith(prefix) ? [Key] : [],
      )
      // One DELETE per object, a few at a time: the multi-object delete needs a body checksum
      // that several S3-compatible services refuse in the form the SDK now sends.
      for (let at = 0; at < keys.length; at += DELETES_AT_ONCE) {
        await Promise.all(
          keys
            .slice(at, at + DELETES_AT_ONCE)
            .map((Key) =>
              this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key })),
            ),
        )
      }
    })
  }

  async listOwners(): Promise<string[]> {
    const owners: string[] = []
    await this.#eachPage({ Delimiter: '/' }, async (page) => {
      for (const { Prefix } of page.CommonPrefixes ?? []) {
        const owner = Prefix?.slice(0, -1)
        if (owner && isOwnerId(owner)) owners.push(owner)
      }
    })
    return owners
  }

  /** Lists the bucket page by page (continuation tokens), handing each page to `visit`. */
  async #eachPage(
    query: { Prefix?: string; Delimiter?: '/' },
    visit: (page: ListObjectsV2CommandOutput) => Promise<void>,
  ): Promise<void> {
    let token: string | undefined
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          MaxKeys: this.#pageSize,
          ...query,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      )
      await visit(page)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }
}

const DELETES_AT_ONCE = 8
