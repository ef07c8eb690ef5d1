// Bundles the lifecycle handler into assets/lifecycle-handler/index.js, the asset the constructs
// deploy. The AWS SDK v3 clients come from the Lambda runtime, so they stay external and the
// bundle holds only the handler, the Genesys client and the shared rules.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'assets', 'lifecycle-handler', 'index.js');
mkdirSync(dirname(outfile), { recursive: true });

// The options live in a JSON file of their own so that the benchmarks bundle their baseline the
// same way.
const options = JSON.parse(readFileSync(join(root, 'scripts', 'handler-bundle-options.json'), 'utf8'));

await build({
  ...options,
  entryPoints: [join(root, 'lib', 'lifecycle', 'handler.ts')],
  outfile,
  logLevel: 'warning',
});

const bytes = statSync(outfile).size;
console.log(`lifecycle handler bundle: ${outfile} (${(bytes / 1024).toFixed(1)} KiB)`);
