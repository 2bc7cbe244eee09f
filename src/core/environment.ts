/** Collects the job's environment from framed lines. FIXME(#2): the full set of fields. */
import type { FramedLine } from './framing';
import { emptyEnvironment } from './model';
import type { Environment } from './model';

export class EnvironmentCollector {
  private readonly env = emptyEnvironment();

  line(_l: FramedLine): void {}

  result(): Environment {
    return this.env;
  }
}
