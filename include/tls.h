/*
 * tls.h - checking a server's certificate with GnuTLS.
 *
 * libetpan's TLS layer completes the handshake without verifying anything.
 * imap.c therefore calls tls_verify_stream() after every handshake (IMAPS
 * connect, STARTTLS) and before any credential is sent: the chain must lead
 * to the system trust store or to the account's `cafile`, and the leaf must
 * be for the host name connected to -- unless a pinned SHA-256 fingerprint
 * matches, which is trusted on its own.  With `tls_verify = no` nothing is
 * checked and a warning is logged on every run.
 *
 * Certificate validity is judged against the real clock (not cfg->now):
 * it is a fact about the world, not about the report being made.
 *
 * Failures are KITH_E_PROTOCOL, with a message naming the reason (expired,
 * not yet valid, for another host, unknown or self-signed issuer, revoked)
 * and the settings that would accept the certificate.  A `cafile` that
 * cannot be read is KITH_E_CONFIG.
 */
#ifndef KITH_TLS_H
#define KITH_TLS_H

#include <glib.h>
#include <libetpan/libetpan.h>

#include "kith.h"

typedef struct {
	const char *host;        /* the name connected to, checked against the
	                            certificate (a DNS name or an IP literal) */
	const char *cafile;      /* PEM bundle; NULL: the system trust store */
	const char *fingerprint; /* SHA-256 pin (hex, colons optional); NULL: none */
	gboolean verify;         /* FALSE: `tls_verify = no`, accept anything */
} tls_policy;

/*
 * A libetpan SSL context callback (for mailimap_ssl_connect_with_callback
 * and mailimap_socket_starttls_with_callback): sets SNI to `data`, a
 * borrowed host name (const char *); IP literals get no SNI.
 */
void tls_sni_callback(struct mailstream_ssl_context *ctx, void *data);

/*
 * Verifies the peer certificate chain of a TLS `stream` (borrowed) against
 * `policy`.  KITH_OK when acceptable.
 */
kith_status tls_verify_stream(mailstream *stream, const tls_policy *policy,
	char **errstr);

/*
 * The same check on a chain of DER certificates, leaf first (`certs` and
 * its data are borrowed).  Used by tls_verify_stream and by the tests.
 */
kith_status tls_verify_der_chain(const GBytes *const *certs, guint n,
	const tls_policy *policy, char **errstr);

/*
 * A fingerprint as 64 lowercase hex digits without separators (new string),
 * or NULL when `text` is not 32 bytes of hex (colons, spaces and a leading
 * "sha256:" / "SHA256=" are allowed).
 */
char *tls_fingerprint_normalize(const char *text);

/* The SHA-256 fingerprint of a DER certificate as "AA:BB:..." (new string),
 * or NULL when it cannot be parsed. */
char *tls_fingerprint_of_der(const void *der, gsize len);

#endif
