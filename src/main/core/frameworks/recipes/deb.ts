import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KintsugiError } from '../../../../shared/errors';
import type { Recipe } from '../../../../shared/frameworks/entry';
import { runTool } from '../../util/run-tool';
import type { JobContext } from '../../jobs/context';
import { aptInstall, aptRemoveExactly } from './apt';
import type { RecipeRunner } from './recipe-runner';

// .deb recipes: downloaded by the process that installs it (the helper, as root) into a folder only it can
// write, hashed while it is written, compared with the manifest's sha256, its control file's Package compared with
// the manifest's, and only then handed to apt (which installs its dependencies, never removing a package). What
// was hashed is what is installed: nobody else can replace the file in between.

type Deb = NonNullable<Recipe['deb']>;

/** Downloads URL into DIR, returning the file and its sha256 as computed here. */
export async function downloadHashed(
  url: string,
  dir: string,
  signal: AbortSignal,
): Promise<{ file: string; sha256: string }> {
  const res = await fetch(url, { signal, redirect: 'follow' }).catch((err: unknown) => {
    throw new KintsugiError(
      'FRAMEWORK_INSTALL_FAILED',
      `download: ${url} could not be fetched (${(err as Error).message})`,
      {
        cause: err,
        hint: 'Check the network, then try again.',
      },
    );
  });
  if (!res.ok || !res.body)
    throw new KintsugiError('FRAMEWORK_INSTALL_FAILED', `download: ${url} answered HTTP ${res.status}`, {
      hint: 'The URL in the manifest is wrong or the file moved: update the manifest.',
    });
  const file = join(dir, 'package.deb');
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    tap,
    createWriteStream(file, { mode: 0o600 }),
    { signal },
  );
  return { file, sha256: hash.digest('hex') };
}

export function debRecipe(deb: Deb): RecipeRunner {
  return {
    label: `deb ${deb.package} from ${deb.url}`,
    async install(ctx: JobContext, tools) {
      const dir = await mkdtemp(join(tmpdir(), 'kintsugi-deb-')); // 0700, owned by whoever runs the recipe
      try {
        ctx.log(`Downloading ${deb.url}`);
        const { file, sha256 } = await downloadHashed(deb.url, dir, ctx.signal);
        if (sha256 !== deb.sha256)
          throw new KintsugiError(
            'FRAMEWORK_DEB_MISMATCH',
            `${deb.url}: sha256 ${sha256}, the manifest says ${deb.sha256}`,
          );
        const { stdout } = await runTool('dpkg-deb', ['--field', file, 'Package'], {
          env: tools.env,
          extendEnv: false,
        });
        if (stdout.trim() !== deb.package)
          throw new KintsugiError(
            'FRAMEWORK_DEB_MISMATCH',
            `${deb.url} is the package "${stdout.trim()}", the manifest says "${deb.package}"`,
          );
        ctx.log(`sha256 ${sha256} and package ${deb.package} match the manifest`);
        await aptInstall('apt-get install (.deb)', file, ctx, tools);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    uninstall: (ctx, tools, opts) => aptRemoveExactly(deb.package, ctx, tools, opts),
    binDirs: async () => [],
  };
}
