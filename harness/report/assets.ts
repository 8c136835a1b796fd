import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { VegaAssets } from './page.js';

/**
 * The browser builds of Vega, Vega-Lite and vega-embed (UMD files that work as classic scripts),
 * read from the installed packages, whose exports hide the build folder: it is found beside
 * each package's main module.
 */
const BUILDS = {
  vega: ['vega', 'vega.min.js'],
  vegaLite: ['vega-lite', 'vega-lite.min.js'],
  vegaEmbed: ['vega-embed', 'vega-embed.min.js'],
} as const;

let cached: Promise<VegaAssets> | undefined;

export function loadVegaAssets(): Promise<VegaAssets> {
  cached ??= (async () => {
    const require = createRequire(import.meta.url);
    const read = ([name, file]: readonly [string, string]) =>
      readFile(join(dirname(require.resolve(name)), file), 'utf8');
    const [vega, vegaLite, vegaEmbed] = await Promise.all([
      read(BUILDS.vega),
      read(BUILDS.vegaLite),
      read(BUILDS.vegaEmbed),
    ]);
    return { vega, vegaLite, vegaEmbed };
  })();
  return cached;
}
