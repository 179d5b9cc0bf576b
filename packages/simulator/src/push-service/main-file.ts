import { fileURLToPath } from 'node:url';

/**
 * The standalone push service's entry point (`node <file>`), for tests that run it as a process
 * of its own: TLS_CERT, TLS_KEY, PUSH_PORT, ADMIN_PORT, PUSH_HOST, DECRYPT_EVERY, RECORD.
 */
export const pushServiceMainFile = fileURLToPath(new URL('../push-service-main.ts', import.meta.url));
