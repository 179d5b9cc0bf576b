import { readFileSync } from 'node:fs';

/**
 * A merchant's local credentials as `node packages/api/src/cli/demo-merchant.ts` keeps them:
 * `{merchant, api_key, webhook_secret}`.
 */
export interface MerchantCredentials {
  merchant: string;
  /** Bearer key of the merchant endpoints. */
  api_key: string;
  /** Signs order webhooks. */
  webhook_secret: string;
}

/** Reads the credentials file; throws naming the file and the field at fault. */
export function readMerchantCredentials(file: string): MerchantCredentials {
  let content: Partial<Record<keyof MerchantCredentials, unknown>>;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read merchant credentials from ${file}: ${(error as Error).message}`);
  }
  for (const field of ['merchant', 'api_key', 'webhook_secret'] as const) {
    if (typeof content[field] !== 'string' || content[field] === '') {
      throw new Error(`merchant credentials in ${file} lack a string ${field}`);
    }
  }
  return content as MerchantCredentials;
}
