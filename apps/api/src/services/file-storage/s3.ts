import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type { StorageSettings } from '../../config.ts'
import type { FileStorage } from './index.ts'
import { checkedKey } from './keys.ts'

/** Originals in an S3-compatible bucket: AWS S3, Supabase Storage, GCS interoperability, MinIO. */
export class S3FileStorage implements FileStorage {
  readonly #client: S3Client
  readonly #bucket: string

  constructor(settings: Extract<StorageSettings, { kind: 's3' }>) {
    this.#bucket = settings.bucket
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
}
