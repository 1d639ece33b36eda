/* SPDX-License-Identifier: Apache-2.0 */
#include "ec_key.h"
#include "b64.h"
#include "common/log.h"
#include "common/secmem.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

static const char drbg_pers[] = "tdx-unlock kbs ec key";

struct kbs_ec_key {
	mbedtls_ecp_keypair kp;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

static int key_new(struct kbs_ec_key **out)
{
	struct kbs_ec_key *k = secmem_alloc(sizeof(*k));
	int r;

	if (!k)
		return log_fail(-ENOMEM, "allocating the ephemeral key: out of memory");
	mbedtls_ecp_keypair_init(&k->kp);
	mbedtls_entropy_init(&k->entropy);
	mbedtls_ctr_drbg_init(&k->drbg);
	r = mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy,
				  (const unsigned char *)drbg_pers, sizeof(drbg_pers) - 1);
	if (r != 0) {
		kbs_ec_key_free(k);
		return log_fail(-EIO, "seeding CTR_DRBG (mbedTLS -0x%04x): check the kernel entropy source",
				(unsigned)-r);
	}
	*out = k;
	return 0;
}

void kbs_ec_key_free(struct kbs_ec_key *key)
{
	if (!key)
		return;
	mbedtls_ecp_keypair_free(&key->kp);
	mbedtls_ctr_drbg_free(&key->drbg);
	mbedtls_entropy_free(&key->entropy);
	secmem_free(key, sizeof(*key));
}

int kbs_ec_key_generate(struct kbs_ec_key **out)
{
	struct kbs_ec_key *k = NULL;
	int r;

	r = key_new(&k);
	if (r < 0)
		return r;
	r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, &k->kp, mbedtls_ctr_drbg_random, &k->drbg);
	if (r != 0) {
		kbs_ec_key_free(k);
		return log_fail(-EIO, "generating the P-256 key (mbedTLS -0x%04x)", (unsigned)-r);
	}
	*out = k;
	return 0;
}

int kbs_ec_key_from_scalar(const uint8_t d[KBS_EC_COORD_LEN], struct kbs_ec_key **out)
{
	struct kbs_ec_key *k = NULL;
	int r;

	r = key_new(&k);
	if (r < 0)
		return r;
	r = mbedtls_ecp_read_key(MBEDTLS_ECP_DP_SECP256R1, &k->kp, d, KBS_EC_COORD_LEN);
	if (r == 0)
		r = mbedtls_ecp_mul(&k->kp.grp, &k->kp.Q, &k->kp.d, &k->kp.grp.G,
				    mbedtls_ctr_drbg_random, &k->drbg);
	if (r != 0) {
		kbs_ec_key_free(k);
		return log_fail(-EINVAL, "loading the P-256 private key: scalar out of range");
	}
	*out = k;
	return 0;
}

int kbs_ec_key_from_pem(const uint8_t *pem, size_t pem_len, struct kbs_ec_key **out)
{
	mbedtls_pk_context pk;
	uint8_t d[KBS_EC_COORD_LEN];
	const mbedtls_ecp_keypair *ec;
	int r;

	mbedtls_pk_init(&pk);
	r = mbedtls_pk_parse_key(&pk, pem, pem_len, NULL, 0);
	if (r != 0 || mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		mbedtls_pk_free(&pk);
		return log_fail(-EINVAL, "parsing the private key: expected an unencrypted P-256 key");
	}
	ec = mbedtls_pk_ec(pk);
	r = mbedtls_mpi_write_binary(&ec->d, d, sizeof(d));
	mbedtls_pk_free(&pk);
	if (r != 0)
		return log_fail(-EINVAL, "parsing the private key: scalar too large");
	r = kbs_ec_key_from_scalar(d, out);
	mbedtls_platform_zeroize(d, sizeof(d));
	return r;
}

int kbs_ec_key_jwk(const struct kbs_ec_key *key, char x[KBS_EC_COORD_B64], char y[KBS_EC_COORD_B64])
{
	uint8_t bx[KBS_EC_COORD_LEN], by[KBS_EC_COORD_LEN];

	/* mpi_write_binary left-pads with zeros: leading zero bytes are kept. */
	if (mbedtls_mpi_write_binary(&key->kp.Q.X, bx, sizeof(bx)) != 0 ||
	    mbedtls_mpi_write_binary(&key->kp.Q.Y, by, sizeof(by)) != 0)
		return log_fail(-EINVAL, "exporting the public key: coordinate too large");
	if (kbs_b64url_encode(bx, sizeof(bx), x, KBS_EC_COORD_B64) < 0 ||
	    kbs_b64url_encode(by, sizeof(by), y, KBS_EC_COORD_B64) < 0)
		return log_fail(-EINVAL, "encoding the public key");
	return 0;
}

int kbs_ec_key_ecdh(struct kbs_ec_key *key, const uint8_t peer_x[KBS_EC_COORD_LEN],
		    const uint8_t peer_y[KBS_EC_COORD_LEN], uint8_t z[KBS_EC_COORD_LEN])
{
	uint8_t pt[1 + 2 * KBS_EC_COORD_LEN];
	mbedtls_ecp_point q;
	mbedtls_mpi s;
	int r;

	pt[0] = 0x04;
	memcpy(pt + 1, peer_x, KBS_EC_COORD_LEN);
	memcpy(pt + 1 + KBS_EC_COORD_LEN, peer_y, KBS_EC_COORD_LEN);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&s);
	r = mbedtls_ecp_point_read_binary(&key->kp.grp, &q, pt, sizeof(pt));
	if (r == 0)
		r = mbedtls_ecp_check_pubkey(&key->kp.grp, &q);
	if (r != 0) {
		mbedtls_ecp_point_free(&q);
		return log_fail(-EINVAL, "JWE epk: the point is not on P-256");
	}
	r = mbedtls_ecdh_compute_shared(&key->kp.grp, &s, &q, &key->kp.d,
					mbedtls_ctr_drbg_random, &key->drbg);
	if (r == 0)
		r = mbedtls_mpi_write_binary(&s, z, KBS_EC_COORD_LEN);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_point_free(&q);
	if (r != 0) {
		mbedtls_platform_zeroize(z, KBS_EC_COORD_LEN);
		return log_fail(-EIO, "ECDH with the JWE epk (mbedTLS -0x%04x)", (unsigned)-r);
	}
	return 0;
}
