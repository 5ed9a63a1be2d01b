import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KintsugiError } from '../../src/shared/errors';
import { installFramework } from '../../src/main/core/frameworks/install';
import { uninstallFramework } from '../../src/main/core/frameworks/uninstall';
import type { FrameworkTools } from '../../src/main/core/frameworks/tools';
import { quietContext } from '../../src/main/core/jobs/context';

// VS Code extension recipes. VS Code cannot run here (no display, no download of it), so `code` is a STAND-IN:
// a shell script that records its arguments and keeps an extension list in a file, answering
// --install-extension, --uninstall-extension and --list-extensions --show-versions as VS Code's CLI does.

let dir: string;
let tools: FrameworkTools;
const STAND_IN_CODE = `#!/bin/sh
# Stand-in for VS Code's \`code\` CLI (tests only).
db="$(dirname "$0")/extensions.txt"; touch "$db"
echo "$*" >> "$(dirname "$0")/argv.log"
case "$1" in
  --install-extension) echo "$2@1.2.3" >> "$db"; echo "Extension '$2' v1.2.3 was successfully installed." ;;
  --uninstall-extension) grep -v "^$2@" "$db" > "$db.new"; mv "$db.new" "$db"; echo "Extension '$2' was successfully uninstalled!" ;;
  --list-extensions) cat "$db" ;;
  *) exit 2 ;;
esac
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-fw-vscode-'));
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'code'), STAND_IN_CODE);
  await chmod(join(dir, 'bin', 'code'), 0o755);
  tools = { env: { ...(process.env as Record<string, string>), PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('vscode recipe (stand-in `code`)', () => {
  const f = { name: 'continue', recipe: { vscode: 'Continue.continue' } };

  it('installs with code --install-extension, is installed when code lists it, uninstalls', async () => {
    const r = await installFramework(f, quietContext(), tools);
    expect(r.state).toEqual({ installed: true, version: '1.2.3' });
    const u = await uninstallFramework(f, quietContext(), tools);
    expect(u.state).toMatchObject({ installed: false, reason: 'VS Code does not list Continue.continue' });
    expect((await readFile(join(dir, 'bin', 'argv.log'), 'utf8')).split('\n')).toEqual(
      expect.arrayContaining([
        '--install-extension Continue.continue',
        '--list-extensions --show-versions',
        '--uninstall-extension Continue.continue',
      ]),
    );
  });

  it('a cancelled install is still rolled back (the roll-back does not inherit the cancel)', async () => {
    const cancel = new AbortController();
    cancel.abort();
    const lines: string[] = [];
    const err = await installFramework(
      { name: 'other', recipe: { vscode: 'pub.other' } },
      { ...quietContext(cancel.signal), log: (m) => void lines.push(m) },
      tools,
    ).catch((e: unknown) => e);
    expect((err as KintsugiError).code).toBe('CANCELLED');
    expect(lines).toContain('Roll-back: rolled back: nothing of it is left installed');
    expect(await readFile(join(dir, 'bin', 'argv.log'), 'utf8')).toContain('--uninstall-extension pub.other');
  });

  it('without VS Code says which tool is missing', async () => {
    const err = await installFramework(f, quietContext(), { env: { PATH: '/nonexistent' } }).catch(
      (e: unknown) => e,
    );
    expect((err as KintsugiError).code).toBe('TOOL_MISSING');
    expect((err as KintsugiError).detail).toBe('code is not installed or not on PATH');
  });
});
