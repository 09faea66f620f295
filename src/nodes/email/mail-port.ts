/**
 * The port through which `email` nodes send mail. Declared here and merged
 * into `EnginePorts`; `smtp-mail-port.ts` is the real one, wired in `main.ts`.
 */
export interface MailMessage {
  /** The node's `from`; the port falls back to `smtp.from`, then its default sender. */
  from?: string | undefined;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string | undefined;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
}

export interface MailSendOptions {
  /** A node's own server and sender; each field set wins over the port's default. */
  smtp?: { url?: string | undefined; from?: string | undefined } | undefined;
  signal?: AbortSignal;
}

export interface MailReceipt {
  messageId: string;
  /** Recipients the server accepted / rejected (when it took the message for some). */
  accepted: string[];
  rejected: string[];
}

export interface MailPort {
  /**
   * Sends one message. Rejects with a `PermanentFailure` when retrying cannot
   * help (no server or sender configured, a 5xx reply, failed login), with a
   * `HookflowError` otherwise.
   */
  send(message: MailMessage, options: MailSendOptions): Promise<MailReceipt>;
}

declare module '../../engine/ports.js' {
  interface EnginePorts {
    mail: MailPort;
  }
}
