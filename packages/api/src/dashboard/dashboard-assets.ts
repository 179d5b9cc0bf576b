import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The pages of the dashboard; each has one script of the same name under `browser/pages/`. */
export const PAGE_NAMES = [
  'sign-in',
  'campaigns',
  'campaign',
  'compose',
  'subscribers',
  'notifications',
] as const;
export type PageName = (typeof PAGE_NAMES)[number];

/** One built file, served from memory under its content-hashed name. */
export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  /** A strong ETag of the bytes. */
  etag: string;
}

/** What the build produced: the files by name, and which file each page and the stylesheet are. */
export interface DashboardAssets {
  files: ReadonlyMap<string, DashboardAsset>;
  scripts: Readonly<Record<PageName, string>>;
  stylesheet: string;
}

const browserDir = fileURLToPath(new URL('./browser/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** A strong ETag of bytes: the first 128 bits of their SHA-256. */
export function etagOf(bytes: Uint8Array | string): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
}

let building: Promise<DashboardAssets> | undefined;

/**
 * Bundles the pages' TypeScript (uPlot included) and the stylesheet once per process, in memory:
 * every app built in the process (tests build many) shares the result. Names carry a content
 * hash, so a browser may keep them for a year and a new build is a new name.
 */
export function dashboardAssets(): Promise<DashboardAssets> {
  building ??= buildDashboardAssets().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function buildDashboardAssets(): Promise<DashboardAssets> {
  const entryPoints: Record<string, string> = { dashboard: 'dashboard.css' };
  for (const page of PAGE_NAMES) entryPoints[page] = `pages/${page}.ts`;
  const result = await esbuild.build({
    absWorkingDir: browserDir,
    entryPoints,
    outdir: 'out',
    entryNames: '[name]-[hash]',
    chunkNames: 'shared-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });

  const files = new Map<string, DashboardAsset>();
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    const body = Buffer.from(file.contents);
    const contentType = contentTypes[path.extname(name)] ?? 'application/octet-stream';
    files.set(name, { body, contentType, etag: etagOf(body) });
  }

  const outputOf = new Map<string, string>();
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint !== undefined) outputOf.set(meta.entryPoint, path.basename(output));
  }
  const named = (entry: string): string => {
    const name = outputOf.get(entry);
    if (name === undefined) throw new Error(`dashboard build produced nothing for ${entry}`);
    return name;
  };
  const scripts = Object.fromEntries(PAGE_NAMES.map((page) => [page, named(`pages/${page}.ts`)]));
  return { files, scripts: scripts as Record<PageName, string>, stylesheet: named('dashboard.css') };
}
