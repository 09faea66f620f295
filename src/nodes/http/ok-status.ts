import { Type, type Static } from '@sinclair/typebox';

const OneStatus = Type.Union([
  Type.Integer({ minimum: 100, maximum: 599 }),
  Type.String({ pattern: '^([1-5]xx|any)$' }),
]);

const HINT = 'must be a status code (404), a class ("3xx"), "any", or a list of them ([404, "3xx"])';

/** Statuses accepted besides 2xx (DESIGN: "non-2xx fails the node unless okStatus widens it"). */
export const OkStatus = Type.Union([OneStatus, Type.Array(OneStatus, { minItems: 1, hint: HINT })], { hint: HINT });
export type OkStatus = Static<typeof OkStatus>;

/** 2xx always; plus each listed code, class (`4xx`) or `any`. */
export function isOkStatus(status: number, okStatus: OkStatus | undefined): boolean {
  if (status >= 200 && status < 300) return true;
  if (okStatus === undefined) return false;
  const accepted = Array.isArray(okStatus) ? okStatus : [okStatus];
  return accepted.some((entry) =>
    typeof entry === 'number' ? entry === status : entry === 'any' || entry[0] === String(Math.floor(status / 100)),
  );
}
