// ./hoot archive forget --merchant M --subscriber S | retention --days N: the archive's
// maintenance, run by hand. `forget` erases one subscriber (a privacy request); `retention` removes
// expired hour partitions once, as a running archiver with ARCHIVE_RETENTION_DAYS does every hour.
// Storage from ARCHIVE_URL and ARCHIVE_S3_* (credentials: the AWS SDK's chain), as ./hoot sql.
import { parseArgs } from 'node:util';
import { forgetSubscriber } from '../maintenance/forget.ts';
import { removeExpired } from '../maintenance/retention.ts';
import { openArchiveForTool } from '../storage/archive-store.ts';

const usage = `usage: ./hoot archive forget --merchant <merchant> --subscriber <subscriber id>
       ./hoot archive retention --days <days>
  forget     erases a subscriber of a merchant from every archive file, and from every file
             the archiver writes from now on
  retention  removes the hour partitions that ended more than <days> days ago, once`;

/** A usage error: says what is wrong, shows the usage, exits 2. */
function usageError(problem: string): never {
  process.stderr.write(`archive: ${problem}\n${usage}\n`);
  process.exit(2);
}

/** The subcommand's options; a missing, unknown or repeated option is a usage error. */
function options<const N extends string>(args: string[], names: readonly N[]): Record<N, string> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string', multiple: true } as const])),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  const found: Partial<Record<N, string>> = {};
  for (const name of names) {
    const given = values[name] as string[] | undefined;
    if (given === undefined || given[0]?.trim() === '') usageError(`--${name} is required`);
    if (given.length > 1) usageError(`--${name} is given ${given.length} times`);
    found[name] = given[0];
  }
  return found as Record<N, string>;
}

/** A whole number from `min` up that fits a double exactly, or a usage error naming the option. */
function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    usageError(`--${name} must be a whole number of at least ${min} (got ${JSON.stringify(text)})`);
  }
  return value;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

async function forget(args: string[]): Promise<void> {
  const given = options(args, ['merchant', 'subscriber']);
  const subscriberId = wholeNumber('subscriber', given.subscriber, 1);
  const store = await openArchiveForTool('archive');
  try {
    print(`forgetting subscriber ${subscriberId} of merchant ${given.merchant} in ${store.url}`);
    const result = await forgetSubscriber(store, given.merchant, subscriberId, { log: print });
    print(
      `${result.filesScanned} files scanned, ${result.filesRewritten} rewritten, ` +
        `${result.rowsRemoved} rows removed; the erasure is recorded, so the archiver leaves ` +
        'this subscriber out of the files it writes from now on',
    );
  } finally {
    await store.close();
  }
}

async function retention(args: string[]): Promise<void> {
  const given = options(args, ['days']);
  // 0 would remove every hour already ended, today's included: refused rather than honoured.
  const days = wholeNumber('days', given.days, 1);
  const store = await openArchiveForTool('archive');
  try {
    const now = Date.now();
    const cutoff = new Date(now - days * 86_400_000).toISOString();
    print(`removing the hour partitions of ${store.url} that ended before ${cutoff}`);
    const removed = await removeExpired(store, days, now);
    for (const key of removed) print(key);
    print(`${removed.length} files removed`);
  } finally {
    await store.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
const commands = new Map([
  ['forget', forget],
  ['retention', retention],
]);
if (command === 'help' || command === '--help' || command === '-h') {
  print(usage);
  process.exit(0);
}
const run = command === undefined ? undefined : commands.get(command);
if (run === undefined) {
  usageError(command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`);
}
try {
  await run(rest);
} catch (error) {
  process.stderr.write(`archive: ${command} failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
