// `npm run serve` / `node dist/src-main/server/main.js [--host 127.0.0.1] [--port 5180]`:
// start browser mode and print the URL (with its access token). Ctrl+C stops the server and the engine.
import { parseArgs } from 'node:util';
import { startServer } from './server.js';

const USAGE = 'usage: npm run serve -- [--host 127.0.0.1] [--port 5180]   (port 0 = any free port)';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string', default: process.env.DIGIT_LAB_HOST ?? '127.0.0.1' },
        port: { type: 'string', default: process.env.DIGIT_LAB_PORT ?? '5180' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`serve: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: --port must be an integer 0-65535, got '${values.port}'`);
    process.exit(2);
  }
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    console.error(`serve: warning: listening on ${values.host}, reachable from other machines (the token still guards it)`);
  }
  const server = await startServer({ host: values.host, port });
  // The line tests and scripts look for: keep its shape.
  console.log(`Digit Lab is running at ${server.url}`);
  console.log('Open that URL in a browser (the token in it is required). Press Ctrl+C to stop.');
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') console.error('serve: that port is already in use: pick another with --port (0 = any free port)');
  else console.error(`serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
