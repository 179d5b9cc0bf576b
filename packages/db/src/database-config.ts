import { Type } from '@sinclair/typebox';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hoot';

/** Environment variables every Postgres-speaking service reads. */
export const databaseEnvProperties = {
  DATABASE_URL: Type.String({
    default: DEFAULT_DATABASE_URL,
    pattern: '^postgres(ql)?://',
    description: 'Postgres connection URL; the database is created when missing',
  }),
};

/** The database name a connection URL points at. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (name === '') throw new Error(`DATABASE_URL ${redactUrl(url)} names no database`);
  return name;
}

/** The same server, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** A URL safe to log: the password replaced. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}
