export { type CreateStorageOptions, createStorage, type StorageEnv, storageEnvSchema } from "./config.ts";
export { contentTypeForKey } from "./content-type.ts";
export {
  createFilesystemStorage,
  type FilesystemStorage,
  type FilesystemStorageOptions,
  type ServableObject,
} from "./filesystem.ts";
export { createS3Storage, type S3Storage, type S3StorageOptions } from "./s3.ts";
export {
  assertValidKey,
  InvalidKeyError,
  MAX_KEY_LENGTH,
  ObjectNotFoundError,
  ObjectSizeMismatchError,
  type ObjectStorage,
  type PresignedPut,
  type PutFileOptions,
  type PutOptions,
  type StoredObject,
} from "./storage.ts";
export { type UploadSignatureCheck, verifyUploadSignature } from "./upload-signature.ts";
