/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-exit release of json-c objects. */
#pragma once
#include <json-c/json.h>

static inline void json_object_putp(json_object **o)
{
	json_object_put(*o);
}
#define _cleanup_json_put_ __attribute__((cleanup(json_object_putp)))
