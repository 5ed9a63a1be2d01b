// A local ESLint plugin with one rule, 'layers/imports': every import of a file in a zone is resolved to an
// address and checked against that zone's forbid / allow lists (the table is layer-zones.js, passed in as the
// rule's option by eslint.config.js). Like VS Code's code-layering rule, it judges where an import LEADS, not how
// it is spelled: '../../main/paths' and '../main/paths' are the same file seen from different folders.
// Plain JavaScript: eslint.config.js loads it under plain Node 20, which cannot strip TypeScript types.
import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

/** @typedef {import('./layer-zones.js').LayerZone} LayerZone */

/**
 * '*' stays within one path segment, '**' crosses segments; everything else is literal.
 * @param {string} glob
 */
export function globToRegExp(glob) {
  const body = glob
    .split('**')
    .map((/** @type {string} */ part) =>
      part
        .split('*')
        .map((/** @type {string} */ s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${body}$`);
}

/**
 * Where an import leads, as the zone table names it: a repo path ('src/shared/errors', '<folder>/index' for a
 * folder), 'node:<module>' or 'npm:<package>'.
 * @param {string} specifier as written in the source
 * @param {string} importer absolute path of the importing file
 * @param {string} root absolute path of the repository (ESLint's cwd)
 */
export function addressOf(specifier, importer, root) {
  const spec = specifier.replace(/[?#].*$/, ''); // vite's '?url', '?raw' suffixes
  if (spec.startsWith('.') || spec.startsWith('/')) {
    let target = resolve(dirname(importer), spec);
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) target = resolve(target, 'index');
    return toPosix(relative(root, target));
  }
  if (isBuiltin(spec)) return `node:${spec.replace(/^node:/, '').split('/')[0]}`;
  const parts = spec.split('/');
  return `npm:${spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]}`;
}

const toPosix = (/** @type {string} */ p) => p.split(sep).join('/');

/** @type {import('eslint').Rule.RuleModule} */
const importsRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Keep each folder of src/ to the imports its layer allows (eslint-rules/layer-zones.js)',
    },
    schema: [
      {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            files: { type: 'array', items: { type: 'string' }, minItems: 1 },
            forbid: { type: 'array', items: { type: 'string' } },
            allow: { type: 'array', items: { type: 'string' } },
            why: { type: 'string' },
          },
          required: ['name', 'files', 'why'],
          additionalProperties: false,
        },
      },
    ],
    messages: {
      forbidden: '{{zone}} must not import {{address}} ({{specifier}}): {{why}}.',
      notAllowed: '{{zone}} imports only {{allowed}}, not {{address}} ({{specifier}}): {{why}}.',
    },
  },
  create(context) {
    /** @type {LayerZone[]} */
    const zones = context.options[0] ?? [];
    const root = context.cwd;
    const file = resolve(root, context.filename);
    const self = toPosix(relative(root, file));
    const mine = zones.filter((z) => z.files.some((g) => globToRegExp(g).test(self)));
    if (mine.length === 0) return {};
    const compiled = mine.map((z) => ({
      zone: z,
      forbid: (z.forbid ?? []).map(globToRegExp),
      allow: z.allow && { globs: z.allow.join(', '), res: z.allow.map(globToRegExp) },
    }));

    /** @param {import('estree').Node} node @param {unknown} value */
    function check(node, value) {
      if (typeof value !== 'string') return;
      const address = addressOf(value, file, root);
      for (const { zone, forbid, allow } of compiled) {
        const data = { zone: zone.name, address, specifier: value, why: zone.why };
        if (forbid.some((re) => re.test(address))) context.report({ node, messageId: 'forbidden', data });
        else if (allow && !allow.res.some((re) => re.test(address)))
          context.report({ node, messageId: 'notAllowed', data: { ...data, allowed: allow.globs } });
      }
    }

    /**
     * The string of a literal or of a template literal without ${}: what a dynamic import names.
     * @param {any} n an expression node (typescript-eslint's TS nodes are not in ESTree's types)
     * @returns {unknown}
     */
    const staticString = (n) =>
      n?.type === 'Literal'
        ? n.value
        : n?.type === 'TemplateLiteral' && n.expressions.length === 0
          ? n.quasis[0]?.value.cooked
          : undefined;

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => check(node.source, staticString(node.source)),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require')
          check(node, staticString(node.arguments[0]));
      },
      // TypeScript's own forms: `import x = require('y')` and `typeof import('y')` in a type.
      TSExternalModuleReference: (/** @type {any} */ node) => check(node, staticString(node.expression)),
      TSImportType: (/** @type {any} */ node) =>
        check(node, staticString(node.argument?.literal ?? node.argument)),
    };
  },
};

export default {
  meta: { name: 'layers' },
  rules: { imports: importsRule },
};
