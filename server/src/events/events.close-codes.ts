/**
 * The WebSocket close codes the server sends, and what a client does about each. graphql-transport-ws
 * (graphql-ws's CloseCode) takes 4004, 4005 and 4400–4504; ours live in the 46xx range it leaves free.
 * graphql-ws's client gives up on 4401 (and on 4400, 4406, 4409, 4429, 4500, 4004, 4005) and retries any
 * other code, so 4600 and 4601 stay retryable by every stock client. No imports: the console derives its
 * handling from these same constants.
 */
export const WS_CLOSE = {
  /** The token expired while the socket was open: sign in again (graphql-ws's Unauthorized). */
  EXPIRED: 4401,
  /** No valid credential in connection_init, or it was revoked: sign in again (graphql-ws's Forbidden). */
  FORBIDDEN: 4403,
  /** The client read too slowly (more than WS_MAX_BUFFERED_BYTES unsent): reconnect and resume with `after: <last cursor>`; nothing is lost. */
  SLOW_CONSUMER: 4600,
  /** The server lost its database: reconnect with backoff and resume with `after: <last cursor>`; nothing is lost. */
  DATABASE_UNAVAILABLE: 4601,
  /** The server is shutting down (RFC 6455 "going away"): reconnect, to another replica, and resume with `after`. */
  GOING_AWAY: 1001,
} as const;

/** Codes after which reconnecting with the same credential is pointless: sign in again. */
export const WS_SIGN_IN_AGAIN: readonly number[] = [WS_CLOSE.EXPIRED, WS_CLOSE.FORBIDDEN];
