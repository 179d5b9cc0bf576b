// ./hoot sql "SELECT …" [--json | --csv]: SQL over the archive with DuckDB. The views dispatch,
// pings and orders read every archive file (complete, and open copies of files being filled),
// with the Hive partition columns topic, dt and hour. Storage from ARCHIVE_URL and ARCHIVE_S3_*.
import { parseArgs } from 'node:util';
import { openArchiveDatabase } from '../query/archive-database.ts';
import { formatCsv, formatJsonLines, formatTable } from '../query/format-result.ts';
import { openArchiveForTool } from '../storage/archive-store.ts';

const usage = `usage: ./hoot sql "SELECT …" [--json | --csv]
  views: dispatch (${'pushnotification-dispatch'}), pings (pushnotification-ping), orders
  e.g.   ./hoot sql "SELECT outcome, count(*) FROM dispatch GROUP BY ALL"`;

let parsed: ReturnType<
  typeof parseArgs<{
    options: { json: { type: 'boolean' }; csv: { type: 'boolean' }; help: { type: 'boolean' } };
    allowPositionals: true;
  }>
>;
try {
  parsed = parseArgs({
    options: { json: { type: 'boolean' }, csv: { type: 'boolean' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${usage}\n`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const problem =
  positionals.length !== 1
    ? `give one SQL statement, quoted (got ${positionals.length} arguments)`
    : (positionals[0] as string).trim() === ''
      ? 'the SQL statement is empty'
      : values.json === true && values.csv === true
        ? '--json and --csv cannot be used together'
        : undefined;
if (problem !== undefined) {
  process.stderr.write(`sql: ${problem}\n${usage}\n`);
  process.exit(2);
}
const store = await openArchiveForTool('sql');
const database = await openArchiveDatabase(store);
try {
  const result = await database.query(positionals[0] as string);
  process.stdout.write(
    values.json ? formatJsonLines(result) : values.csv ? formatCsv(result) : `${formatTable(result)}\n`,
  );
} catch (error) {
  process.stderr.write(`sql: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  database.close();
  await store.close();
}
