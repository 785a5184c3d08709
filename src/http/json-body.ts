/**
 * JSON request bodies are UTF-8 (RFC 8259, section 8.1), decoded strictly:
 * a body whose bytes are not UTF-8 is refused, never stored with U+FFFD in
 * place of what was sent, and a body declared in another charset is refused
 * rather than read as UTF-8 (which would change every accented letter).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';

const UTF8_CHARSETS = new Set(['utf-8', 'utf8']);
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** Decodes UTF-8 or throws: no replacement character is ever made up. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function utf8TextOf(request: FastifyRequest, body: Buffer): string {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !UTF8_CHARSETS.has(charset)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `JSON bodies are UTF-8; charset=${charset} is not accepted (send UTF-8, or no charset).`,
    );
  }
  try {
    return utf8.decode(body);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The body is not valid UTF-8; nothing was stored.', {
      errors: [{ pointer: '/', message: 'must be UTF-8 text (RFC 8259)' }],
    });
  }
}

/** Parses `mediaTypes` as JSON after a strict UTF-8 decoding, with Fastify's own (prototype-safe) parser. */
export function parseJsonAsUtf8(app: FastifyInstance, mediaTypes: string[]): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(mediaTypes.filter((type) => app.hasContentTypeParser(type)));
  app.addContentTypeParser(mediaTypes, { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8TextOf(request, body as Buffer);
    } catch (error) {
      return done(error as AppError, undefined);
    }
    parseJson(request, text, done);
  });
}
