import { ESLint, Linter, RuleTester } from 'eslint';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { LAYER_ZONES, type LayerZone } from '../../eslint-rules/layer-zones.js';
import layers, { addressOf } from '../../eslint-rules/layers.js';

// The layering rule against the real zone table. The cases are written out by hand, not derived from the table:
// a zone (or one entry of it) that goes missing lets its cases through, and the last tests prove that each zone
// and each entry of the table has such a case.

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const root = process.cwd();
const at = (file: string) => join(root, file);

interface Case {
  file: string;
  code: string;
}
interface Bad extends Case {
  messageId: 'forbidden' | 'notAllowed';
}

const allowed: Case[] = [
  { file: 'src/shared/jobs/contract.ts', code: "import { z } from 'zod'; import { x } from '../errors';" },
  { file: 'src/shared/app/settings.ts', code: "import type { P } from '../paths';" },
  {
    file: 'src/main/core/image/check.ts',
    code: "import { stat } from 'node:fs/promises'; import { execa } from 'execa'; import type { JobContext } from '../jobs/context'; import { e } from '../../../shared/errors';",
  },
  { file: 'src/main/core/app/version.ts', code: "import pkg from '../../../../package.json';" },
  {
    file: 'src/renderer/steps/drive-step.tsx',
    code: "import { create } from 'zustand'; import { jsx } from 'react/jsx-runtime'; import { api } from '../api'; import type { E } from '../../shared/errors'; import '../styles.css?inline';",
  },
  { file: 'src/renderer/app.tsx', code: "import { Thing } from '@scope/widgets/button';" },
  {
    file: 'src/preload/index.ts',
    code: "import { contextBridge } from 'electron'; import { DOMAINS } from '../shared/registry'; import { b } from './bridge';",
  },
  {
    file: 'src/main/cli/commands.ts',
    code: "import { join } from 'node:path'; import { createServices } from '../core/services';",
  },
  // A folder import is the folder's index, not a file of the shell.
  { file: 'src/main/api/handlers.ts', code: "import { x } from '../core';" },
  { file: 'src/main/helper/index.ts', code: "import { runJob } from '../core/jobs/run-job';" },
  // The shell itself, and everything outside src/, are not zoned.
  {
    file: 'src/main/index.ts',
    code: "import { app } from 'electron'; import { h } from './api/handlers'; import { c } from './helper/client';",
  },
  {
    file: 'test/unit/x.test.ts',
    code: "import { app } from 'electron'; import { p } from '../../src/main/paths';",
  },
];

const refused: Bad[] = [
  // shared: no side of the app, no Node, no Electron
  { file: 'src/shared/registry.ts', code: "import { p } from '../main/paths';", messageId: 'forbidden' },
  {
    file: 'src/shared/jobs/record.ts',
    code: "export * from '../../main/core/jobs/journal';",
    messageId: 'forbidden',
  },
  { file: 'src/shared/registry.ts', code: "import { api } from '../preload/index';", messageId: 'forbidden' },
  {
    file: 'src/shared/registry.ts',
    code: "export { useStore } from '../renderer/store';",
    messageId: 'forbidden',
  },
  { file: 'src/shared/paths.ts', code: "import { isAbsolute } from 'node:path';", messageId: 'forbidden' },
  { file: 'src/shared/paths.ts', code: "import { readFile } from 'fs/promises';", messageId: 'forbidden' },
  { file: 'src/shared/paths.ts', code: "type Os = typeof import('node:os');", messageId: 'forbidden' },
  { file: 'src/shared/paths.ts', code: "import os = require('os');", messageId: 'forbidden' },
  { file: 'src/shared/errors.ts', code: "import type { App } from 'electron';", messageId: 'forbidden' },
  // core: nothing that imports it, no Electron
  { file: 'src/main/core/jobs/journal.ts', code: "import { p } from '../../paths';", messageId: 'forbidden' },
  {
    file: 'src/main/core/jobs/run-job.ts',
    code: "import { h } from '../../api/handlers';",
    messageId: 'forbidden',
  },
  {
    file: 'src/main/core/services.ts',
    code: "import { USAGE } from './../cli/usage';",
    messageId: 'forbidden',
  },
  {
    file: 'src/main/core/app/a.ts',
    code: "import { APP_VERSION } from '../../helper/version';",
    messageId: 'forbidden',
  },
  {
    file: 'src/main/core/image/check.ts',
    code: "import { host } from '../../utility/host';",
    messageId: 'forbidden',
  },
  {
    file: 'src/main/core/a/b.ts',
    code: "import { api } from '../../../preload/index';",
    messageId: 'forbidden',
  },
  {
    file: 'src/main/core/a/b.ts',
    code: "import { s } from '../../../renderer/store';",
    messageId: 'forbidden',
  },
  { file: 'src/main/core/a/b.ts', code: "const e = await import('electron/main');", messageId: 'forbidden' },
  // renderer: itself, shared and npm packages only
  {
    file: 'src/renderer/store.ts',
    code: "import { h } from '../main/core/jobs/job-runner';",
    messageId: 'notAllowed',
  },
  { file: 'src/renderer/store.ts', code: "import { b } from '../preload/index';", messageId: 'notAllowed' },
  { file: 'src/renderer/store.ts', code: "import pkg from '../../package.json';", messageId: 'notAllowed' },
  { file: 'src/renderer/api.ts', code: "import { ipcRenderer } from 'electron';", messageId: 'forbidden' },
  { file: 'src/renderer/api.ts', code: "import { join } from 'path';", messageId: 'notAllowed' },
  // preload: shared and electron only
  { file: 'src/preload/index.ts', code: "import { readFile } from 'node:fs';", messageId: 'notAllowed' },
  { file: 'src/preload/index.ts', code: "import { z } from 'zod';", messageId: 'notAllowed' },
  {
    file: 'src/preload/index.ts',
    code: "import { registerIpc } from '../main/ipc';",
    messageId: 'notAllowed',
  },
  { file: 'src/preload/index.ts', code: "import { api } from '../renderer/api';", messageId: 'notAllowed' },
  // cli and api: no shell, no Electron
  { file: 'src/main/cli/main.ts', code: "import { userDataDir } from '../paths';", messageId: 'forbidden' },
  { file: 'src/main/cli/main.ts', code: "import { app } from 'electron';", messageId: 'forbidden' },
  { file: 'src/main/api/deps.ts', code: "import { pick } from '../dialogs';", messageId: 'forbidden' },
  { file: 'src/main/api/deps.ts', code: "const { app } = require('electron');", messageId: 'forbidden' },
  // cli: not the helper, not the app API
  { file: 'src/main/cli/commands.ts', code: "import { c } from '../helper/client';", messageId: 'forbidden' },
  { file: 'src/main/cli/commands.ts', code: "import { h } from '../api/handlers';", messageId: 'forbidden' },
  // helper: not the shell, the API or the CLI, no Electron
  { file: 'src/main/helper/index.ts', code: "import { p } from '../paths';", messageId: 'forbidden' },
  { file: 'src/main/helper/server.ts', code: "import { h } from '../api/handlers';", messageId: 'forbidden' },
  {
    file: 'src/main/helper/server.ts',
    code: "import { parseCli } from '../cli/args';",
    messageId: 'forbidden',
  },
  { file: 'src/main/helper/launch.ts', code: "import { app } from 'electron';", messageId: 'forbidden' },
];

new RuleTester({ languageOptions: { parser: tseslint.parser } }).run('layers/imports', layers.rules.imports, {
  valid: allowed.map((c) => ({ filename: at(c.file), code: c.code, options: [LAYER_ZONES] })),
  invalid: refused.map((c) => ({
    filename: at(c.file),
    code: c.code,
    options: [LAYER_ZONES],
    errors: [{ messageId: c.messageId }],
  })),
});

describe('the layering rule', () => {
  it('resolves where an import leads, not how it is spelled', () => {
    expect(addressOf('../../main/paths', at('src/shared/ipc/define.ts'), root)).toBe('src/main/paths');
    expect(addressOf('./../main/./paths.ts', at('src/shared/errors.ts'), root)).toBe('src/main/paths.ts');
    expect(addressOf('../core', at('src/main/api/handlers.ts'), root)).toBe('src/main/core/index');
    expect(addressOf('fs/promises', at('src/shared/a.ts'), root)).toBe('node:fs');
    expect(addressOf('electron/renderer', at('src/shared/a.ts'), root)).toBe('npm:electron');
    expect(addressOf('@scope/pkg/deep/path', at('src/shared/a.ts'), root)).toBe('npm:@scope/pkg');
  });

  it('names the zone, the import and the reason', () => {
    const [msg] = lint(LAYER_ZONES, refused[0]!);
    expect(msg?.message).toMatch(
      /^shared must not import src\/main\/paths \(\.\.\/main\/paths\): .*contract/,
    );
  });

  it('is wired into eslint.config.js for every file under src/', async () => {
    const eslint = new ESLint({ cwd: root });
    const [bad] = await eslint.lintText("import { app } from 'electron';\nexport const a = app;\n", {
      filePath: at('src/main/core/app/not-a-file.ts'),
    });
    expect(bad!.messages.map((m) => m.ruleId)).toEqual(['layers/imports']);
    const [good] = await eslint.lintText("import { app } from 'electron';\nexport const a = app;\n", {
      filePath: at('src/main/not-a-file.ts'),
    });
    expect(good!.messages).toEqual([]);
  });

  // Mutation checks: take one piece of the table away and some case above must notice.
  for (const [i, zone] of LAYER_ZONES.entries()) {
    it(`has a case that fails without zone "${zone.name}"`, () => {
      expect(someRefusedCaseSlipsThrough(LAYER_ZONES.filter((_, j) => j !== i))).toBe(true);
    });
    for (const entry of zone.forbid ?? [])
      it(`has a case that fails without "${entry}" in forbid of "${zone.name}"`, () => {
        expect(
          someRefusedCaseSlipsThrough(replaceZone(i, { forbid: zone.forbid!.filter((e) => e !== entry) })),
        ).toBe(true);
      });
    for (const entry of zone.allow ?? [])
      it(`has a case that fails without "${entry}" in allow of "${zone.name}"`, () => {
        const narrower = replaceZone(i, { allow: zone.allow!.filter((e) => e !== entry) });
        expect(allowed.some((c) => lint(narrower, c).length > 0)).toBe(true);
      });
  }
});

const linter = new Linter({ configType: 'flat', cwd: root });

function lint(zones: LayerZone[], c: Case): Linter.LintMessage[] {
  return linter.verify(
    c.code,
    [
      {
        files: ['**/*.ts', '**/*.tsx'],
        languageOptions: { parser: tseslint.parser },
        plugins: { layers },
        rules: { 'layers/imports': ['error', zones] },
      },
    ],
    { filename: at(c.file) },
  );
}

function someRefusedCaseSlipsThrough(zones: LayerZone[]): boolean {
  return refused.some((c) => lint(zones, c).length === 0);
}

function replaceZone(i: number, change: Partial<LayerZone>): LayerZone[] {
  return LAYER_ZONES.map((z, j) => (j === i ? { ...z, ...change } : z));
}
