/* test_tls.c - certificate checks without a network: fingerprints, pins,
 * host names, trust anchors (tests/data/tls/localhost-selfsigned.*, a
 * self-signed certificate for localhost and 127.0.0.1 valid for a century). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tls.h"

#define CERT_DER "tests/data/tls/localhost-selfsigned.der"
#define CERT_PEM "tests/data/tls/localhost-selfsigned.pem"
#define CERT_FP "24:AE:CB:8E:8C:02:EF:5A:16:76:13:E8:2C:34:AB:28:" \
	"25:90:6F:1A:CD:93:49:34:E3:7B:96:25:2C:42:6E:13"

static GBytes *
load_cert(void)
{
	char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(CERT_DER, &data, &len, NULL))
		fail_msg("cannot read %s (run from the top of the tree)", CERT_DER);
	return g_bytes_new_take(data, len);
}

/* Verifies the fixture under `policy`; returns the status, *err set. */
static kith_status
verify(const tls_policy *policy, char **err)
{
	GBytes *cert = load_cert();
	const GBytes *chain[1] = { cert };
	kith_status st;

	*err = NULL;
	st = tls_verify_der_chain(chain, 1, policy, err);
	g_bytes_unref(cert);
	return st;
}

static void
test_fingerprint_normalize(void **state)
{
	char *fp;

	(void)state;
	fp = tls_fingerprint_normalize(CERT_FP);
	assert_string_equal(fp,
		"24aecb8e8c02ef5a167613e82c34ab2825906f1acd934934e37b96252c426e13");
	g_free(fp);
	fp = tls_fingerprint_normalize("sha256:24AECB8E8C02EF5A167613E82C34AB28"
		"25906F1ACD934934E37B96252C426E13");
	assert_non_null(fp);
	g_free(fp);
	assert_null(tls_fingerprint_normalize("24:AE:CB"));
	assert_null(tls_fingerprint_normalize("zz" CERT_FP));
	assert_null(tls_fingerprint_normalize(""));
	assert_null(tls_fingerprint_normalize(NULL));
}

static void
test_fingerprint_of_der(void **state)
{
	GBytes *cert = load_cert();
	gsize len;
	const void *der = g_bytes_get_data(cert, &len);
	char *fp = tls_fingerprint_of_der(der, len);

	(void)state;
	assert_string_equal(fp, CERT_FP);
	g_free(fp);
	assert_null(tls_fingerprint_of_der("not a certificate", 17));
	g_bytes_unref(cert);
}

static void
test_cafile_and_host(void **state)
{
	tls_policy p = { "localhost", CERT_PEM, NULL, TRUE };
	char *err;

	(void)state;
	assert_int_equal(verify(&p, &err), KITH_OK);
	p.host = "127.0.0.1";
	assert_int_equal(verify(&p, &err), KITH_OK);
	p.host = "mail.example.org";
	assert_int_equal(verify(&p, &err), KITH_E_PROTOCOL);
	assert_non_null(strstr(err,
		"certificate is for localhost, 127.0.0.1, not mail.example.org"));
	assert_non_null(strstr(err, "tls_verify = no"));
	g_free(err);
}

static void
test_self_signed_refused(void **state)
{
	/* The system trust store does not hold this certificate. */
	tls_policy p = { "localhost", NULL, NULL, TRUE };
	char *err;
	kith_status st;

	(void)state;
	st = verify(&p, &err);
	assert_int_equal(st, KITH_E_PROTOCOL);
	assert_non_null(strstr(err, "self-signed"));
	assert_non_null(strstr(err, "fingerprint = " CERT_FP));
	assert_non_null(strstr(err, "cafile"));
	g_free(err);
}

static void
test_pin(void **state)
{
	tls_policy p = { "another.host", NULL, CERT_FP, TRUE };
	char *err;

	(void)state;
	/* A matching pin is trusted on its own, name and issuer aside. */
	assert_int_equal(verify(&p, &err), KITH_OK);
	p.fingerprint = "00:AE:CB:8E:8C:02:EF:5A:16:76:13:E8:2C:34:AB:28:"
		"25:90:6F:1A:CD:93:49:34:E3:7B:96:25:2C:42:6E:13";
	assert_int_equal(verify(&p, &err), KITH_E_PROTOCOL);
	assert_non_null(strstr(err, "not the pinned"));
	g_free(err);
	p.fingerprint = "12:34";
	assert_int_equal(verify(&p, &err), KITH_E_CONFIG);
	g_free(err);
}

static void
test_bad_input(void **state)
{
	tls_policy p = { "localhost", CERT_PEM, NULL, TRUE };
	GBytes *junk = g_bytes_new_static("junk", 4);
	const GBytes *chain[1] = { junk };
	char *err = NULL;

	(void)state;
	assert_int_equal(tls_verify_der_chain(chain, 0, &p, &err), KITH_E_PROTOCOL);
	g_free(err);
	err = NULL;
	assert_int_equal(tls_verify_der_chain(chain, 1, &p, &err), KITH_E_PROTOCOL);
	g_free(err);
	err = NULL;
	p.cafile = "tests/data/tls/no-such-file.pem";
	assert_int_equal(tls_verify_der_chain(chain, 0, &p, &err), KITH_E_PROTOCOL);
	g_free(err);
	g_bytes_unref(junk);
}

static void
test_missing_cafile(void **state)
{
	tls_policy p = { "localhost", "tests/data/tls/no-such-file.pem", NULL, TRUE };
	char *err;

	(void)state;
	assert_int_equal(verify(&p, &err), KITH_E_CONFIG);
	assert_non_null(strstr(err, "no-such-file.pem"));
	g_free(err);
}

static void
test_no_verify(void **state)
{
	tls_policy p = { "mail.example.org", NULL, NULL, FALSE };
	char *err;

	(void)state;
	assert_int_equal(verify(&p, &err), KITH_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_normalize),
		cmocka_unit_test(test_fingerprint_of_der),
		cmocka_unit_test(test_cafile_and_host),
		cmocka_unit_test(test_self_signed_refused),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_missing_cafile),
		cmocka_unit_test(test_no_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
