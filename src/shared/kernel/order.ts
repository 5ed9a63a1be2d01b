import type { HostManifest, PatchScope } from './model';

// The one order a host's series apply in (promote concatenates them so; the kernel page lists them so): the
// scope's rank in the manifest's apply_order, then the series name byte by byte. Shared so the page cannot show
// another order than the patch has. Comparing code points equals comparing UTF-8 bytes (never by locale: `sort`
// under LANG=de_DE and LANG=C disagree on "_" and "-").

export function byteOrder(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The includes sorted by scope rank in apply_order, then by series name. */
export function orderedIncludes(
  m: Pick<HostManifest, 'includes' | 'apply_order'>,
): { scope: PatchScope; series: string }[] {
  const rank = (s: string) => m.apply_order.indexOf(s as PatchScope);
  return m.includes
    .map((inc) => {
      const [scope, series] = inc.split('/') as [PatchScope, string];
      return { scope, series };
    })
    .sort((a, b) => rank(a.scope) - rank(b.scope) || byteOrder(a.series, b.series));
}
