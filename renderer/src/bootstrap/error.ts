import { HintedError } from '../errors.js';

/**
 * A bootstrap problem that has no repository file and line to point at: the "where" is a kube context or an API
 * server, which the message names. Problems in the rendered files are RenderErrors (file, line, hint) instead.
 */
export class BootstrapError extends HintedError {
  override name = 'BootstrapError';
}
