/** The "CI Triage" LogOutputChannel, with every message passed through the providers' token redaction. */
import * as vscode from 'vscode';
import { redact } from '../providers/errors';

const TEXT_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

export function createRedactedLog(name: string): vscode.LogOutputChannel {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  const clean = (v: unknown): unknown =>
    typeof v === 'string' ? redact(v) : v instanceof Error ? redact(v.stack ?? v.message) : v;
  return new Proxy(channel, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop === 'string' && TEXT_METHODS.has(prop))
        return (...args: unknown[]) => fn.apply(target, args.map(clean));
      return fn.bind(target);
    },
  });
}
