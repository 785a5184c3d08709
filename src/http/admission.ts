/**
 * Admission control, per process: at most `maxInFlight` requests are worked
 * on at once, up to `queueLength` more wait (first come, first served) at
 * most `queueTimeoutMs` for a place, and any other request is refused at
 * once with a 503 `OVERLOADED` problem+json and `Retry-After`. Past what the
 * process can serve, a client gets a quick, explicit "come back in a
 * second" instead of a reply seconds late (docs/performance.md, `c500`).
 *
 * Probes, the metrics scrape and the live stream (a request that lasts as
 * long as its client listens) are never counted nor refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import { sendProblem } from '../errors/error-handler.ts';
import { STREAM_PATH } from '../modules/live/stream.routes.ts';
import { UNLIMITED_ROUTES } from './abuse-limits.ts';

export type AdmissionSettings = Config['admission'];

const RETRY_AFTER_SECONDS = '1';
const EXEMPT: ReadonlySet<string> = new Set([...UNLIMITED_ROUTES, STREAM_PATH]);

const overloaded = () =>
  new AppError('OVERLOADED', 'The server is at capacity; retry in a second.', {
    headers: { 'retry-after': RETRY_AFTER_SECONDS },
  });

export const admissionPlugin = fp<AdmissionSettings>(
  async (app: FastifyInstance, { maxInFlight, queueLength, queueTimeoutMs }) => {
    if (maxInFlight === 0) return;
    let inFlight = 0;
    const waiting: (() => void)[] = [];

    /** A place taken is given back once, when the reply is done or the client gone. */
    const hold = (reply: FastifyReply) => {
      let held = true;
      reply.raw.once('close', () => {
        if (!held) return;
        held = false;
        const next = waiting.shift();
        if (next) next();
        else inFlight -= 1;
      });
    };

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (EXEMPT.has(request.routeOptions.url ?? '')) return;
      if (inFlight < maxInFlight) {
        inFlight += 1;
        hold(reply);
        return;
      }
      if (waiting.length >= queueLength) return sendProblem(request, reply, overloaded());
      // The place handed over by a finishing request (inFlight stays the same), or a refusal in time.
      const admitted = await new Promise<boolean>((resolve) => {
        const take = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(take), 1);
          resolve(false);
        }, queueTimeoutMs);
        waiting.push(take);
      });
      if (!admitted) return sendProblem(request, reply, overloaded());
      hold(reply);
    });
  },
  { name: 'admission' },
);
