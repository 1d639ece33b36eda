#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the bench/ scripts (sourced).

# median [FORMAT]: the median of the numbers on standard input (words, any spacing); ""
# when there are none. An even count gives the mean of the middle two, "%.2f"; an odd count
# the middle value as it is, or printf FORMAT of it when FORMAT is given.
median() {
	tr ' ' '\n' | awk 'NF' | sort -n | awk -v f="${1:-}" '{ v[NR] = $1 } END {
		if (NR == 0) print ""
		else if (NR % 2) { if (f == "") print v[(NR + 1) / 2]; else printf f "\n", v[(NR + 1) / 2] }
		else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
