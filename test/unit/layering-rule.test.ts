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

/** Imports one file of a zone makes: `ok` must pass, `forbidden` / `notAllowed` must be reported as such. */
interface Group {
  file: string;
  ok?: string[];
  forbidden?: string[];
  notAllowed?: string[];
}

/** Either job host: core and the job-host protocol yes; the app, the CLI, Electron and the other host no. */
function hostGroup(file: string, otherHost: string): Group {
  return {
    file,
    ok: [
      "import { runJob } from '../core/jobs/run-job';",
      "import { serveJobHost } from '../job-host/server';",
    ],
    forbidden: [
      "import { p } from '../paths';",
      "import { h } from '../api/handlers';",
      "import { parseCli } from '../cli/args';",
      otherHost,
      "import { app } from 'electron';",
    ],
  };
}

const groups: Group[] = [
  {
    file: 'src/shared/jobs/record.ts',
    ok: ["import { z } from 'zod';", "import type { E } from '../errors';"],
    forbidden: [
      "import { p } from '../../main/paths';",
      "export * from '../../main/core/jobs/journal';",
      "import { api } from '../../preload/index';",
      "export { useStore } from '../../renderer/store';",
      "import { isAbsolute } from 'node:path';",
      "import { readFile } from 'fs/promises';", // a built-in without the prefix is still Node
      "type Os = typeof import('node:os');",
      "import os = require('os');",
      "import type { App } from 'electron';", // a type-only import still ties the contract to Electron
    ],
  },
  {
    file: 'src/main/core/image/check.ts',
    ok: [
      "import { stat } from 'node:fs/promises';",
      "import { execa } from 'execa';",
      "import type { JobContext } from '../jobs/context';",
      "import { e } from '../../../shared/errors';",
      "import pkg from '../../../../package.json';",
    ],
    forbidden: [
      "import { p } from '../../paths';",
      "import { h } from '../../api/handlers';",
      "import { USAGE } from './../../cli/usage';",
      "import { APP_VERSION } from '../../helper/version';",
      "import { host } from '../../utility/index';",
      "import { serveJobHost } from '../../job-host/server';",
      "import { api } from '../../../preload/index';",
      "import { s } from '../../../renderer/store';",
      "const e = await import('electron/main');",
    ],
  },
  {
    file: 'src/renderer/steps/drive-step.tsx',
    ok: [
      "import { create } from 'zustand';",
      "import { jsx } from 'react/jsx-runtime';",
      "import { Thing } from '@scope/widgets/button';",
      "import { api } from '../api';",
      "import type { E } from '../../shared/errors';",
      "import '../styles.css?inline';",
    ],
    forbidden: ["import { ipcRenderer } from 'electron';"],
    notAllowed: [
      "import { h } from '../../main/core/jobs/job-runner';",
      "import { b } from '../../preload/index';",
      "import pkg from '../../../package.json';",
      "import { join } from 'path';",
    ],
  },
  {
    file: 'src/preload/index.ts',
    ok: [
      "import { contextBridge } from 'electron';",
      "import { DOMAINS } from '../shared/registry';",
      "import { b } from './bridge';",
    ],
    notAllowed: [
      "import { readFile } from 'node:fs';",
      "import { z } from 'zod';",
      "import { registerIpc } from '../main/ipc';",
      "import { api } from '../renderer/api';",
    ],
  },
  {
    file: 'src/main/cli/commands.ts',
    ok: ["import { join } from 'node:path';", "import { createServices } from '../core/services';"],
    forbidden: [
      "import { userDataDir } from '../paths';",
      "import { app } from 'electron';",
      "import { c } from '../helper/client';",
      "import { h } from '../api/handlers';",
    ],
  },
  {
    file: 'src/main/api/deps.ts',
    // A folder import is the folder's index, not a file of the shell.
    ok: ["import { x } from '../core';"],
    forbidden: ["import { pick } from '../dialogs';", "const { app } = require('electron');"],
  },
  hostGroup('src/main/helper/index.ts', "import { isUtilityJob } from '../utility/jobs';"),
  hostGroup('src/main/utility/index.ts', "import { APP_VERSION } from '../helper/version';"),
  {
    file: 'src/main/job-host/server.ts',
    ok: [
      "import { JobRunner } from '../core/jobs/job-runner';",
      "import { PassThrough } from 'node:stream';",
    ],
    forbidden: [
      "import { p } from '../paths';",
      "import { h } from '../api/handlers';",
      "import { parseCli } from '../cli/args';",
      "import { authorize } from '../helper/authorize';",
      "import { isUtilityJob } from '../utility/jobs';",
      "import { MessagePortMain } from 'electron';",
    ],
  },
  // The shell itself, and everything outside src/, are not zoned.
  {
    file: 'src/main/index.ts',
    ok: [
      "import { app } from 'electron';",
      "import { h } from './api/handlers';",
      "import { c } from './helper/client';",
    ],
  },
  { file: 'test/unit/x.test.ts', ok: ["import { p } from '../../src/main/paths';"] },
];

const allowed: Case[] = groups.flatMap((g) => (g.ok ?? []).map((code) => ({ file: g.file, code })));
const refused: Bad[] = groups.flatMap((g) =>
  (['forbidden', 'notAllowed'] as const).flatMap((messageId) =>
    (g[messageId] ?? []).map((code) => ({ file: g.file, code, messageId })),
  ),
);

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
      /^shared must not import src\/main\/paths \(\.\.\/\.\.\/main\/paths\): .*contract/,
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
