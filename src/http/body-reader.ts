// Reads a request's body as bytes, up to a limit, for the declared routes (express's body-parser
// is not on their path). Content codings are refused rather than inflated: Content-Digest covers
// the bytes as sent, and a compressed body could expand past any limit. A body the client stops
// sending is the client's doing: 400 request_aborted, never an error in the log (docs/security.md, L4).
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { ProblemError } from '../errors/problem.ts';

/**
 * A body that did not arrive whole, as raw-body (here and inside express's body-parser) reports it:
 * the connection closed or half-closed before the announced length, or reset.
 */
export const isAbortedBody = (error: unknown): boolean => {
  const typed = error as { type?: string; code?: string } | null;
  return (
    (error instanceof ProblemError && error.code === 'request_aborted') ||
    typed?.type === 'request.aborted' ||
    typed?.type === 'request.size.invalid' ||
    typed?.code === 'ECONNRESET' ||
    typed?.code === 'ECONNABORTED'
  );
};

/** True when the request says it carries a body (a length, or chunked), as type-is's hasBody. */
const announcesBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number.parseInt(req.headers['content-length'] ?? '', 10));

/** The body's bytes, or undefined when there are none; 413 past `limit`, 415 for a content coding, 400 when cut short. */
export async function readBody(req: IncomingMessage, limit: string | number): Promise<Buffer | undefined> {
  if (!announcesBody(req)) return undefined;
  const coding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (coding !== 'identity') throw new ProblemError('unsupported_media_type', 'Content-Encoding is not supported: send the body as it is');
  const length = req.headers['content-length'];
  try {
    const body = await getRawBody(req, { limit, ...(length !== undefined && !req.headers['transfer-encoding'] ? { length } : {}) });
    return body.length > 0 ? body : undefined;
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new ProblemError('payload_too_large');
    if (isAbortedBody(error)) throw new ProblemError('request_aborted');
    throw error;
  }
}
