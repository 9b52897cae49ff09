/** What every view is given: the API, who is signed in, and how to report. */
import type { Identity, TesseraApi } from '@tessera/client';

export interface Context {
  readonly api: TesseraApi;
  readonly identity: Identity;
  readonly isAdmin: boolean;
  /** Polite status line (copy confirmations, saves). */
  announce(message: string): void;
  /** An error in words, with "Sign in again" when that is the way out. */
  fail(where: HTMLElement, err: unknown): void;
}
