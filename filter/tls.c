/* tls.c - verifying a server certificate chain with GnuTLS (see tls.h). */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "log.h"
#include "tls.h"

#define TLS_MAX_CHAIN 16
#define TLS_HOW_TO_ACCEPT \
	"if you trust it, name its CA with `cafile`, pin it with " \
	"`fingerprint = %s`, or (insecure) set `tls_verify = no`"

/* Imported certificates, leaf first; tls_chain_clear() deinits them. */
typedef struct {
	gnutls_x509_crt_t crt[TLS_MAX_CHAIN];
	guint n;
} tls_chain;

static void
tls_chain_clear(tls_chain *chain)
{
	for (guint i = 0; i < chain->n; i++)
		gnutls_x509_crt_deinit(chain->crt[i]);
	chain->n = 0;
}

static gboolean
is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
		inet_pton(AF_INET6, host, addr) == 1 || host[0] == '[';
}

void
tls_sni_callback(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	if (host == NULL || *host == '\0' || is_ip_literal(host))
		return;
	/* libetpan takes a non-const pointer but only reads it. */
	mailstream_ssl_set_server_name(ctx, (char *)host);
}

char *
tls_fingerprint_normalize(const char *text)
{
	GString *hex;
	const char *p;

	if (text == NULL)
		return NULL;
	p = text;
	while (g_ascii_isspace(*p))
		p++;
	if (g_ascii_strncasecmp(p, "sha256", 6) == 0 && (p[6] == ':' || p[6] == '='))
		p += 7;
	hex = g_string_new(NULL);
	for (; *p != '\0'; p++) {
		if (g_ascii_isxdigit(*p))
			g_string_append_c(hex, g_ascii_tolower(*p));
		else if (*p != ':' && *p != ' ' && *p != '\t')
			break;
	}
	if (*p != '\0' || hex->len != 64) {
		g_string_free(hex, TRUE);
		return NULL;
	}
	return g_string_free(hex, FALSE);
}

static char *
fingerprint_of_crt(gnutls_x509_crt_t crt)
{
	unsigned char md[32];
	size_t size = sizeof(md);
	GString *out;

	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md, &size) < 0 ||
	    size != sizeof(md))
		return NULL;
	out = g_string_sized_new(96);
	for (size_t i = 0; i < size; i++)
		g_string_append_printf(out, "%s%02X", i ? ":" : "", md[i]);
	return g_string_free(out, FALSE);
}

char *
tls_fingerprint_of_der(const void *der, gsize len)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t datum = { (unsigned char *)der, (unsigned int)len };
	char *fp = NULL;

	if (gnutls_x509_crt_init(&crt) < 0)
		goto out;
	if (gnutls_x509_crt_import(crt, &datum, GNUTLS_X509_FMT_DER) < 0)
		goto out;
	fp = fingerprint_of_crt(crt);
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return fp;
}

/* A DN as text (new string); "" when unavailable. */
static char *
crt_dn(gnutls_x509_crt_t crt, gboolean issuer)
{
	gnutls_datum_t dn = { NULL, 0 };
	char *text;
	int r;

	r = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0)
		: gnutls_x509_crt_get_dn3(crt, &dn, 0);
	if (r < 0)
		return g_strdup("");
	text = g_strndup((const char *)dn.data, dn.size);
	gnutls_free(dn.data);
	return text;
}

/* The names a certificate is for: its DNS and IP subjectAltNames, else its
 * CN, comma-separated (new string). */
static char *
crt_names(gnutls_x509_crt_t crt)
{
	GString *names = g_string_new(NULL);
	char buf[256];

	for (unsigned i = 0; names->len < 200; i++) {
		size_t size = sizeof(buf) - 1;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size, NULL);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			buf[size] = '\0';
			g_string_append_printf(names, "%s%s", names->len ? ", " : "", buf);
		} else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16)) {
			char text[INET6_ADDRSTRLEN];

			if (inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, text,
				sizeof(text)) != NULL)
				g_string_append_printf(names, "%s%s", names->len ? ", " : "", text);
		}
	}
	if (names->len == 0) {
		size_t size = sizeof(buf) - 1;

		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
			buf, &size) >= 0) {
			buf[size] = '\0';
			g_string_append(names, buf);
		} else {
			g_string_append(names, "no host name");
		}
	}
	return g_string_free(names, FALSE);
}

static char *
format_time(time_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *text;

	if (dt == NULL)
		return g_strdup("?");
	text = g_date_time_format(dt, "%Y-%m-%d %H:%M UTC");
	g_date_time_unref(dt);
	return text;
}

static kith_status
import_chain(const GBytes *const *certs, guint n, tls_chain *chain,
	const char *host, char **errstr)
{
	kith_status st = KITH_OK;

	if (n == 0) {
		st = kith_fail(errstr, KITH_E_PROTOCOL,
			"TLS: %s sent no certificate", host);
		goto out;
	}
	for (guint i = 0; i < n && i < TLS_MAX_CHAIN; i++) {
		gsize len;
		const void *der = g_bytes_get_data((GBytes *)certs[i], &len);
		gnutls_datum_t datum = { (unsigned char *)der, (unsigned int)len };
		gnutls_x509_crt_t crt;

		if (gnutls_x509_crt_init(&crt) < 0) {
			st = kith_fail(errstr, KITH_E_SOFTWARE, "TLS: out of memory");
			goto out;
		}
		if (gnutls_x509_crt_import(crt, &datum, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crt);
			st = kith_fail(errstr, KITH_E_PROTOCOL,
				"TLS: certificate %u from %s cannot be parsed", i, host);
			goto out;
		}
		chain->crt[chain->n++] = crt;
	}
out:
	return st;
}

/* Loads the trust anchors into *list (the caller deinits it). */
static kith_status
load_trust(const tls_policy *policy, gnutls_x509_trust_list_t *list,
	char **errstr)
{
	kith_status st = KITH_OK;
	int r;

	if (gnutls_x509_trust_list_init(list, 0) < 0) {
		*list = NULL;
		st = kith_fail(errstr, KITH_E_SOFTWARE, "TLS: out of memory");
		goto out;
	}
	if (policy->cafile != NULL) {
		r = gnutls_x509_trust_list_add_trust_file(*list, policy->cafile, NULL,
			GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0)
			st = kith_fail(errstr, KITH_E_CONFIG,
				"cafile %s: %s", policy->cafile,
				r < 0 ? gnutls_strerror(r) : "no certificates in the file");
		goto out;
	}
	r = gnutls_x509_trust_list_add_system_trust(*list, 0, 0);
	if (r <= 0)
		log_warn("TLS: the system trust store is empty or unreadable (%s); "
			"set `cafile` for %s", r < 0 ? gnutls_strerror(r) : "0 certificates",
			policy->host);
out:
	return st;
}

/* Explains a failed chain verification (status bits from GnuTLS). */
static kith_status
chain_failure(const tls_chain *chain, unsigned status, const char *host,
	const char *fp, char **errstr)
{
	gnutls_x509_crt_t leaf = chain->crt[0];
	char *why = NULL;
	kith_status st;

	if (status & GNUTLS_CERT_REVOKED) {
		why = g_strdup("has been revoked");
	} else if (status & GNUTLS_CERT_EXPIRED) {
		char *when = format_time(gnutls_x509_crt_get_expiration_time(leaf));

		why = g_strdup_printf("expired (valid until %s)", when);
		g_free(when);
	} else if (status & GNUTLS_CERT_NOT_ACTIVATED) {
		char *when = format_time(gnutls_x509_crt_get_activation_time(leaf));

		why = g_strdup_printf("is not yet valid (valid from %s)", when);
		g_free(when);
	} else if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA)) {
		char *issuer = crt_dn(chain->crt[chain->n - 1], TRUE);

		if (chain->n == 1 && gnutls_x509_crt_check_issuer(leaf, leaf))
			why = g_strdup("is self-signed");
		else
			why = g_strdup_printf("is issued by an unknown authority (%s)", issuer);
		g_free(issuer);
	} else {
		gnutls_datum_t text = { NULL, 0 };

		if (gnutls_certificate_verification_status_print(status,
			GNUTLS_CRT_X509, &text, 0) >= 0) {
			why = g_strdup_printf("is not trusted: %s", (char *)text.data);
			gnutls_free(text.data);
		} else {
			why = g_strdup("is not trusted");
		}
	}
	st = kith_fail(errstr, KITH_E_PROTOCOL,
		"TLS: the certificate of %s %s; " TLS_HOW_TO_ACCEPT, host, why, fp);
	g_free(why);
	return st;
}

static kith_status
check_pin(const char *pin_text, const char *fp, const char *host,
	gboolean *pinned_ok, char **errstr)
{
	char *pin = tls_fingerprint_normalize(pin_text);
	char *have = tls_fingerprint_normalize(fp);
	kith_status st = KITH_OK;

	*pinned_ok = FALSE;
	if (pin == NULL) {
		st = kith_fail(errstr, KITH_E_CONFIG,
			"fingerprint %s: not a SHA-256 fingerprint (64 hex digits)", pin_text);
		goto out;
	}
	if (have == NULL || strcmp(pin, have) != 0) {
		st = kith_fail(errstr, KITH_E_PROTOCOL,
			"TLS: the certificate of %s has fingerprint %s, not the pinned %s; "
			"if the server changed its certificate, update `fingerprint`",
			host, fp, pin_text);
		goto out;
	}
	*pinned_ok = TRUE;
out:
	g_free(pin);
	g_free(have);
	return st;
}

kith_status
tls_verify_der_chain(const GBytes *const *certs, guint n,
	const tls_policy *policy, char **errstr)
{
	tls_chain chain = { .n = 0 };
	gnutls_x509_trust_list_t trust = NULL;
	const char *host = policy->host != NULL ? policy->host : "";
	char *fp = NULL;
	char *names = NULL;
	unsigned status = 0;
	gboolean pinned_ok = FALSE;
	kith_status st;

	if (!policy->verify) {
		log_warn("TLS: not verifying the certificate of %s (tls_verify = no); "
			"anyone on the network path can read your password", host);
		st = KITH_OK;
		goto out;
	}
	st = import_chain(certs, n, &chain, host, errstr);
	if (st != KITH_OK)
		goto out;
	fp = fingerprint_of_crt(chain.crt[0]);
	if (fp == NULL) {
		st = kith_fail(errstr, KITH_E_PROTOCOL,
			"TLS: cannot fingerprint the certificate of %s", host);
		goto out;
	}
	if (policy->fingerprint != NULL && *policy->fingerprint != '\0') {
		st = check_pin(policy->fingerprint, fp, host, &pinned_ok, errstr);
		if (st != KITH_OK || pinned_ok)
			goto out;
	}
	st = load_trust(policy, &trust, errstr);
	if (st != KITH_OK)
		goto out;
	if (gnutls_x509_trust_list_verify_crt2(trust, chain.crt, chain.n, NULL, 0,
		0, &status, NULL) < 0)
		status |= GNUTLS_CERT_INVALID;
	if (status != 0) {
		st = chain_failure(&chain, status, host, fp, errstr);
		goto out;
	}
	if (!gnutls_x509_crt_check_hostname2(chain.crt[0], host, 0)) {
		names = crt_names(chain.crt[0]);
		st = kith_fail(errstr, KITH_E_PROTOCOL,
			"TLS: wrong host name: the certificate is for %s, not %s; "
			"connect using a name it is for, or " TLS_HOW_TO_ACCEPT,
			names, host, fp);
		goto out;
	}
	log_debug("TLS: certificate of %s verified (SHA-256 %s)", host, fp);
out:
	if (trust != NULL)
		gnutls_x509_trust_list_deinit(trust, 1);
	tls_chain_clear(&chain);
	g_free(fp);
	g_free(names);
	return st;
}

kith_status
tls_verify_stream(mailstream *stream, const tls_policy *policy, char **errstr)
{
	carray *raw = NULL;
	GPtrArray *certs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	kith_status st;

	if (policy->verify)
		raw = mailstream_get_certificate_chain(stream);
	for (unsigned i = 0; raw != NULL && i < carray_count(raw); i++) {
		MMAPString *der = carray_get(raw, i);

		g_ptr_array_add(certs, g_bytes_new(der->str, der->len));
	}
	st = tls_verify_der_chain((const GBytes *const *)certs->pdata, certs->len,
		policy, errstr);
	if (raw != NULL)
		mailstream_certificate_chain_free(raw);
	g_ptr_array_unref(certs);
	return st;
}
