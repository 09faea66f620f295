import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HookflowError } from '../shared/errors.js';

/** Every management API error as `{"error": {"code", "message", "details"?}}` with the code's status. */
export function apiErrorHandler(error: FastifyError | HookflowError, request: FastifyRequest, reply: FastifyReply): void {
  let failure: HookflowError;
  if (error instanceof HookflowError) {
    failure = error;
  } else if (error.validation) {
    const details = error.validation.map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'is invalid',
    }));
    failure = new HookflowError('bad_request', error.message, { details });
  } else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    failure = new HookflowError('bad_request', error.message);
  } else if (error.statusCode && error.statusCode < 500) {
    failure = new HookflowError('bad_request', error.message, { status: error.statusCode });
  } else {
    request.log.error({ err: error }, 'management API request failed');
    failure = new HookflowError('internal', 'internal error');
  }
  if (failure.status >= 500 && failure.code !== 'internal') request.log.error({ err: error }, 'management API request failed');
  void reply.code(failure.status).headers(failure.headers ?? {}).send(failure.toJSON());
}
