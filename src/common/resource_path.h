/* SPDX-License-Identifier: Apache-2.0 */
/* KBS resource paths (kbs-protocol.md §2.1): exactly REPO/TYPE/TAG, each component
 * [A-Za-z0-9_-][A-Za-z0-9_.-]* (never starting with a dot, so never "." or ".."). */
#pragma once
#include <stdbool.h>

#define RESOURCE_COMPONENT_MAX 128

bool resource_path_valid(const char *path);
