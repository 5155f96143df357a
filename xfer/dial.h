/*
 * dial: pk-xfer's TCP connect, shared by every protocol (link.h frames
 * the connection for ca, keymanager, chat and e2e; vault.h has its own).
 */
#ifndef PK_XFER_DIAL_H
#define PK_XFER_DIAL_H

/*
 * A connected, non-blocking TCP socket (TCP_NODELAY) to "host:port" (or
 * "[v6]:port") within timeout_ms, all its addresses together; dies with
 * one line naming addr.
 */
int dial(const char *addr, int timeout_ms);

#endif
