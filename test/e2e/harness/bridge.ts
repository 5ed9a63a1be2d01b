// The script injected into the page (Playwright addInitScript) in place of the preload: it defines
// window.kintsugi.<domain>.<method> for each "domain.method" entry, forwarding to the harness over HTTP, and
// onJobEvent over an EventSource. Same shape and error behaviour as src/preload/index.ts.
// Runs inside the browser: it must not capture anything from this module's scope.

export function installBridge(methods: string[]): void {
  type Listener = (event: unknown) => void;
  const listeners = new Set<Listener>();
  // This file compiles under the Node tsconfig (no DOM types): name the browser globals it uses.
  type SSE = { onmessage: ((m: { data: string }) => void) | null };
  const EventSourceCtor = (globalThis as unknown as { EventSource: new (url: string) => SSE }).EventSource;
  let source: SSE | undefined;
  const bridge: Record<string, unknown> = {};
  for (const entry of methods) {
    const [domain, method] = entry.split('.') as [string, string];
    const group = (bridge[domain] ??= {}) as Record<string, unknown>;
    group[method] = async (...args: unknown[]) => {
      const res = await fetch(`/api/${encodeURIComponent(entry)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
      });
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: Record<string, unknown> };
      if (body.ok) return body.value;
      const e = body.error ?? { code: 'INTERNAL', message: 'No response from the app.' };
      throw { code: e.code, message: e.message, hint: e.hint, detail: e.detail };
    };
  }
  bridge.onJobEvent = (listener: Listener) => {
    if (!source) {
      source = new EventSourceCtor('/events');
      source.onmessage = (m) => {
        const event = JSON.parse(m.data) as unknown;
        for (const l of listeners) l(event);
      };
    }
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  for (const group of Object.values(bridge)) if (typeof group === 'object') Object.freeze(group);
  Object.defineProperty(globalThis, 'kintsugi', {
    value: Object.freeze(bridge),
    configurable: false,
    writable: false,
  });
}
