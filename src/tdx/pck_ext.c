/* SPDX-License-Identifier: Apache-2.0 */
/* Library-independent facts about the SGX PCK extension, shared by the mbedTLS decoder
 * (client) and the OpenSSL one (src/verify/, server). */
#include "pck_ext.h"

const uint8_t sgx_ext_oid[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01 };
