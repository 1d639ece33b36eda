/* SPDX-License-Identifier: Apache-2.0 */
/* The release version of tdx-unlock, tdx-keyserver and the token plugin: one place, the
 * VERSION file at the top of the tree, which the Makefile passes as TDX_UNLOCK_VERSION to
 * the objects that print it. */
#pragma once

#ifndef TDX_UNLOCK_VERSION
#error "TDX_UNLOCK_VERSION is not defined: build with the Makefile (it reads VERSION)"
#endif
