/**
 * `npm run stack:db -- start [--apply-delay 3s]` / `npm run stack:db:down`:
 * the PostgreSQL primary, its streaming replica and a PgBouncer in front of each.
 */
import { parseArgs } from 'node:util';
import { startPostgresTopology, stopPostgresTopology, topologyUrls } from './postgres-topology.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'apply-delay': { type: 'string', default: '0' }, dir: { type: 'string' } },
});
const command = positionals[0] ?? 'start';
const options = { applyDelay: values['apply-delay'], ...(values.dir ? { dir: values.dir } : {}) };

if (command === 'start') {
  const started = Date.now();
  await startPostgresTopology(options);
  const urls = topologyUrls('postgres');
  process.stdout.write(
    `PostgreSQL topology ready in ${Date.now() - started} ms (replica apply delay ${options.applyDelay}):\n` +
      Object.entries(urls)
        .map(([name, url]) => `  ${name.padEnd(17)} ${url}`)
        .join('\n') +
      '\n',
  );
} else if (command === 'stop') {
  await stopPostgresTopology(options);
  process.stdout.write('PostgreSQL topology stopped.\n');
} else {
  process.stderr.write('usage: db-topology.ts start [--apply-delay 3s] [--dir DIR] | stop [--dir DIR]\n');
  process.exit(2);
}
