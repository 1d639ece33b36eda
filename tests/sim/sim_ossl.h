/* SPDX-License-Identifier: Apache-2.0 */
/* Small OpenSSL (libcrypto 3.0) helpers of the simulator: cleanup attributes, error
 * logging, P-256 keys, raw r||s ECDSA signatures, PEM files. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

static inline void evp_pkey_freep(EVP_PKEY **p) { EVP_PKEY_free(*p); }
static inline void x509_freep(X509 **p) { X509_free(*p); }
static inline void x509_crl_freep(X509_CRL **p) { X509_CRL_free(*p); }
static inline void bio_freep(BIO **p) { BIO_free(*p); }
#define _cleanup_pkey_ __attribute__((cleanup(evp_pkey_freep)))
#define _cleanup_x509_ __attribute__((cleanup(x509_freep)))
#define _cleanup_crl_ __attribute__((cleanup(x509_crl_freep)))
#define _cleanup_bio_ __attribute__((cleanup(bio_freep)))

/* Logs "<message>: <first OpenSSL error>" at error level, clears the OpenSSL error queue
 * and returns err (a negative errno). */
int sim_ossl_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Generates a fresh P-256 key. */
int sim_key_gen(EVP_PKEY **out);
/* Writes a private key as PKCS#8 PEM, mode 0600. */
int sim_key_write(const char *path, EVP_PKEY *key);
/* Reads a PEM private key; requires P-256. */
int sim_key_read(const char *path, EVP_PKEY **out);

/* ECDSA P-256 / SHA-256 over msg, as raw r||s (32 bytes each, big-endian). */
int sim_sign_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t sig[64]);
/* Public key of a P-256 key as X||Y (no 04 prefix). */
int sim_pubkey_xy(EVP_PKEY *key, uint8_t xy[64]);
/* SHA-256 / SHA-384 of a buffer. */
int sim_sha256(const void *msg, size_t len, uint8_t out[32]);
int sim_sha384(const void *msg, size_t len, uint8_t out[48]);

/* Appends the PEM of cert to a memory BIO. */
int sim_cert_pem_append(BIO *bio, X509 *cert);
/* Writes the contents of a memory BIO to path (mode 0644). */
int sim_bio_write_file(BIO *bio, const char *path);
/* Reads the first certificate of a PEM file. */
int sim_cert_read(const char *path, X509 **out);
