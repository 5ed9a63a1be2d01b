import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer } from './local-server';

// A Hugging Face stand-in on 127.0.0.1 that behaves like the real endpoint where a pull depends on it:
// `/{owner}/{name}/resolve/{revision}/{file}` answers 302 to `/cdn/...` with X-Linked-Size and X-Linked-Etag
// (the file's sha256), the CDN answers Range / If-Range with 206 and an ETag. Each fault a pull must survive is
// a switch a test flips: a cut after N bytes, a stall, a 200 to a Range request, an HTML page or an LFS pointer
// instead of the file, a file that changes between attempts, an unknown revision (404).

export interface HfFile {
  path: string;
  sha256: string;
}

export interface HfFaults {
  /** Drop the connection after this many body bytes, for the next `times` responses. */
  cutAfter?: { bytes: number; times: number };
  /** Send this many bytes, then nothing (connection open), for the next `times` responses. */
  stallAfter?: { bytes: number; times: number };
  /** Answer a Range request with 200 and the whole file. */
  ignoreRange?: boolean;
  /** Serve this body (with 200) instead of the file. */
  body?: { text: string; type: string };
  /** Leave out X-Linked-Etag (a manifest without sha256 then has no sha256 at all). */
  noLinkedEtag?: boolean;
}

export interface RequestRecord {
  url: string;
  range?: string;
  ifRange?: string;
  authorization?: string;
  status: number;
  bytesSent: number;
}

export async function startHfServer(opts: { revisions?: string[] } = {}) {
  const files = new Map<string, HfFile>();
  const faults: HfFaults = {};
  const log: RequestRecord[] = [];
  const revisions = new Set(opts.revisions ?? ['main']);
  const open = new Set<ServerResponse>();

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const rec: RequestRecord = {
      url: req.url ?? '',
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(typeof req.headers['if-range'] === 'string' ? { ifRange: req.headers['if-range'] } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      status: 0,
      bytesSent: 0,
    };
    log.push(rec);
    const m = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/([^/?]+)$/.exec(req.url ?? '');
    if (m) {
      const f = files.get(decodeURIComponent(m[4]!));
      if (!f || !revisions.has(decodeURIComponent(m[3]!))) {
        rec.status = 404;
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Entry not found"}');
        return;
      }
      const size = (await stat(f.path)).size;
      rec.status = 302;
      res
        .writeHead(302, {
          location: `/cdn/${m[4]}`,
          'x-linked-size': String(size),
          ...(faults.noLinkedEtag ? {} : { 'x-linked-etag': `"${f.sha256}"` }),
        })
        .end();
      return;
    }
    const c = /^\/cdn\/([^/?]+)$/.exec(req.url ?? '');
    const f = c ? files.get(decodeURIComponent(c[1]!)) : undefined;
    if (!f) {
      rec.status = 404;
      res.writeHead(404).end();
      return;
    }
    if (faults.body) {
      rec.status = 200;
      res.writeHead(200, { 'content-type': faults.body.type }).end(faults.body.text);
      return;
    }
    const size = (await stat(f.path)).size;
    const etag = `"${f.sha256}"`;
    let start = 0;
    const r = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (r && !faults.ignoreRange && (ifRange === undefined || ifRange === etag)) start = Number(r[1]);
    if (start > size) {
      rec.status = 416;
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const partial =
      start > 0 || (r !== null && !faults.ignoreRange && (ifRange === undefined || ifRange === etag));
    rec.status = partial ? 206 : 200;
    res.writeHead(rec.status, {
      'content-length': String(size - start),
      etag,
      'accept-ranges': 'bytes',
      ...(partial ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    let limit = Infinity;
    let mode: 'cut' | 'stall' | undefined;
    if (faults.cutAfter && faults.cutAfter.times > 0) {
      faults.cutAfter.times--;
      limit = faults.cutAfter.bytes;
      mode = 'cut';
    } else if (faults.stallAfter && faults.stallAfter.times > 0) {
      faults.stallAfter.times--;
      limit = faults.stallAfter.bytes;
      mode = 'stall';
    }
    const stream = createReadStream(f.path, { start, highWaterMark: 1024 * 1024 });
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      stream.destroy();
    });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const room = limit - rec.bytesSent;
      const part = room < chunk.length ? chunk.subarray(0, Math.max(0, room)) : chunk;
      rec.bytesSent += part.length;
      if (part.length && !res.write(part)) await new Promise((ok) => res.once('drain', ok));
      if (res.destroyed) return;
      if (rec.bytesSent >= limit) {
        if (mode === 'cut') res.destroy();
        // 'stall': keep the connection open and send nothing more; the client's watchdog must act.
        return;
      }
    }
    res.end();
  };

  // A client that drops the connection mid-file ends the read stream early ("Premature close"): that is the
  // client's doing, not a server failure, and must not surface as an unhandled rejection in the test run.
  const server = await startLocalServer((req, res) => void handler(req, res).catch(() => res.destroy()));
  return {
    base: server.base,
    files,
    faults,
    log,
    revisions,
    /** Bytes of the file bodies sent (the CDN's 200/206 answers). */
    bodyBytes: () =>
      log.filter((r) => r.status === 200 || r.status === 206).reduce((a, r) => a + r.bytesSent, 0),
    /** Drops every open response (a stalled one too): the client sees the connection go and resumes. */
    dropOpen() {
      for (const res of open) res.destroy();
    },
    async close() {
      for (const res of open) res.destroy();
      await server.close();
    },
  };
}
