import { anyTokenMatches } from './crypto.js';
import { header, refuse, usableSecrets, verified, type VerifyInput, type VerifyResult } from './verifier.js';

const HEADER = 'x-gitlab-token';

/**
 * GitLab sends the webhook's secret token itself in `x-gitlab-token`: no
 * signature, so nothing ties it to the body; HTTPS is what protects it.
 */
export function verifyGitlab({ headers, secrets }: VerifyInput): VerifyResult {
  const keys = usableSecrets(secrets);
  if (keys.length === 0) return refuse('missing_secret');
  const token = header(headers, HEADER);
  if (token === undefined) return refuse('missing_header', HEADER);
  return anyTokenMatches(token, keys) ? verified : refuse('wrong_credentials', HEADER);
}
